#include "mail/message_headers.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "common/utf8.h"

namespace archivum::bundled::mail {
namespace {

std::string Chars(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

// "Name <addr>", "addr", or "Name" for a mailbox without address.
std::string FormatMailbox(InternetAddress* address, bool* cut) {
  const std::string name =
      CleanHeaderText(Chars(internet_address_get_name(address)), kMaxHeaderValueBytes, cut);
  const std::string addr =
      CleanHeaderText(Chars(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address))),
                      kMaxHeaderValueBytes, cut);
  if (name.empty()) return addr;
  if (addr.empty()) return name;
  return name + " <" + addr + ">";
}

class AddressEmitter {
 public:
  AddressEmitter(sdk::Sink& sink, bool* truncated) : sink_(sink), truncated_(truncated) {}

  // One finding per mailbox of `list`, members of groups included. Returns false once the host
  // takes no more findings.
  bool Emit(std::string_view key, InternetAddressList* list) {
    if (list == nullptr) return true;
    size_t emitted = 0;
    // Depth-first over groups without recursion; GMime does not nest groups, but the walk
    // does not rely on that.
    std::vector<std::pair<InternetAddressList*, int>> stack{{list, 0}};
    while (!stack.empty()) {
      auto& [current, index] = stack.back();
      if (index >= internet_address_list_length(current)) {
        stack.pop_back();
        continue;
      }
      InternetAddress* address = internet_address_list_get_address(current, index++);
      if (INTERNET_ADDRESS_IS_GROUP(address)) {
        stack.emplace_back(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), 0);
        continue;
      }
      if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
      const std::string value = FormatMailbox(address, truncated_);
      if (value.empty()) continue;
      if (emitted == kMaxAddresses) {
        *truncated_ = true;
        return true;
      }
      ++emitted;
      if (!EmitFinding(sink_, key, value)) return false;
    }
    return true;
  }

 private:
  sdk::Sink& sink_;
  bool* truncated_;
};

}  // namespace

bool EmitFinding(sdk::Sink& sink, std::string_view key, std::string_view value) {
  const archivum_rc rc = sink.Finding(key, value);
  if (rc == ARCHIVUM_OK) return true;
  if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) return false;
  throw sdk::Error(ARCHIVUM_ERROR, "the host refused the finding \"" + std::string(key) +
                                       "\" (code " + std::to_string(rc) + ")");
}

std::string CleanHeaderText(std::string_view text, size_t max_bytes, bool* cut) {
  return OneLine(text, max_bytes, cut);
}

std::string FormatUtc(GDateTime* date) {
  GDateTime* utc = g_date_time_to_utc(date);
  if (utc == nullptr) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year(utc),
                g_date_time_get_month(utc), g_date_time_get_day_of_month(utc),
                g_date_time_get_hour(utc), g_date_time_get_minute(utc),
                g_date_time_get_second(utc));
  g_date_time_unref(utc);
  return text;
}

HeaderFindings EmitHeaderFindings(GMimeMessage* message, sdk::Sink& sink) {
  HeaderFindings result;
  AddressEmitter addresses(sink, &result.truncated);
  if (!addresses.Emit("from", g_mime_message_get_from(message)) ||
      !addresses.Emit("to", g_mime_message_get_to(message)) ||
      !addresses.Emit("cc", g_mime_message_get_cc(message))) {
    return result;
  }
  result.subject = CleanHeaderText(Chars(g_mime_message_get_subject(message)), kMaxHeaderValueBytes,
                                   &result.truncated);
  if (!result.subject.empty() && !EmitFinding(sink, "subject", result.subject)) return result;
  if (GDateTime* date = g_mime_message_get_date(message)) {
    const std::string utc = FormatUtc(date);
    if (!utc.empty() && !EmitFinding(sink, "date", utc)) return result;
  }
  const std::string id = CleanHeaderText(Chars(g_mime_message_get_message_id(message)),
                                         kMaxHeaderValueBytes, &result.truncated);
  if (!id.empty()) EmitFinding(sink, "message_id", id);
  return result;
}

}  // namespace archivum::bundled::mail
