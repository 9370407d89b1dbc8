// Live reload (SIGHUP) and systemd notification on the real daemon: what a rewritten config file
// changes on connections opened before the reload, what a broken one does not change, and the
// sd_notify messages a service manager receives on a socket the test listens on.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "health.grpc.pb.h"
#include "security/security_support.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using grpc::health::v1::HealthCheckResponse;
using testing::Daemon;
using testing::DaemonOptions;

constexpr auto kWait = std::chrono::seconds(60);
constexpr char kOldToken[] = "reload-old-token-51c2";
constexpr char kNewToken[] = "reload-new-token-8e07";

std::string Bearer(const std::string& token) {
  return "Bearer " + token;
}

grpc::Status ListPlugins(pb::FileManager::Stub& stub, const std::string& token,
                         pb::ListPluginsResponse* response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kWait);
  ctx.AddMetadata("authorization", Bearer(token));
  return stub.ListPlugins(&ctx, pb::ListPluginsRequest(), response);
}

grpc::Status Analyze(pb::FileManager::Stub& stub, const std::string& token,
                     const std::string& query) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kWait);
  ctx.AddMetadata("authorization", Bearer(token));
  pb::AnalyzeRequest request;
  request.set_query(query);
  pb::AnalyzeResponse response;
  return stub.Analyze(&ctx, request, &response);
}

// name -> state, as ListPlugins reports them.
std::map<std::string, pb::PluginInfo::State> PluginStates(const pb::ListPluginsResponse& r) {
  std::map<std::string, pb::PluginInfo::State> states;
  for (const pb::PluginInfo& p : r.plugins()) states[p.name()] = p.state();
  return states;
}

HealthCheckResponse::ServingStatus Health(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kWait);
  HealthCheckResponse response;
  if (!stub->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &response).ok()) {
    return HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

ht::Request Get(const std::string& target, const std::string& token) {
  return ht::MakeRequest(ht::http::verb::get, target, "", "", {{"Authorization", Bearer(token)}});
}

// One reload and its outcome line; returns whether it was applied.
bool ReloadAndWait(Daemon& daemon) {
  const size_t applied = daemon.CountInLog("reloaded config:");
  const size_t refused = daemon.CountInLog("reload refused:");
  daemon.Reload();
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (daemon.WaitForLogCount("reloaded config:", applied, std::chrono::milliseconds(100))) {
      return true;
    }
    if (daemon.CountInLog("reload refused:") > refused) return false;
  }
  ADD_FAILURE() << "no reload outcome in the log:\n" << daemon.log();
  return false;
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plugins_ = scratch_.path() / "plugins";
    fs::create_directories(plugins_);
    fs::copy_file(fs::path(ARCHIVUM_FIXTURE_DIR) / "good/fixture_good_c.so",
                  plugins_ / "fixture_good_c.so");
    tokens_ = scratch_.path() / "tokens.txt";
    testing::WriteFile(tokens_, std::string(kOldToken) + "\n");
  }

  // The config of the tests' daemon: the fixture plugins in process, tokens, gRPC and HTTP.
  DaemonOptions Options(const std::string& max_query_length, const std::string& log_level) const {
    DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {plugins_};
    opts.plugins_yaml = "  isolation: inprocess\n";
    opts.server_yaml = "  max_query_length: " + max_query_length + "\n";
    opts.log_level = log_level;
    opts.extra_yaml = "auth:\n  tokens_file: \"" + tokens_.string() + "\"\n";
    return opts;
  }

  testing::TempDir scratch_;
  std::string error_;
  fs::path plugins_;
  fs::path tokens_;
};

