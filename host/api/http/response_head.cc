#include "api/http/response_head.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <ostream>  // Boost 1.74's string_view printing needs the full ostream

namespace archivum::api::gateway {

namespace http = boost::beast::http;

void AppendField(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->append(": ");
  out->append(value);
  out->append("\r\n");
}

std::string_view ReasonPhrase(unsigned status) {
  if (status == 499) return "Client Closed Request";
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return {reason.data(), reason.size()};
}

void AppendReplyHead(const ReplyHead& head, std::string* out) {
  // "HTTP/1.1 200 OK\r\n", digit by digit as Beast writes it.
  char line[13] = {'H',
                   'T',
                   'T',
                   'P',
                   '/',
                   static_cast<char>('0' + head.version / 10),
                   '.',
                   static_cast<char>('0' + head.version % 10),
                   ' ',
                   static_cast<char>('0' + head.status / 100),
                   static_cast<char>('0' + (head.status / 10) % 10),
                   static_cast<char>('0' + head.status % 10),
                   ' '};
  out->append(line, sizeof line);
  out->append(ReasonPhrase(head.status));
  out->append("\r\n");
  AppendField("Server", "archivum", out);
  AppendField("Content-Type", head.content_type, out);
  if (head.media) {
    AppendField("X-Content-Type-Options", "nosniff", out);
    AppendField("Content-Security-Policy", "default-src 'none'", out);
    AppendField("Cache-Control", "private, no-cache", out);
  }
  out->append(head.extra_fields);
  if (!head.allow.empty()) AppendField("Allow", head.allow, out);
  if (!head.challenge.empty()) AppendField("WWW-Authenticate", head.challenge, out);
  if (head.version < 11 && head.keep_alive) AppendField("Connection", "keep-alive", out);
  if (head.version >= 11 && !head.keep_alive) AppendField("Connection", "close", out);
  char length[24];
  const auto end = std::to_chars(length, length + sizeof length, head.content_length).ptr;
  AppendField("Content-Length", std::string_view(length, static_cast<size_t>(end - length)), out);
  out->append("\r\n");
}

}  // namespace archivum::api::gateway
