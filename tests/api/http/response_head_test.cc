// The direct reply head (response_head.h) against Beast's serializer: for every status the
// gateway answers and every shape of head (HTTP/1.0 and 1.1, keep-alive or not, Allow,
// WWW-Authenticate), the bytes must be those Beast writes for the response the gateway used to
// build with http::response<string_body>.
#include "api/http/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <sstream>
#include <string>

namespace archivum::api::gateway {
namespace {

namespace http = boost::beast::http;

// The reply as Session built it before the direct writer, serialized by Beast.
std::string BeastReply(unsigned version, unsigned status, bool keep, const std::string& allow,
                       const std::string& challenge, const std::string& body) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(status);
  if (status == 499) res.reason("Client Closed Request");
  res.set(http::field::server, "archivum");
  res.set(http::field::content_type, "application/json");
  if (!allow.empty()) res.set(http::field::allow, allow);
  if (!challenge.empty()) res.set(http::field::www_authenticate, challenge);
  res.keep_alive(keep);
  res.body() = body;
  res.prepare_payload();
  http::response_serializer<http::string_body> sr(res);
  std::string out;
  boost::system::error_code ec;
  while (!sr.is_done()) {
    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      out += boost::beast::buffers_to_string(buffers);
      sr.consume(boost::asio::buffer_size(buffers));
    });
    EXPECT_FALSE(ec) << ec.message();
    if (ec) break;
  }
  return out;
}

std::string DirectReply(unsigned version, unsigned status, bool keep, const std::string& allow,
                        const std::string& challenge, const std::string& body) {
  ReplyHead head;
  head.version = version;
  head.status = status;
  head.keep_alive = keep;
  head.allow = allow;
  head.challenge = challenge;
  head.content_length = body.size();
  std::string out = "kept:";  // appended to, not replaced
  AppendReplyHead(head, &out);
  EXPECT_EQ(out.substr(0, 5), "kept:");
  return out.substr(5) + body;
}

TEST(ResponseHeadTest, MatchesBeastForEveryStatusAndShape) {
  const unsigned statuses[] = {200, 400, 401, 403, 404, 405, 409, 413,
                               415, 429, 431, 499, 500, 501, 503, 504};
  const std::string bodies[] = {"", "{}", std::string(70000, 'x')};
  int compared = 0;
  for (unsigned version : {10u, 11u}) {
    for (unsigned status : statuses) {
      for (bool keep : {true, false}) {
        for (const std::string allow : {"", "GET, POST"}) {
          for (const std::string challenge : {"", R"(Bearer realm="archivum")"}) {
            for (const std::string& body : bodies) {
              ASSERT_EQ(DirectReply(version, status, keep, allow, challenge, body),
                        BeastReply(version, status, keep, allow, challenge, body))
                  << "HTTP/" << version << " " << status << " keep=" << keep << " allow='" << allow
                  << "' challenge='" << challenge << "' body " << body.size();
              ++compared;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 16 * 2 * 2 * 2 * 3);
}

TEST(ResponseHeadTest, TheUsualReplyHead) {
  ReplyHead head;
  head.content_length = 42;
  std::string out;
  AppendReplyHead(head, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: archivum\r\nContent-Type: application/json\r\n"
            "Content-Length: 42\r\n\r\n");
}

// An embedded file's head (static_assets.h): its own type and fields, for 200 and 304 (whose
// Content-Length is the representation's, with no body), as Beast writes them.
TEST(ResponseHeadTest, ExtraFieldsFollowTheContentType) {
  for (unsigned version : {10u, 11u}) {
    for (unsigned status : {200u, 304u}) {
      for (bool keep : {true, false}) {
        http::response<http::empty_body> res;
        res.version(version);
        res.result(status);
        res.set(http::field::server, "archivum");
        res.set(http::field::content_type, "text/css; charset=utf-8");
        res.set(http::field::etag, "\"0123abcd\"");
        res.set(http::field::cache_control, "no-cache");
        res.keep_alive(keep);
        res.content_length(1234);
        std::ostringstream beast;
        beast << res.base();

        ReplyHead head;
        head.version = version;
        head.status = status;
        head.keep_alive = keep;
        head.content_type = "text/css; charset=utf-8";
        head.extra_fields = "ETag: \"0123abcd\"\r\nCache-Control: no-cache\r\n";
        head.content_length = 1234;
        std::string direct;
        AppendReplyHead(head, &direct);
        EXPECT_EQ(direct, beast.str()) << "HTTP/" << version << " " << status << " keep=" << keep;
      }
    }
  }
}

TEST(ResponseHeadTest, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(499), "Client Closed Request");
  EXPECT_EQ(ReasonPhrase(504), "Gateway Timeout");
}

}  // namespace
}  // namespace archivum::api::gateway
