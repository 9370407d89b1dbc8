// The real daemon's web surface with tokens on: the UI's files and the API explorer compiled in
// and served without a token (while /v1 still needs one), with their types, ETags, gzip copies and
// security headers; /openapi.json validated by a real OpenAPI 3.1 validator and matching what the
// API really answers; /docs in a real browser (headless chromium), Authorize and Try it out.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace archivum::web_daemon_test {
namespace {

namespace fs = std::filesystem;
namespace ht = http_testing;
using nlohmann::json;

constexpr char kToken[] = "web-suite-token-4f2a";
constexpr char kUiCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// gunzip of `data`; empty with *ok false if it is not one complete gzip stream.
std::string Gunzip(const std::string& data, bool* ok) {
  z_stream z{};
  *ok = false;
  if (inflateInit2(&z, 15 + 16) != Z_OK) return {};
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  char buf[65536];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  *ok = rc == Z_STREAM_END && z.avail_in == 0;
  return out;
}

// What the UI's files are served as, by extension.
std::string ExpectedType(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "(unexpected extension)" : it->second;
}

class WebDaemonTest : public ::testing::Test {
 protected:
  struct Suite {
    testing::TempDir dir;
    std::unique_ptr<testing::Daemon> daemon;
    std::string error;
  };

  static void SetUpTestSuite() {
    suite_ = new Suite;
    testing::WriteFile(suite_->dir.path() / "tokens.txt", std::string(kToken) + "\n");
    testing::DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.extra_yaml =
        "auth:\n  tokens_file: \"" + (suite_->dir.path() / "tokens.txt").string() + "\"\n";
    suite_->daemon = testing::Daemon::Start(opts, &suite_->error);
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(suite_->daemon, nullptr) << suite_->error; }

  static const testing::Daemon& daemon() { return *suite_->daemon; }

  static ht::Response Get(const std::string& target,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    beast_error_ = {};
    return ht::Fetch(daemon().http_address(),
                     ht::MakeRequest(ht::http::verb::get, target, "", "", std::move(headers)),
                     &beast_error_);
  }
  static ht::Response Authorized(ht::http::verb verb, const std::string& target,
                                 std::string body = {}) {
    return ht::Fetch(daemon().http_address(),
                     ht::MakeRequest(verb, target, std::move(body), "application/json",
                                     {{"Authorization", std::string("Bearer ") + kToken}}));
  }
  static std::string Header(const ht::Response& r, std::string_view name) {
    return std::string(r[ht::beast::string_view(name.data(), name.size())]);
  }

