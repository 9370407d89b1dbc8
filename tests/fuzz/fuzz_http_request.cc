// libFuzzer harness: the JSON/HTTP gateway's path from request bytes to the request message,
// without sockets.
//
// The input is a raw HTTP/1.1 request. It goes through Beast's parser with the gateway's kind of
// limits, then what a session does with a complete request: route lookup, the call context from
// the headers (Grpc-Timeout, metadata), and the request message from the query string (GET) or
// the JSON body (POST); for the upload route, the name parameter.
//
// Contracts checked beyond "no crash, no sanitizer report": MakeCallContext fails only with
// INVALID_ARGUMENT; a refused body is answered 400 or 415 with a google.rpc.Status that is valid
// JSON; an accepted request message survives the protobuf wire format (so its strings are valid
// UTF-8, as proto3 requires) and prints as JSON that parses back to the same message. A broken
// contract aborts.
#include <google/protobuf/util/message_differencer.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aichemist_archivum.pb.h"
#include "api/http/call_metadata.h"
#include "api/http/json_mapping.h"
#include "api/http/query_params.h"
#include "api/http/router.h"
#include "api/http/rpc_call.h"
#include "api/http/service_binding.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace gw = archivum::api::gateway;
using archivum::StatusCode;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

const gw::Router& TheRouter() {
  static const gw::Router router(
      ::aichemist_archivum::IngestRequest::descriptor()->file()->FindServiceByName("FileManager"));
  return router;
}

// Feeds `bytes` to `parser` as a connection would deliver them; true if a whole request parsed.
bool ParseRequest(std::string_view bytes, http::request_parser<http::string_body>* parser) {
  beast::error_code ec;
  boost::asio::const_buffer rest(bytes.data(), bytes.size());
  while (rest.size() > 0 && !parser->is_done()) {
    const size_t used = parser->put(rest, ec);
    if (ec == http::error::need_more) return false;  // a client still sending: nothing to map
    if (ec) return false;  // malformed: the session answers 400/413/431 before any mapping
    if (used == 0) return false;
    rest += used;
  }
  if (!parser->is_done()) {
    // As Beast's read algorithms do: end of input completes a message only once it has begun.
    if (!parser->got_some()) return false;
    parser->put_eof(ec);
    if (ec) return false;
  }
  return parser->is_done();
}

void CheckRefusal(const gw::JsonReply& reply) {
  if (reply.status != 400 && reply.status != 415) {
    Fail("a malformed request was answered " + std::to_string(reply.status));
  }
  if (!nlohmann::json::accept(reply.body)) Fail("error body is not JSON: " + reply.body);
}

void CheckRequestMessage(const google::protobuf::Message& request) {
  std::string wire;
  if (!request.SerializeToString(&wire)) Fail("request message does not serialize");
  std::unique_ptr<google::protobuf::Message> decoded(request.New());
  if (!decoded->ParseFromString(wire)) {
    Fail("request message does not survive the wire format (invalid UTF-8 in a string?): " +
         request.ShortDebugString());
  }
  auto json = gw::PrintJson(request);
  if (!json.ok()) Fail("request message does not print: " + json.status().ToString());
  std::unique_ptr<google::protobuf::Message> again(request.New());
  if (const auto st = gw::ParseJsonBody(*json, again.get()); !st.ok()) {
    Fail("printed JSON does not parse back: " + st.ToString() + " in " + *json);
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(request, *again)) {
    Fail("JSON round trip changed the message: " + *json);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  if (!ParseRequest(std::string_view(reinterpret_cast<const char*>(data), size), &parser)) {
    return 0;
  }
  const auto& req = parser.get();

  auto ctx = gw::MakeCallContext(req.base(), {}, std::chrono::system_clock::now());
  if (!ctx.ok() && ctx.status().code() != StatusCode::kInvalidArgument) {
    Fail("MakeCallContext failed with " + ctx.status().ToString());
  }

  const std::string_view target(req.target().data(), req.target().size());
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string query(q == std::string_view::npos ? "" : target.substr(q + 1));
  const gw::Route route = TheRouter().Match(req.method(), path);
  if (route.kind != gw::Route::Kind::kRpc) return 0;
  if (route.method->client_streaming()) {
    // The upload route takes only its name from the request line; the body is the document.
    (void)gw::FindQueryParam(query, "name");
    return 0;
  }

  auto request = gw::NewMessage(route.method->input_type());
  if (!request) Fail("no message type for " + route.method->full_name());
  const gw::HttpCallInput input{query, std::string(req[http::field::content_type]), req.body()};
  if (auto refusal = gw::BuildRequest(route, input, request.get())) {
    CheckRefusal(*refusal);
    return 0;
  }
  CheckRequestMessage(*request);
  return 0;
}
