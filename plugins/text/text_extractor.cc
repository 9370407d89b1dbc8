#include "text/text_extractor.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "common/config.h"
#include "common/utf8.h"
#include "text/charset.h"
#include "text/markup.h"

namespace archivum::bundled::text {
namespace {

constexpr uint64_t kMaxLimit = uint64_t{1} << 30;

std::string Essence(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  const size_t begin = mime.find_first_not_of(" \t");
  const size_t end = mime.find_last_not_of(" \t");
  std::string out;
  if (begin == std::string_view::npos) return out;
  for (char c : mime.substr(begin, end - begin + 1)) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// Counts lines as an editor would: LF, CRLF and a lone CR each end one; a last line without a
// terminator still counts.
uint64_t CountLines(std::string_view text) {
  uint64_t lines = 0;
  if (text.find('\r') == std::string_view::npos) {
    // Only LF ends lines (the usual case): a plain count, which the compiler vectorizes.
    for (const char c : text) lines += c == '\n' ? 1 : 0;
    if (!text.empty() && text.back() != '\n') ++lines;
    return lines;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++lines;
    }
  }
  if (!text.empty() && text.back() != '\n' && text.back() != '\r') ++lines;
  return lines;
}

}  // namespace

Options ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json, {"max_bytes", "max_text"});
  Options options;
  options.max_bytes = config.Size("max_bytes", options.max_bytes, 1, kMaxLimit);
  options.max_text = config.Size("max_text", options.max_text, 1, kMaxLimit);
  return options;
}

Format FormatForMime(std::string_view mime) {
  const std::string essence = Essence(mime);
  if (essence == "text/html" || essence == "application/xhtml+xml") return Format::kHtml;
  if (essence == "text/xml" || essence == "application/xml" || essence.ends_with("+xml")) {
    return Format::kXml;
  }
  return Format::kPlain;
}

Extraction ExtractText(std::string_view content, std::string_view mime, const Options& options,
                       const std::function<bool()>& cancelled) {
  Extraction result;
  if (LooksBinary(content)) {
    result.outcome = Outcome::kBinary;
    return result;
  }
  const bool complete = content.size() <= options.max_bytes;
  if (!complete) {
    content = content.substr(0, static_cast<size_t>(options.max_bytes));
    result.truncated = true;
  }
  std::optional<Decoded> decoded = DecodeText(content, complete, cancelled);
  if (!decoded || (cancelled && cancelled())) {
    result.outcome = Outcome::kCancelled;
    return result;
  }
  result.charset = std::string(CharsetName(decoded->charset));
  result.lines = CountLines(decoded->text);
  switch (FormatForMime(mime)) {
    case Format::kHtml: result.text = StripMarkup(decoded->text, MarkupKind::kHtml); break;
    case Format::kXml: result.text = StripMarkup(decoded->text, MarkupKind::kXml); break;
    case Format::kPlain: result.text = std::move(decoded->text); break;
  }
  if (result.text.size() > options.max_text) {
    result.text.resize(Utf8Boundary(result.text, static_cast<size_t>(options.max_text)));
    result.truncated = true;
  }
  return result;
}

bool EmitInChunks(std::string_view text, size_t chunk_size,
                  const std::function<bool(std::string_view)>& emit) {
  chunk_size = std::max<size_t>(chunk_size, 4);  // room for the longest character
  while (!text.empty()) {
    size_t n = text.size() <= chunk_size ? text.size() : Utf8Boundary(text, chunk_size);
    if (n == 0) n = std::min(text.size(), chunk_size);  // not UTF-8 after all; never loop forever
    if (!emit(text.substr(0, n))) return false;
    text.remove_prefix(n);
  }
  return true;
}

}  // namespace archivum::bundled::text
