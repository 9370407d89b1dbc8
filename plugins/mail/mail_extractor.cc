#include "mail/mail_extractor.h"

#include <string>

#include "common/config.h"
#include "common/mail_sniff.h"
#include "mail/mbox_reader.h"

namespace archivum::bundled::mail {
namespace {

// The MIME type without parameters, in lower case.
std::string BaseType(std::string_view mime) {
  std::string type(mime.substr(0, mime.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& c : type) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return type;
}

}  // namespace

MessageOptions ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json, {"max_text"});
  MessageOptions options;
  options.max_text = config.Size("max_text", options.max_text, 0, uint64_t{1} << 30);
  return options;
}

archivum_rc ProcessMail(const sdk::File& file, sdk::Sink& sink, const MessageOptions& options) {
  const std::string type = BaseType(file.mime());
  if (type == "application/mbox") return ReadMbox(file, sink, /*sniffed=*/false);
  if (type == "message/rfc822") return ReadMessage(file, sink, options, /*sniffed=*/false);
  if (LooksLikeMbox(file.bytes())) return ReadMbox(file, sink, /*sniffed=*/true);
  if (LooksLikeMessage(file.bytes())) return ReadMessage(file, sink, options, /*sniffed=*/true);
  return ARCHIVUM_UNSUPPORTED;
}

}  // namespace archivum::bundled::mail
