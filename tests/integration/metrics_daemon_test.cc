// GET /metrics on the real daemon: after real ingests and calls over gRPC and HTTP, the scrape
// reports them; it is authorized like /healthz; promtool accepts it; and a real Prometheus server
// scrapes it with a bearer token until its `up` is 1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/process.h"

extern char** environ;

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using nlohmann::json;

constexpr char kMetricsToken[] = "metrics-test-token-0123456789abcdef";

// One scrape: "name{label="value",...}" (labels sorted by name, as written) → value. Parsing the
// text ourselves keeps the assertions about what a scraper reads.
using ScrapedSamples = std::map<std::string, double>;

ScrapedSamples ParseExposition(const std::string& text) {
  ScrapedSamples out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

// The value of `series`, or -1 when the scrape lacks it.
double MetricValue(const ScrapedSamples& samples, const std::string& series) {
  const auto it = samples.find(series);
  return it == samples.end() ? -1 : it->second;
}

std::string RpcCount(const std::string& method, const std::string& code,
                     const std::string& transport) {
  return "archivum_rpc_duration_seconds_count{code=\"" + code + "\",method=\"" + method +
         "\",transport=\"" + transport + "\"}";
}

// A port nobody listens on right now (bound, then released), for a server we start.
int UnusedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// A child process killed (SIGKILL) and reaped when this goes out of scope.
class SpawnedServer {
 public:
  // Starts argv with stdout and stderr appended to `log`; check pid() > 0.
  SpawnedServer(const std::vector<std::string>& argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~SpawnedServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  SpawnedServer(const SpawnedServer&) = delete;
  SpawnedServer& operator=(const SpawnedServer&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

class MetricsDaemonTest : public ::testing::Test {
 protected:
  // A daemon with tokens, the HTTP gateway, and two fixture plugins in process: good_c, which
  // answers every file, and broken_process, which fails on every file.
  void StartDaemon(bool open_health) {
    tokens_ = tmp_.path() / "tokens.txt";
    testing::WriteFile(tokens_, std::string(kMetricsToken) + "\n");
    fs::permissions(tokens_, fs::perms::owner_read | fs::perms::owner_write);
    testing::DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {fs::path(ARCHIVUM_FIXTURE_DIR) / "good",
                        fs::path(ARCHIVUM_FIXTURE_DIR) / "broken"};
    opts.plugins_yaml = "  isolation: inprocess\n";
    opts.extra_yaml = "auth:\n  tokens_file: \"" + tokens_.string() +
                      "\"\n  open_health: " + (open_health ? "true" : "false") + "\n";
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    corpus_ = daemon_->dir() / "corpus";
    testing::WriteFile(corpus_ / "a.txt", "the lighthouse keeper\n");
    testing::WriteFile(corpus_ / "b.txt", "ships in the harbor\n");
    testing::WriteFile(corpus_ / "sub/c.md", "bees and lights\n");
  }

  ht::Response Get(const std::string& target, bool with_token) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (with_token) headers.emplace_back("Authorization", std::string("Bearer ") + kMetricsToken);
    return ht::Fetch(daemon_->http_address(),
                     ht::MakeRequest(ht::http::verb::get, target, "", "", headers));
  }

  ht::Response Post(const std::string& target, const json& body) {
    return ht::Fetch(daemon_->http_address(),
                     ht::MakeRequest(ht::http::verb::post, target, body.dump(), "application/json",
                                     {{"Authorization", std::string("Bearer ") + kMetricsToken}}));
  }

  grpc::Status Analyze(pb::FileManager::Stub& stub, const std::string& query) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", std::string("Bearer ") + kMetricsToken);
    pb::AnalyzeRequest req;
    req.set_query(query);
    pb::AnalyzeResponse res;
    return stub.Analyze(&ctx, req, &res);
  }

  // Starts a real Prometheus server scraping the daemon's /metrics every second with the token
  // (authorization.credentials_file), listening on prometheus_address_.
  void StartPrometheus() {
    const fs::path config = tmp_.path() / "prometheus.yml";
    testing::WriteFile(config,
                       "global:\n"
                       "  scrape_interval: 1s\n"
                       "  scrape_timeout: 1s\n"
                       "scrape_configs:\n"
                       "  - job_name: archivum\n"
                       "    authorization:\n"
                       "      credentials_file: \"" +
                           tokens_.string() +
                           "\"\n"
                           "    static_configs:\n"
                           "      - targets: [\"" +
                           daemon_->http_address() + "\"]\n");
    const int port = UnusedLoopbackPort();
    ASSERT_GT(port, 0);
    prometheus_address_ = "127.0.0.1:" + std::to_string(port);
    prometheus_log_ = tmp_.path() / "prometheus.log";
    prometheus_ = std::make_unique<SpawnedServer>(
        std::vector<std::string>{ARCHIVUM_PROMETHEUS, "--config.file=" + config.string(),
                                 "--web.listen-address=" + prometheus_address_,
                                 "--storage.tsdb.path=" + (tmp_.path() / "tsdb").string()},
        prometheus_log_);
    ASSERT_GT(prometheus_->pid(), 0);
  }

  // The value of Prometheus' instant query `query`'s first result, or "" while there is none.
  std::string QueryPrometheus(const std::string& query) {
    ht::beast::error_code ec;
    const ht::Response r = ht::Fetch(
        prometheus_address_,
        ht::MakeRequest(ht::http::verb::get, "/api/v1/query?query=" + query, "", ""), &ec);
    if (ec || r.result_int() != 200) return "";
    const json body = json::parse(r.body(), nullptr, false);
    if (body.is_discarded() || body["status"] != "success" || body["data"]["result"].empty()) {
      return "";
    }
    return body["data"]["result"][0]["value"][1].get<std::string>();
  }

  // Polls `query` until it answers `want` (Prometheus scrapes every second, and takes its first
  // targets a few seconds after it starts); returns the last answer.
  std::string WaitForPrometheus(const std::string& query, const std::string& want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string got;
    while ((got = QueryPrometheus(query)) != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }

  std::string PrometheusLog() {
    std::string log;
    testing::RunProcess({"/bin/cat", prometheus_log_.string()}, &log);
    return log;
  }

  ScrapedSamples Scrape() {
    const ht::Response r = Get("/metrics", true);
    EXPECT_EQ(r.result_int(), 200) << r.body();
    EXPECT_EQ(r[ht::http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    last_scrape_ = r.body();
    return ParseExposition(r.body());
  }

  testing::TempDir tmp_;
  fs::path tokens_;
  std::unique_ptr<testing::Daemon> daemon_;
  fs::path corpus_;
  std::string last_scrape_;
  std::string prometheus_address_;
  fs::path prometheus_log_;
  std::unique_ptr<SpawnedServer> prometheus_;  // killed at the end of the test
};

// Also: a real Prometheus server, started first (it takes its targets a few seconds after it
// starts), scrapes the daemon with the token until its `up` is 1 and it has the catalog's count.
TEST_F(MetricsDaemonTest, ReportsIngestsCallsPluginsAndTheProcess) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*open_health=*/false));
  ASSERT_NO_FATAL_FAILURE(StartPrometheus());
  auto stub = pb::FileManager::NewStub(daemon_->channel());

  // An ingest over gRPC (three new files), then the same tree again over HTTP (unchanged).
  pb::IngestSummary first;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", std::string("Bearer ") + kMetricsToken);
    pb::IngestRequest req;
    req.set_path(corpus_.string());
    ASSERT_TRUE(stub->Ingest(&ctx, req, &first).ok());
  }
  ASSERT_EQ(first.files_ingested(), 3u);
  ht::Response again = Post("/v1/ingest", {{"path", corpus_.string()}});
  ASSERT_EQ(again.result_int(), 200) << again.body();
  const json second = json::parse(again.body());

  const ScrapedSamples before = Scrape();
  EXPECT_EQ(MetricValue(before, "archivum_documents"), 3);
  EXPECT_EQ(MetricValue(before, "archivum_ingest_files_total{outcome=\"ingested\"}"),
            static_cast<double>(first.files_ingested()));
  EXPECT_EQ(MetricValue(before, "archivum_ingest_files_total{outcome=\"unchanged\"}"),
            std::stod(second["filesUnchanged"].get<std::string>()));
  EXPECT_EQ(MetricValue(before, "archivum_ingest_files_total{outcome=\"failed\"}"), 0);
  EXPECT_EQ(MetricValue(before, "archivum_ingest_bytes_total"),
            static_cast<double>(first.bytes_ingested()));
  EXPECT_EQ(MetricValue(before, RpcCount("Ingest", "OK", "grpc")), 1);
  EXPECT_EQ(MetricValue(before, RpcCount("Ingest", "OK", "http")), 1);
  EXPECT_EQ(MetricValue(before, "archivum_watch_events_total"), 0);

  // Analyze: two good queries and a malformed one over gRPC, one of each over HTTP.
  ASSERT_TRUE(Analyze(*stub, "lighthouse").ok());
  ASSERT_TRUE(Analyze(*stub, "ext:md").ok());
  EXPECT_EQ(Analyze(*stub, "size>abc").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Post("/v1/analyze", {{"query", "harbor"}}).result_int(), 200);
  EXPECT_EQ(Post("/v1/analyze", {{"query", "size>abc"}}).result_int(), 400);
  // Paths that are no API method are not recorded under any label.
  EXPECT_EQ(Get("/no/such/route", true).result_int(), 404);

  const ScrapedSamples after = Scrape();
  const auto grew = [&](const std::string& series) {
    return MetricValue(after, series) - std::max(0.0, MetricValue(before, series));
  };
  EXPECT_EQ(grew(RpcCount("Analyze", "OK", "grpc")), 2);
  EXPECT_EQ(grew(RpcCount("Analyze", "INVALID_ARGUMENT", "grpc")), 1);
  EXPECT_EQ(grew(RpcCount("Analyze", "OK", "http")), 1);
  EXPECT_EQ(grew(RpcCount("Analyze", "INVALID_ARGUMENT", "http")), 1);
  EXPECT_EQ(last_scrape_.find("/no/such/route"), std::string::npos);
  EXPECT_GT(MetricValue(after,
                        "archivum_rpc_duration_seconds_sum{code=\"OK\",method=\"Analyze\","
                        "transport=\"grpc\"}"),
            0);

  // The plugins: both were called on the three new files; broken_process failed every time.
  EXPECT_GE(MetricValue(after, "archivum_plugin_calls_total{plugin=\"fixture_c\"}"), 3)
      << last_scrape_;
  EXPECT_GE(MetricValue(after, "archivum_plugin_calls_total{plugin=\"broken_process\"}"), 3);
  EXPECT_EQ(
      MetricValue(after, "archivum_plugin_errors_total{kind=\"error\",plugin=\"broken_process\"}"),
      3);
  EXPECT_EQ(
      MetricValue(after, "archivum_plugin_errors_total{kind=\"crash\",plugin=\"broken_process\"}"),
      0);
  EXPECT_EQ(MetricValue(after, "archivum_plugin_errors_total{kind=\"error\",plugin=\"fixture_c\"}"),
            0);
  EXPECT_GE(MetricValue(after, "archivum_plugin_duration_seconds_count{plugin=\"fixture_c\"}"), 3);
  EXPECT_EQ(
      MetricValue(after, "archivum_plugin_duration_seconds_count{plugin=\"fixture_c\"}"),
      MetricValue(after,
                  "archivum_plugin_duration_seconds_bucket{plugin=\"fixture_c\",le=\"+Inf\"}"));

  // The process.
  EXPECT_GT(MetricValue(after, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(MetricValue(after, "process_virtual_memory_bytes"), 1 << 20);
  EXPECT_GT(MetricValue(after, "process_open_fds"), 3);
  EXPECT_GT(MetricValue(after, "process_max_fds"), 0);
  EXPECT_GE(MetricValue(after, "process_cpu_seconds_total"), 0);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double started = MetricValue(after, "process_start_time_seconds");
  EXPECT_LE(started, now + 1);
  EXPECT_GT(started, now - 3600);

  // promtool, the Prometheus project's own checker, accepts the exposition.
  const fs::path scrape = tmp_.path() / "scrape.txt";
  testing::WriteFile(scrape, last_scrape_);
  std::string output;
  EXPECT_EQ(testing::RunProcess(
                {"/bin/sh", "-c",
                 std::string(ARCHIVUM_PROMTOOL) + " check metrics < '" + scrape.string() + "'"},
                &output),
            0)
      << output;

  // Authorization like /healthz: open_health is false here.
  const ht::Response refused = Get("/metrics", false);
  EXPECT_EQ(refused.result_int(), 401);
  EXPECT_EQ(refused[ht::http::field::www_authenticate], "Bearer realm=\"archivum\"");

  ASSERT_EQ(WaitForPrometheus("up", "1"), "1") << PrometheusLog() << "\n" << daemon_->log();
  EXPECT_EQ(WaitForPrometheus("archivum_documents", "3"), "3") << PrometheusLog();
  EXPECT_NE(QueryPrometheus("process_resident_memory_bytes"), "") << PrometheusLog();
}

TEST_F(MetricsDaemonTest, OpenWithoutATokenWhenHealthIsOpen) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*open_health=*/true));
  const ht::Response r = Get("/metrics", false);
  EXPECT_EQ(r.result_int(), 200) << r.body();
  EXPECT_NE(r.body().find("# TYPE archivum_documents gauge"), std::string::npos) << r.body();
  EXPECT_EQ(MetricValue(ParseExposition(r.body()), "archivum_documents"), 0);
  // The API itself still needs the token.
  EXPECT_EQ(Get("/v1/plugins", false).result_int(), 401);
}

}  // namespace
}  // namespace archivum
