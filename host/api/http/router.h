// Maps (HTTP method, path) to what answers it, derived from the service's descriptor, so an RPC
// added to the proto is reachable over HTTP without new routing code.
//
// Routes, for every method M of the service:
//   POST /v1/<snake_case(M)>            (e.g. /v1/ingest_stream)
//   GET  /v1/<snake_case(M)>            unary methods only, except those the proto marks
//                                       `idempotency_level = IDEMPOTENT` (they change state, and
//                                       a GET must not); the request comes from the query
//   POST /<package>.<Service>/<M>       the unbound form (e.g.
//   /aichemist_archivum.FileManager/Analyze)
// plus a small table of aliases (each names a method that must exist in the descriptor):
//   POST /ingest, POST /analyze          the original design's routes (/ingest adds "status":"ok")
//   GET  /v1/plugins, GET /v1/documents  REST-ish names for ListPlugins and GetDocument
//   GET, DELETE /v1/quarantine           ListQuarantine and ClearQuarantine (DELETE takes its
//                                       filters from the query: ?plugin=NAME&sha256=HEX)
//   GET  /v1/thumbnail, GET /v1/content  GetThumbnail's image and GetContent's bytes themselves
// and the built-ins GET /healthz, GET /readyz and GET /metrics (Prometheus, metrics/metrics.h).
//
// Thread safety: immutable after construction; Match is safe to call concurrently.
#pragma once

#include <google/protobuf/descriptor.h>

#include <boost/beast/http/verb.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::api::gateway {

struct Route {
  enum class Kind {
    kRpc,               // call `method`
    kHealthz,           // GET /healthz
    kReadyz,            // GET /readyz
    kMetrics,           // GET /metrics
    kNotFound,          // no such path
    kMethodNotAllowed,  // path exists; `allow` lists its methods
  };
  Kind kind = Kind::kNotFound;
  const google::protobuf::MethodDescriptor* method = nullptr;  // kRpc only; owned by the pool
  bool from_query = false;   // the request message comes from the query string (GET)
  bool seed_status = false;  // the response object gains "status":"ok" (the seed's POST /ingest)
  // The reply is the response's `data` bytes served as its `mime`, not JSON (GET /v1/thumbnail);
  // for a server stream of ContentChunk, the chunks' bytes as a download (GET /v1/content).
  bool media = false;
  std::string allow;  // kMethodNotAllowed: "GET, POST"
};

// "IngestStream" → "ingest_stream", "GetHTTPHeader" → "get_http_header".
std::string SnakeCase(std::string_view camel);

class Router {
 public:
  // `service` must outlive the router (descriptors from the generated pool live forever).
  explicit Router(const google::protobuf::ServiceDescriptor* service);

  // `path` is the request target without its query string.
  Route Match(boost::beast::http::verb verb, std::string_view path) const;

  // Every (method, path) served, for logs and tests: "GET /v1/plugins".
  std::vector<std::string> Describe() const;

 private:
  struct Entry {
    boost::beast::http::verb verb;
    Route route;
  };
  void Add(std::string path, boost::beast::http::verb verb, Route route);

  std::map<std::string, std::vector<Entry>, std::less<>> routes_;
};

}  // namespace archivum::api::gateway