  static Suite* suite_;
  static inline ht::beast::error_code beast_error_;
};

WebDaemonTest::Suite* WebDaemonTest::suite_ = nullptr;

TEST_F(WebDaemonTest, PagesAndFilesAreServedWithoutATokenWithTheirTypesAndSecurityHeaders) {
  const fs::path ui = fs::path(ARCHIVUM_SOURCE_DIR) / "ui";
  const std::string index = ReadFile(ui / "index.html");
  ASSERT_FALSE(index.empty());
  for (const std::string page :
       {"/", "/?q=whale", "/doc?path=/x", "/duplicates", "/plugins", "/ingest"}) {
    ht::Response r = Get(page);
    ASSERT_EQ(r.result_int(), 200) << page << ": " << r.body();
    EXPECT_EQ(r.body(), index) << page;
    EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8") << page;
    EXPECT_EQ(Header(r, "Content-Security-Policy"), kUiCsp) << page;
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff") << page;
    EXPECT_EQ(Header(r, "Referrer-Policy"), "no-referrer") << page;
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY") << page;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache") << page;
  }
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(ui)) {
    if (!entry.is_regular_file() || entry.path().filename() == "index.html") continue;
    const std::string target = "/ui/" + entry.path().filename().string();
    ht::Response r = Get(target);
    ASSERT_EQ(r.result_int(), 200) << target;
    EXPECT_EQ(r.body(), ReadFile(entry.path())) << target;
    EXPECT_EQ(Header(r, "Content-Type"), ExpectedType(entry.path())) << target;
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff") << target;
    ++files;
  }
  (void)files;  // the placeholder UI has index.html only

  // The explorer's page and Swagger UI, from the pinned npm package.
  ht::Response docs = Get("/docs");
  ASSERT_EQ(docs.result_int(), 200);
  EXPECT_NE(docs.body().find("/docs/swagger-ui-bundle.js"), std::string::npos);
  EXPECT_NE(docs.body().find("/docs/explorer.js"), std::string::npos);
  EXPECT_EQ(docs.body().find("<script>"), std::string::npos);  // no inline script
  ht::Response bundle = Get("/docs/swagger-ui-bundle.js");
  ASSERT_EQ(bundle.result_int(), 200);
  EXPECT_EQ(bundle.body(), ReadFile(fs::path(ARCHIVUM_SOURCE_DIR) /
                                    "node_modules/swagger-ui-dist/swagger-ui-bundle.js"));
  EXPECT_EQ(Header(bundle, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/docs/swagger-ui.css").result_int(), 200);

  // Unknown files keep the gateway's JSON 404 for anyone; other methods on a page are refused.
  ht::Response missing = Get("/ui/no-such-file.js");
  EXPECT_EQ(missing.result_int(), 401) << "an unknown path is the API's, which needs the token";
  missing = Authorized(ht::http::verb::get, "/ui/no-such-file.js");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(json::parse(missing.body())["code"], 5);
  ht::Response post = Authorized(ht::http::verb::post, "/docs");
  EXPECT_EQ(post.result_int(), 405);
  EXPECT_EQ(Header(post, "Allow"), "GET, HEAD");
}

TEST_F(WebDaemonTest, TheApiStillNeedsTheTokenThePageAsksFor) {
  EXPECT_EQ(Get("/v1/plugins").result_int(), 401);
  EXPECT_EQ(Get("/v1/plugins", {{"Authorization", "Bearer wrong-token"}}).result_int(), 401);
  EXPECT_EQ(Authorized(ht::http::verb::get, "/v1/plugins").result_int(), 200);
  // POST /ingest is the API's (the original design's route); GET /ingest is the UI's page.
  EXPECT_EQ(ht::Fetch(daemon().http_address(),
                      ht::MakeRequest(ht::http::verb::post, "/ingest", R"({"path":"/"})"))
                .result_int(),
            401);
  EXPECT_EQ(Get("/ingest").result_int(), 200);
}

TEST_F(WebDaemonTest, ETagsRevalidateAndGzipCopiesDecompressToTheFile) {
  const std::string target = "/docs/swagger-ui.css";
  const std::string original =
      ReadFile(fs::path(ARCHIVUM_SOURCE_DIR) / "node_modules/swagger-ui-dist/swagger-ui.css");
  ht::Response plain = Get(target);
  ASSERT_EQ(plain.result_int(), 200);
  const std::string etag = Header(plain, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');  // strong
  EXPECT_EQ(Header(plain, "Vary"), "Accept-Encoding");
  EXPECT_EQ(Header(plain, "Content-Encoding"), "");

  ht::Response again = Get(target, {{"If-None-Match", etag}});
  EXPECT_EQ(again.result_int(), 304);
  EXPECT_TRUE(again.body().empty());
  EXPECT_EQ(Header(again, "ETag"), etag);
  EXPECT_EQ(Get(target, {{"If-None-Match", "\"other\", W/" + etag}}).result_int(), 304);
  EXPECT_EQ(Get(target, {{"If-None-Match", "\"0123\""}}).result_int(), 200);

  ht::Response gz = Get(target, {{"Accept-Encoding", "br, gzip;q=0.8"}});
  ASSERT_EQ(gz.result_int(), 200);
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_LT(gz.body().size(), original.size());
  bool ok = false;
  EXPECT_EQ(Gunzip(gz.body(), &ok), original);
  EXPECT_TRUE(ok);
  const std::string gz_etag = Header(gz, "ETag");
  EXPECT_NE(gz_etag, etag);  // another representation, another strong validator
  EXPECT_EQ(Get(target, {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_etag}}).result_int(),
            304);
  // gzip refused by q=0 gives the plain bytes.
  ht::Response refused = Get(target, {{"Accept-Encoding", "gzip;q=0, *"}});
  EXPECT_EQ(Header(refused, "Content-Encoding"), "");
  EXPECT_EQ(refused.body(), original);

  // HEAD: the GET's head, no body.
  ht::HttpConnection conn(daemon().http_address());
  ASSERT_TRUE(conn.ok());
  ASSERT_FALSE(
      conn.WriteRaw("HEAD " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string raw = conn.ReadUntilClosed();
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("Content-Length: " + std::to_string(original.size()) + "\r\n"),
            std::string::npos)
      << raw;
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "");
}

TEST_F(WebDaemonTest, OpenApiDocumentIsValidAndDescribesWhatTheApiAnswers) {
  ht::Response r = Get("/openapi.json", {{"Accept-Encoding", "identity"}});
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  const json doc = json::parse(r.body());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");

  // A real OpenAPI 3.1 validator (node, the pinned @seriousme/openapi-schema-validator).
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() / "openapi.json", r.body());
  std::string output;
  const int rc = testing::RunProcess(
      {ARCHIVUM_NODE,
       (fs::path(ARCHIVUM_SOURCE_DIR) / "tests/browser/openapi_validate.mjs").string(),
       (tmp.path() / "openapi.json").string()},
      &output);
  EXPECT_EQ(rc, 0) << output;

  // The schema of IngestSummary as the gateway really encodes it: every field of a real reply is
  // described, 64-bit counters as strings.
  testing::WriteFile(daemon().dir() / "corpus/a.txt", "An apple a day.\n");
  ht::Response ingest = Authorized(ht::http::verb::post, "/v1/ingest",
                                   json{{"path", (daemon().dir() / "corpus").string()}}.dump());
  ASSERT_EQ(ingest.result_int(), 200) << ingest.body();
  const json& summary = doc["components"]["schemas"]["aichemist_archivum.IngestSummary"];
  ASSERT_TRUE(summary.is_object());
  const json reply = json::parse(ingest.body());
  for (const auto& [key, value] : reply.items()) {
    ASSERT_TRUE(summary["properties"].contains(key)) << key;
    const json& type = summary["properties"][key]["type"];
    if (value.is_string()) {
      EXPECT_EQ(type, "string") << key;
    } else if (value.is_array()) {
      EXPECT_EQ(type, "array") << key;
    } else if (value.is_boolean()) {
      EXPECT_EQ(type, "boolean") << key;
    }
  }
  EXPECT_EQ(summary["properties"]["filesIngested"]["format"], "uint64");
  // The ingest reply's JSON operation and the error component it refers to.
  const json& op = doc["paths"]["/v1/ingest"]["post"];
  EXPECT_EQ(op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/aichemist_archivum.IngestRequest");
  EXPECT_EQ(op["responses"]["403"]["$ref"], "#/components/responses/Error");
  EXPECT_TRUE(op["responses"].contains("401"));
  EXPECT_EQ(doc["paths"]["/v1/ingest_stream"]["post"]["responses"]["200"]["content"].begin().key(),
            "application/x-ndjson");
  // The proto's comments became descriptions.
  EXPECT_NE(op["description"].get<std::string>().find("regular file"), std::string::npos)
      << op["description"];
}

TEST_F(WebDaemonTest, ApiExplorerWorksInARealBrowserWithTheToken) {
  const fs::path screenshots = fs::path(ARCHIVUM_BROWSER_SCREENSHOTS);
  fs::create_directories(screenshots);
  testing::ProcessOptions options;
  options.merge_stderr = true;
  options.timeout = std::chrono::minutes(3);
  const testing::ProcessResult result = testing::RunProcess(
      {ARCHIVUM_NODE, (fs::path(ARCHIVUM_SOURCE_DIR) / "tests/browser/docs_check.mjs").string(),
       "--url", "http://" + daemon().http_address(), "--token", kToken, "--screenshot",
       (screenshots / "docs.png").string()},
      options);
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_TRUE(fs::exists(screenshots / "docs.png"));
}

}  // namespace
}  // namespace archivum::web_daemon_test
