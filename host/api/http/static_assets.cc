#include "api/http/static_assets.h"

#include <zlib.h>

#include <algorithm>
#include <boost/beast/http/rfc7230.hpp>
#include <optional>
#include <stdexcept>

#include "api/http/response_head.h"
#include "common/ascii.h"
#include "common/sha256.h"

namespace archivum::api::gateway {

namespace http = boost::beast::http;

// The UI's pages: scripts, styles and fetches only from the daemon itself, no inline script or
// style, images also from data: and blob: URLs (thumbnails and icons), forms only to the daemon,
// and never framed (clickjacking).
const std::string_view kUiContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// The API explorer: the same, without blob: images (Swagger UI has none). Swagger UI 5 needs no
// inline script or style (React sets its styles through the CSSOM, which style-src does not
// govern); tests/browser/docs_check.mjs fails on any violation.
const std::string_view kExplorerContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

namespace {

// The UI's pages, each served as ui/index.html (the page routes itself by its path).
constexpr std::string_view kUiPages[] = {"/", "/doc", "/duplicates", "/plugins", "/ingest"};

std::string Quoted(std::string_view hex, std::string_view suffix) {
  // 128 bits of the SHA-256 tell every version of a file apart.
  return "\"" + std::string(hex.substr(0, 32)) + std::string(suffix) + "\"";
}

std::string_view View(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// gzip (RFC 1952) of `data` at the best compression. Throws std::runtime_error if zlib fails,
// which for a valid stream happens only when out of memory.
std::string Gzip(std::string_view data) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
  out.resize(written);
  return out;
}

// Whether the q-value of a content coding is zero ("not acceptable"): "0", "0.", "0.0"...
bool ZeroQ(std::string_view q) {
  if (q.empty() || q[0] != '0') return false;
  for (size_t i = 1; i < q.size(); ++i) {
    if (q[i] != '.' && q[i] != '0') return false;
  }
  return true;
}

// Whether Accept-Encoding (RFC 9110 §12.5.3) admits gzip: named ("gzip" or "x-gzip") with a
// non-zero q, or not named and "*" admitted.
bool AcceptsGzip(std::string_view header) {
  std::optional<bool> named;
  bool star = false;
  for (const auto& coding :
       http::ext_list{boost::beast::string_view(header.data(), header.size())}) {
    const std::string name = AsciiLower(std::string_view(coding.first.data(), coding.first.size()));
    bool acceptable = true;
    for (const auto& param : coding.second) {
      if (EqualsIgnoreAsciiCase(std::string_view(param.first.data(), param.first.size()), "q"))
        acceptable = !ZeroQ(std::string_view(param.second.data(), param.second.size()));
    }
    if (name == "gzip" || name == "x-gzip") named = acceptable;
    if (name == "*") star = acceptable;
  }
  return named.value_or(star);
}

// Whether If-None-Match (RFC 9110 §13.1.2) names `etag`, by weak comparison, or is "*".
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace

StaticAssets::StaticAssets(std::function<std::string()> make_openapi)
    : make_openapi_(std::move(make_openapi)) {
  AddSet(kUiAssets, kUiContentSecurityPolicy);
  AddSet(kSwaggerUiAssets, kExplorerContentSecurityPolicy);
  AddSet(kExplorerAssets, kExplorerContentSecurityPolicy);
  if (const auto index = files_.find("/ui/index.html"); index != files_.end()) {
    const StaticFile page = index->second;
    files_.erase(index);  // served at the pages' paths, not as a file of its own
    for (std::string_view path : kUiPages) files_.emplace(std::string(path), page);
  }
  if (const auto index = files_.find("/docs/index.html"); index != files_.end()) {
    const StaticFile page = index->second;
    files_.erase(index);
    files_.emplace("/docs", page);
  }
  openapi_.content_type = "application/json";
  openapi_.csp = "default-src 'none'; frame-ancestors 'none'";
}

void StaticAssets::AddSet(const EmbeddedAssetSet& set, std::string_view csp) {
  for (size_t i = 0; i < set.count; ++i) {
    const EmbeddedAsset& a = set.assets[i];
    StaticFile f;
    f.content_type = a.content_type;
    f.bytes = View(a.data, a.size);
    if (a.gzip != nullptr) f.gzip = View(a.gzip, a.gzip_size);
    f.etag = Quoted(a.sha256, "");
    f.gzip_etag = Quoted(a.sha256, "-gzip");
    f.csp = csp;
    files_.emplace(a.path, std::move(f));
  }
}

const StaticFile* StaticAssets::Find(std::string_view path) const {
  if (path == "/openapi.json" && make_openapi_) {
    std::call_once(openapi_once_, [this] {
      openapi_json_ = make_openapi_();
      openapi_gzip_ = Gzip(openapi_json_);
      const std::string hex = Sha256Hex(openapi_json_);
      openapi_.bytes = openapi_json_;
      openapi_.gzip = openapi_gzip_;
      openapi_.etag = Quoted(hex, "");
      openapi_.gzip_etag = Quoted(hex, "-gzip");
    });
    return &openapi_;
  }
  const auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::vector<std::string> StaticAssets::Paths() const {
  std::vector<std::string> out;
  for (const auto& [path, file] : files_) out.push_back(path);
  if (make_openapi_) out.push_back("/openapi.json");
  std::sort(out.begin(), out.end());
  return out;
}

AssetReply StaticAssets::Respond(const StaticFile& file, http::verb verb,
                                 const http::fields& headers) {
  const auto header = [&](http::field f) {
    const auto v = headers[f];
    return std::string_view(v.data(), v.size());
  };
  const bool gzip = !file.gzip.empty() && AcceptsGzip(header(http::field::accept_encoding));
  const std::string_view bytes = gzip ? file.gzip : file.bytes;
  const std::string& etag = gzip ? file.gzip_etag : file.etag;

  AssetReply reply;
  reply.content_type = file.content_type;
  reply.content_length = bytes.size();
  std::string& f = reply.fields;
  AppendField("ETag", etag, &f);
  AppendField("Cache-Control", "no-cache", &f);
  if (!file.gzip.empty()) AppendField("Vary", "Accept-Encoding", &f);
  AppendField("Content-Security-Policy", file.csp, &f);
  AppendField("X-Content-Type-Options", "nosniff", &f);
  AppendField("Referrer-Policy", "no-referrer", &f);
  AppendField("X-Frame-Options", "DENY", &f);
  if (NoneMatchHits(header(http::field::if_none_match), etag)) {
    reply.status = 304;
    return reply;
  }
  if (gzip) AppendField("Content-Encoding", "gzip", &f);
  if (verb == http::verb::get) reply.body = bytes;
  return reply;
}

}  // namespace archivum::api::gateway
