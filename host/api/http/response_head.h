// The head of the gateway's JSON replies, written straight into a string instead of through
// beast::http::response and its serializer: the hot path answers every request with one, and
// building a field list (an allocation per field) then serializing it cost more than the rest
// of the reply's writing.
//
// The bytes are exactly those Beast's serializer writes for the equivalent beast::http::response
// (status line with Beast's reason phrases, then the fields in this order, each present only
// when it applies):
//   Server: archivum / Content-Type / [media fields] / [extra fields] / Allow / WWW-Authenticate /
//   Connection / Content-Length
// where Connection is what message::keep_alive() sets on an empty field list: "close" for an
// HTTP/1.1 reply that ends the connection, "keep-alive" for an HTTP/1.0 one that does not, absent
// otherwise. tests/api/http/response_head_test.cc compares the two for every status and shape used.
//
// Pure functions; reentrant; none throws except std::bad_alloc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace archivum::api::gateway {

struct ReplyHead {
  unsigned version = 11;  // the request's: 10 for HTTP/1.0, 11 for HTTP/1.1
  unsigned status = 200;  // 100-999
  bool keep_alive = true;
  std::string_view content_type = "application/json";
  std::string_view allow;      // omitted if empty
  std::string_view challenge;  // WWW-Authenticate; omitted if empty
  // More fields, each "Name: value\r\n", written after Content-Type (and the media fields).
  std::string_view extra_fields;
  // A media reply (an image the API serves as such): adds X-Content-Type-Options: nosniff,
  // Content-Security-Policy: default-src 'none' and Cache-Control: private, no-cache after
  // Content-Type, so the bytes are never sniffed or run as a page from the daemon's origin.
  bool media = false;
  uint64_t content_length = 0;
};

// The reason phrase of a reply: Beast's for the status, but "Client Closed Request" for 499
// (grpc-gateway's CANCELLED mapping, which Beast does not name).
std::string_view ReasonPhrase(unsigned status);

// Appends "NAME: VALUE\r\n" to `out`. The caller guarantees both are valid field text (no CR or
// LF); nothing is checked or escaped.
void AppendField(std::string_view name, std::string_view value, std::string* out);

// Appends the head (status line, fields and the blank line) to `out`.
void AppendReplyHead(const ReplyHead& head, std::string* out);

}  // namespace archivum::api::gateway