// One daemon through a good reload and then a broken one: tokens, log level, plugins, a plugin
// setting, a limit and a restart-only key, checked on a gRPC channel and an HTTP keep-alive
// connection opened before the reloads, and an upload in flight across the first.
TEST_F(ReloadTest, AppliesAGoodConfigToOpenConnectionsAndRefusesABrokenOne) {
  std::string error;
  const DaemonOptions before = Options("64", "info");
  auto daemon = Daemon::Start(before, &error);
  ASSERT_NE(daemon, nullptr) << error;
  auto channel = daemon->channel();
  auto stub = pb::FileManager::NewStub(channel);
  ht::HttpConnection http(daemon->http_address());
  ASSERT_TRUE(http.ok()) << http.error().message();

  pb::ListPluginsResponse plugins;
  ASSERT_TRUE(ListPlugins(*stub, kOldToken, &plugins).ok());
  EXPECT_EQ(PluginStates(plugins),
            (std::map<std::string, pb::PluginInfo::State>{{"fixture_c", pb::PluginInfo::LOADED}}));
  EXPECT_EQ(http.RoundTrip(Get("/v1/plugins", kOldToken)).result_int(), 200);
  const std::string query(50, 'q');
  EXPECT_TRUE(Analyze(*stub, kOldToken, query).ok());

  // An upload that has begun (the server holds its spool file) before the reload.
  grpc::ClientContext upload_ctx;
  upload_ctx.AddMetadata("authorization", Bearer(kOldToken));
  upload_ctx.set_deadline(std::chrono::system_clock::now() + kWait);
  pb::IngestSummary upload_summary;
  auto upload = stub->Upload(&upload_ctx, &upload_summary);
  pb::UploadChunk chunk;
  chunk.mutable_header()->set_name("in-flight.txt");
  ASSERT_TRUE(upload->Write(chunk));
  chunk.set_data("written before the reload, ");
  ASSERT_TRUE(upload->Write(chunk));
  ASSERT_TRUE(testing::WaitForAnyFile(daemon->store() / "spool", std::chrono::seconds(60)))
      << daemon->log();

  // The new config: new token, a lower query limit, log level warn, fixture_c's file replaced by
  // fixture_cpp's plus fixture_old_abi disabled by a setting, and a new gRPC port (restart-only).
  testing::WriteFile(tokens_, std::string(kNewToken) + "\n");
  fs::remove(plugins_ / "fixture_good_c.so");
  fs::copy_file(fs::path(ARCHIVUM_FIXTURE_DIR) / "good/fixture_good_cpp.so",
                plugins_ / "fixture_good_cpp.so");
  fs::copy_file(fs::path(ARCHIVUM_FIXTURE_DIR) / "good/fixture_old_abi.so",
                plugins_ / "fixture_old_abi.so");
  DaemonOptions after = Options("40", "warn");
  after.plugins_yaml += "  settings:\n    fixture_old:\n      enabled: false\n";
  after.grpc_yaml = "";
  daemon->RewriteConfig(after);
  {
    // server.grpc.listen: the generated 127.0.0.1:0 becomes a fixed port.
    std::string yaml = security_testing::ReadFileOrEmpty(daemon->config_file());
    yaml = std::regex_replace(yaml, std::regex("listen: 127.0.0.1:0\n"), "listen: 127.0.0.1:1\n",
                              std::regex_constants::format_first_only);
    daemon->RewriteConfig(yaml);
  }
  ASSERT_TRUE(ReloadAndWait(*daemon)) << daemon->log();
  const std::string log = daemon->log();
  EXPECT_NE(log.find("server.grpc.listen changed; it takes effect after a restart"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("tokens"), std::string::npos);
  EXPECT_NE(log.find("log.level"), std::string::npos);
  EXPECT_NE(log.find("plugins.settings, plugins (+1 -1)"), std::string::npos) << log;

  // The upload finishes on the plugins it began with: fixture_c, gone from the directory now.
  chunk.set_data("finished after it.");
  ASSERT_TRUE(upload->Write(chunk));
  upload->WritesDone();
  grpc::Status st = upload->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << daemon->log();
  EXPECT_EQ(upload_summary.files_ingested(), 1u);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", Bearer(kNewToken));
    pb::GetDocumentRequest request;
    request.set_path("upload:in-flight.txt");
    pb::Document doc;
    ASSERT_TRUE(stub->GetDocument(&ctx, request, &doc).ok());
    EXPECT_EQ(doc.size(), std::string("written before the reload, finished after it.").size());
    EXPECT_EQ(std::vector<std::string>(doc.analyzers().begin(), doc.analyzers().end()),
              std::vector<std::string>{"fixture_c@1.2.3"});
  }

  // Tokens on the same channel and the same keep-alive connection.
  EXPECT_EQ(ListPlugins(*stub, kOldToken, &plugins).error_code(), grpc::UNAUTHENTICATED);
  ASSERT_TRUE(ListPlugins(*stub, kNewToken, &plugins).ok());
  EXPECT_EQ(PluginStates(plugins), (std::map<std::string, pb::PluginInfo::State>{
                                       {"fixture_cpp", pb::PluginInfo::LOADED},
                                       {"fixture_old", pb::PluginInfo::DISABLED}}));
  EXPECT_EQ(http.RoundTrip(Get("/v1/plugins", kOldToken)).result_int(), 401);
  EXPECT_EQ(http.RoundTrip(Get("/v1/plugins", kNewToken)).result_int(), 200);
  ASSERT_TRUE(http.ok()) << "the keep-alive connection did not survive the reload";
  // The limit: the query accepted before is refused now.
  EXPECT_EQ(Analyze(*stub, kNewToken, query).error_code(), grpc::INVALID_ARGUMENT);
  // The log level: info lines are gone (this reload's "reloading" line is info, its refusal an
  // error).
  const size_t info_lines = daemon->CountInLog("reloading the configuration");

  // A broken config: refused with the loader's file:line:col, everything stays as it was.
  daemon->RewriteConfig(security_testing::ReadFileOrEmpty(daemon->config_file()) +
                        "surprise_key: 1\n");
  ASSERT_FALSE(ReloadAndWait(*daemon));
  const std::string refused = daemon->log().substr(log.size());
  EXPECT_TRUE(std::regex_search(refused, std::regex("reload refused: [^\n]*archivum\\.yaml:[0-9]+:"
                                                    "[0-9]+: [^\n]*surprise_key")))
      << refused;
  EXPECT_EQ(daemon->CountInLog("reloading the configuration"), info_lines);
  EXPECT_EQ(ListPlugins(*stub, kOldToken, &plugins).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_TRUE(ListPlugins(*stub, kNewToken, &plugins).ok());
  EXPECT_EQ(Analyze(*stub, kNewToken, query).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Health(channel), HealthCheckResponse::SERVING);
  EXPECT_EQ(http.RoundTrip(Get("/healthz", kNewToken)).result_int(), 200);

  stub.reset();
  channel.reset();
  http.Close();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

// A refused reload keeps the running config even when only a referenced file is wrong.
TEST_F(ReloadTest, RefusesATokenFileThatCannotBeReadAndAMissingPluginDirectory) {
  std::string error;
  auto daemon = Daemon::Start(Options("4096", "info"), &error);
  ASSERT_NE(daemon, nullptr) << error;
  auto stub = pb::FileManager::NewStub(daemon->channel());

  fs::remove(tokens_);
  ASSERT_FALSE(ReloadAndWait(*daemon));
  EXPECT_NE(daemon->log().find("auth.tokens_file"), std::string::npos) << daemon->log();

  testing::WriteFile(tokens_, std::string(kNewToken) + "\n");
  DaemonOptions missing = Options("4096", "info");
  missing.plugin_dirs = {scratch_.path() / "no-such-directory"};
  daemon->RewriteConfig(missing);
  ASSERT_FALSE(ReloadAndWait(*daemon));
  EXPECT_NE(daemon->log().find("no-such-directory: no such directory"), std::string::npos)
      << daemon->log();

  pb::ListPluginsResponse plugins;
  EXPECT_TRUE(ListPlugins(*stub, kOldToken, &plugins).ok());
  EXPECT_EQ(ListPlugins(*stub, kNewToken, &plugins).error_code(), grpc::UNAUTHENTICATED);
  stub.reset();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

// New certificates on both listeners: new handshakes see them, a connection made before keeps
// working.
TEST_F(ReloadTest, ReplacesTheTlsCertificatesOfBothListeners) {
  security_testing::Pki first;
  security_testing::Pki second;
  ASSERT_TRUE(security_testing::MakePki(scratch_.path() / "pki1", &first, &error_) &&
              security_testing::MakePki(scratch_.path() / "pki2", &second, &error_))
      << error_;
  ASSERT_TRUE(security_testing::HaveProgram("curl")) << "curl is missing: run scripts/bootstrap";
  const auto tls = [](const security_testing::Pki& pki) {
    return "    tls:\n      cert: \"" + pki.server_cert.string() + "\"\n      key: \"" +
           pki.server_key.string() + "\"\n";
  };
  DaemonOptions opts;
  opts.http = true;
  opts.grpc_yaml = tls(first);
  opts.http_yaml = tls(first);
  auto daemon = Daemon::Start(opts, &error_);
  ASSERT_NE(daemon, nullptr) << error_;

  const auto channel_trusting = [&](const security_testing::Pki& pki) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = security_testing::ReadFileOrEmpty(pki.ca_cert);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(daemon->grpc_address(), grpc::SslCredentials(options), args);
  };
  const auto curl_healthz = [&](const security_testing::Pki& pki) {
    std::string output;
    testing::RunProcess(
        {"curl", "--silent", "--show-error", "--max-time", "30", "--cacert", pki.ca_cert.string(),
         "--write-out", std::string(security_testing::kCurlStatusMarker) + "%{http_code}",
         "https://localhost:" +
             daemon->http_address().substr(daemon->http_address().rfind(':') + 1) + "/healthz"},
        &output);
    return security_testing::CurlStatus(output);
  };

  auto before = channel_trusting(first);
  ASSERT_EQ(Health(before), HealthCheckResponse::SERVING) << daemon->log();
  ASSERT_EQ(curl_healthz(first), 200) << daemon->log();

  opts.grpc_yaml = tls(second);
  opts.http_yaml = tls(second);
  daemon->RewriteConfig(opts);
  ASSERT_TRUE(ReloadAndWait(*daemon)) << daemon->log();
  EXPECT_NE(daemon->log().find("server.grpc.tls, server.http.tls"), std::string::npos)
      << daemon->log();

  // The channel connected before still works: had its connection closed, a new handshake would
  // fail, as the next two lines show.
  EXPECT_EQ(Health(before), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(channel_trusting(first)), HealthCheckResponse::UNKNOWN);
  EXPECT_EQ(Health(channel_trusting(second)), HealthCheckResponse::SERVING);
  EXPECT_NE(curl_healthz(first), 200);
  EXPECT_EQ(curl_healthz(second), 200);

  before.reset();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

// The messages of a unix datagram socket, collected by a thread.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (ok_) reader_ = std::thread([this] { Read(); });
  }
  ~NotifySocket() {
    ::shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    ::close(fd_);
  }
  bool ok() const { return ok_; }

  // Waits for a message (from index `from` on) containing every one of `parts`; returns its
  // index, or -1 after `timeout`.
  int WaitFor(const std::vector<std::string>& parts, size_t from = 0,
              std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mu_);
    int found = -1;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < messages_.size(); ++i) {
        bool all = true;
        for (const std::string& part : parts)
          all = all && messages_[i].find(part) != std::string::npos;
        if (all) {
          found = static_cast<int>(i);
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  void Read() {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return;
      std::lock_guard lock(mu_);
      messages_.emplace_back(buf, static_cast<size_t>(n));
      cv_.notify_all();
    }
  }

  fs::path path_;
  int fd_ = -1;
  bool ok_ = false;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;  // guarded by mu_
};

TEST(SystemdNotifyTest, ReadyWatchdogReloadingAndStoppingOnTheNotifySocket) {
  testing::TempDir dir;
  NotifySocket socket(dir.path() / "notify");
  ASSERT_TRUE(socket.ok()) << std::strerror(errno);
  DaemonOptions opts;
  opts.http = true;
  opts.env = {{"NOTIFY_SOCKET", (dir.path() / "notify").string()}, {"WATCHDOG_USEC", "2000000"}};
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;

  // READY names the addresses the log announced (so both listeners were up).
  const int ready = socket.WaitFor(
      {"READY=1", "gRPC on " + daemon->grpc_address(), "HTTP on " + daemon->http_address()});
  ASSERT_GE(ready, 0) << ::testing::PrintToString(socket.messages()) << daemon->log();
  EXPECT_GE(socket.WaitFor({"WATCHDOG=1"}, ready + 1), 0)
      << ::testing::PrintToString(socket.messages());

  daemon->Reload();
  const int reloading = socket.WaitFor({"RELOADING=1", "MONOTONIC_USEC="}, ready + 1);
  ASSERT_GE(reloading, 0) << ::testing::PrintToString(socket.messages());
  EXPECT_GE(socket.WaitFor({"READY=1", "reloaded config"}, reloading + 1), 0)
      << ::testing::PrintToString(socket.messages());

  const std::vector<std::string> seen = socket.messages();
  EXPECT_EQ(daemon->Stop(SIGTERM), 0) << daemon->log();
  EXPECT_GE(socket.WaitFor({"STOPPING=1"}, seen.size()), 0)
      << ::testing::PrintToString(socket.messages());
}

}  // namespace
}  // namespace archivum
