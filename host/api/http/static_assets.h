// The files the gateway serves as they are (the browser UI, the API explorer, /openapi.json):
// path → bytes, type, strong ETag, optional gzip copy, and the security headers of the page.
//
// Paths served (GET and HEAD only, without a token even when tokens are on, since the page is
// what asks the user for the token and every /v1 call still needs it):
//   /ui/<file>                         the UI's files (ui/ in the source tree)
//   /, /doc, /duplicates, /plugins, /ingest
//                                      the UI's pages: all ui/index.html, which routes itself
//   /docs, /docs/<file>                the API explorer (Swagger UI) and its initializer
//   /openapi.json                      the API's description (openapi.h), built on first use
//
// Responses (Respond): 200 with the bytes (or only the head for HEAD); 304 when If-None-Match
// names the representation's ETag (or is "*"); the gzip copy with `Content-Encoding: gzip` when
// Accept-Encoding admits gzip; `Vary: Accept-Encoding` whenever a gzip copy exists;
// `Cache-Control: no-cache` (a browser revalidates with the ETag, so a new daemon's files are
// never stale); on every answer the Content-Security-Policy of the page and nosniff,
// no-referrer and DENY framing.
//
// Ownership: a StaticAssets refers to the embedded tables (static storage) and owns the
// generated documents. Thread safety: immutable after construction except the lazily built
// /openapi.json, which is built once under a std::once_flag; every method is safe to call
// concurrently.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/embedded_asset.h"

namespace archivum::api::gateway {

// One representation set of a served file.
struct StaticFile {
  std::string_view content_type;
  std::string_view bytes;
  std::string_view gzip;  // empty when there is no compressed copy
  std::string etag;       // quoted strong ETag of `bytes`
  std::string gzip_etag;  // quoted strong ETag of `gzip` (a different representation)
  std::string_view csp;   // Content-Security-Policy of this page
};

// What to write for one asset request: the fields after Content-Type (each "Name: value\r\n"),
// the status, and the body bytes (empty for HEAD and 304; `content_length` is what a GET's
// body has, which HEAD announces).
struct AssetReply {
  unsigned status = 200;
  std::string_view content_type;
  std::string fields;
  std::string_view body;
  uint64_t content_length = 0;
};

class StaticAssets {
 public:
  // The embedded sets (embedded_asset.h) and /openapi.json, which `make_openapi` builds on its
  // first request (it must be safe to call from any thread once and must return JSON).
  explicit StaticAssets(std::function<std::string()> make_openapi);

  // The file served at `path` (without query), or null.
  const StaticFile* Find(std::string_view path) const;

  // The reply to `verb` (GET or HEAD) for `file` with the request's `headers`.
  static AssetReply Respond(const StaticFile& file, boost::beast::http::verb verb,
                            const boost::beast::http::fields& headers);

  // The paths served, sorted (for tests and the OpenAPI document).
  std::vector<std::string> Paths() const;

 private:
  void AddSet(const EmbeddedAssetSet& set, std::string_view csp);

  std::map<std::string, StaticFile, std::less<>> files_;
  // /openapi.json, built on first use.
  std::function<std::string()> make_openapi_;
  mutable std::once_flag openapi_once_;
  mutable std::string openapi_json_;
  mutable std::string openapi_gzip_;
  mutable StaticFile openapi_;
};

// The Content-Security-Policy of the UI's pages and of the API explorer (see static_assets.cc).
extern const std::string_view kUiContentSecurityPolicy;
extern const std::string_view kExplorerContentSecurityPolicy;

}  // namespace archivum::api::gateway
