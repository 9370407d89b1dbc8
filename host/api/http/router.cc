#include "api/http/router.h"

#include <google/protobuf/descriptor.pb.h>

#include "common/ascii.h"

namespace archivum::api::gateway {
namespace {

namespace http = boost::beast::http;
using google::protobuf::MethodDescriptor;

// The REST-ish and original-design names. Method names refer to the descriptor; an alias whose
// method is absent from the proto is simply not served.
struct Alias {
  const char* path;
  http::verb verb;
  const char* method;
  bool seed_status;
  bool media = false;  // see Route::media
};
// GET and DELETE aliases take their request from the query string, others from the body.
constexpr Alias kAliases[] = {
    {"/ingest", http::verb::post, "Ingest", true},
    {"/analyze", http::verb::post, "Analyze", false},
    {"/v1/plugins", http::verb::get, "ListPlugins", false},
    {"/v1/documents", http::verb::get, "GetDocument", false},
    {"/v1/quarantine", http::verb::get, "ListQuarantine", false},
    {"/v1/quarantine", http::verb::delete_, "ClearQuarantine", false},
    {"/v1/watch", http::verb::get, "GetWatchStatus", false},
    // The image itself, for <img src>; GET /v1/get_thumbnail answers with JSON as usual.
    {"/v1/thumbnail", http::verb::get, "GetThumbnail", false, true},
    // The content as a download (a server stream of ContentChunk, written as raw bytes); POST
    // /v1/get_content streams it as NDJSON as usual.
    {"/v1/content", http::verb::get, "GetContent", false, true},
};

bool IsUnary(const MethodDescriptor* m) {
  return !m->client_streaming() && !m->server_streaming();
}

// Whether GET /v1/<method> is served: for unary methods, except those that change state (marked
// IDEMPOTENT in the proto), which a link, a prefetch or another site's <img> must not trigger.
bool ServedOverGet(const MethodDescriptor* m) {
  return IsUnary(m) &&
         m->options().idempotency_level() != google::protobuf::MethodOptions::IDEMPOTENT;
}

Route RpcRoute(const MethodDescriptor* m, bool from_query, bool seed_status) {
  Route r;
  r.kind = Route::Kind::kRpc;
  r.method = m;
  r.from_query = from_query;
  r.seed_status = seed_status;
  return r;
}

}  // namespace

std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (!AsciiIsUpper(c)) {
      out.push_back(c);
      continue;
    }
    // A boundary before an upper-case letter that ends a lower-case run ("tS" in IngestStream)
    // or starts a word after an acronym ("PH" + "e" in HTTPHeader).
    const bool after_lower = i > 0 && (AsciiIsLower(camel[i - 1]) || AsciiIsDigit(camel[i - 1]));
    const bool acronym_end = i > 0 && AsciiIsUpper(camel[i - 1]) && i + 1 < camel.size() &&
                             camel[i + 1] >= 'a' && camel[i + 1] <= 'z';
    if (after_lower || acronym_end) out.push_back('_');
    out.push_back(AsciiLower(c));
  }
  return out;
}

Router::Router(const google::protobuf::ServiceDescriptor* service) {
  Route healthz;
  healthz.kind = Route::Kind::kHealthz;
  Add("/healthz", http::verb::get, healthz);
  Route readyz;
  readyz.kind = Route::Kind::kReadyz;
  Add("/readyz", http::verb::get, readyz);
  Route metrics;
  metrics.kind = Route::Kind::kMetrics;
  Add("/metrics", http::verb::get, metrics);

  for (int i = 0; i < service->method_count(); ++i) {
    const MethodDescriptor* m = service->method(i);
    const std::string v1 = "/v1/" + SnakeCase(m->name());
    Add(v1, http::verb::post, RpcRoute(m, false, false));
    if (ServedOverGet(m)) Add(v1, http::verb::get, RpcRoute(m, true, false));
    Add("/" + service->full_name() + "/" + m->name(), http::verb::post, RpcRoute(m, false, false));
  }
  for (const Alias& a : kAliases) {
    const MethodDescriptor* m = service->FindMethodByName(a.method);
    if (m == nullptr) continue;
    const bool from_query = a.verb == http::verb::get || a.verb == http::verb::delete_;
    Route route = RpcRoute(m, from_query, a.seed_status);
    route.media = a.media;
    Add(a.path, a.verb, std::move(route));
  }
}

void Router::Add(std::string path, http::verb verb, Route route) {
  routes_[std::move(path)].push_back(Entry{verb, std::move(route)});
}

Route Router::Match(http::verb verb, std::string_view path) const {
  const auto it = routes_.find(path);
  if (it == routes_.end()) return Route{};
  std::string allow;
  for (const Entry& e : it->second) {
    if (e.verb == verb) return e.route;
    if (!allow.empty()) allow += ", ";
    allow += std::string(http::to_string(e.verb));
  }
  Route r;
  r.kind = Route::Kind::kMethodNotAllowed;
  r.allow = std::move(allow);
  return r;
}

std::vector<std::string> Router::Describe() const {
  std::vector<std::string> out;
  for (const auto& [path, entries] : routes_) {
    for (const Entry& e : entries) out.push_back(std::string(http::to_string(e.verb)) + " " + path);
  }
  return out;
}

}  // namespace archivum::api::gateway
