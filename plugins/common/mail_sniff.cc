#include "common/mail_sniff.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>

namespace archivum::bundled::mail {
namespace {

constexpr size_t kSniffBytes = size_t{64} << 10;

// Fields of messages (RFC 5322, RFC 2045, and the common trace and client fields), lower case.
constexpr std::array<std::string_view, 22> kMessageFields{
    "bcc",           "cc",           "content-transfer-encoding",
    "content-type",  "date",         "delivered-to",
    "from",          "in-reply-to",  "message-id",
    "mime-version",  "received",     "references",
    "reply-to",      "return-path",  "sender",
    "subject",       "thread-topic", "to",
    "user-agent",    "x-mailer",     "x-mozilla-status",
    "x-original-to",
};

bool IsFieldNameChar(char c) {
  // RFC 5322 ftext: printable US-ASCII except ':'.
  return c >= 33 && c <= 126 && c != ':';
}

// The lower-case name of the field that `line` begins, or "" if it does not begin one.
std::string FieldName(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && IsFieldNameChar(line[n])) ++n;
  size_t colon = n;
  while (colon < line.size() && (line[colon] == ' ' || line[colon] == '\t')) ++colon;
  if (n == 0 || colon >= line.size() || line[colon] != ':') return "";
  std::string name(line.substr(0, n));
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return name;
}

bool IsWeekday(std::string_view s) {
  for (std::string_view day : {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}) {
    if (s == day) return true;
  }
  return false;
}

}  // namespace

bool LooksLikeMbox(std::string_view bytes) {
  std::string_view line = bytes.substr(0, std::min(bytes.size(), kSniffBytes));
  line = line.substr(0, line.find('\n'));
  if (!line.starts_with("From ")) return false;
  line.remove_prefix(5);
  const size_t sender_end = line.find(' ');
  if (sender_end == 0 || sender_end == std::string_view::npos) return false;
  const size_t day = line.find_first_not_of(' ', sender_end);
  if (day == std::string_view::npos || line.size() < day + 4) return false;
  return IsWeekday(line.substr(day, 3)) && line[day + 3] == ' ';
}

bool LooksLikeMessage(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, std::min(bytes.size(), kSniffBytes));
  std::array<bool, kMessageFields.size()> seen{};
  size_t distinct = 0;
  size_t line = 0;
  while (true) {
    const size_t newline = head.find('\n', line);
    if (newline == std::string_view::npos && head.size() < bytes.size()) return false;  // cut
    std::string_view text = head.substr(
        line, newline == std::string_view::npos ? std::string_view::npos : newline - line);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) break;  // the end of the header block
    if (text.front() == ' ' || text.front() == '\t') {
      if (line == 0) return false;  // a continuation line cannot come first
    } else {
      const std::string name = FieldName(text);
      if (name.empty()) return false;
      const auto it = std::find(kMessageFields.begin(), kMessageFields.end(), name);
      if (it != kMessageFields.end() && !seen[it - kMessageFields.begin()]) {
        seen[it - kMessageFields.begin()] = true;
        ++distinct;
      }
    }
    if (newline == std::string_view::npos) break;  // the end of the file
    line = newline + 1;
  }
  return distinct >= 2;
}

}  // namespace archivum::bundled::mail
