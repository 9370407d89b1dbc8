// archivumd as a process: start-up, configuration errors, signals and shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>

#include "aichemist_archivum.grpc.pb.h"
#include "health.grpc.pb.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using grpc::health::v1::HealthCheckResponse;
using testing::Daemon;
using testing::DaemonOptions;
using testing::RunProcess;
using testing::TempDir;
using testing::WaitForAnyFile;
using testing::WriteFile;

std::string Archivumd() {
  return (testing::BinaryDir() / "archivumd").string();
}

// A health Watch on `daemon`; cancelled and finished when destroyed.
class HealthWatch {
 public:
  explicit HealthWatch(const Daemon& daemon)
      : stub_(grpc::health::v1::Health::NewStub(daemon.channel())),
        reader_(stub_->Watch(&ctx_, grpc::health::v1::HealthCheckRequest())) {}
  ~HealthWatch() {
    ctx_.TryCancel();
    reader_->Finish();
  }
  // The next status the daemon reports, or UNKNOWN if the stream ended.
  HealthCheckResponse::ServingStatus Next() {
    HealthCheckResponse resp;
    return reader_->Read(&resp) ? resp.status() : HealthCheckResponse::UNKNOWN;
  }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> reader_;
};

// Watches health, signals the daemon, and expects NOT_SERVING before a clean exit.
void ExpectGracefulStop(int signal) {
  std::string error;
  auto daemon = Daemon::Start(DaemonOptions{}, &error);
  ASSERT_NE(daemon, nullptr) << error;
  {
    HealthWatch health(*daemon);
    ASSERT_EQ(health.Next(), HealthCheckResponse::SERVING);
    ::kill(daemon->pid(), signal);
    ASSERT_EQ(health.Next(), HealthCheckResponse::NOT_SERVING) << daemon->log();
  }
  EXPECT_EQ(daemon->Stop(0), 0) << daemon->log();  // 0: no further signal, just reap
  EXPECT_NE(daemon->log().find("stopped"), std::string::npos) << daemon->log();
}

TEST(DaemonLifecycle, SigtermTurnsHealthNotServingThenExitsZero) {
  ExpectGracefulStop(SIGTERM);
}

TEST(DaemonLifecycle, SigintTurnsHealthNotServingThenExitsZero) {
  ExpectGracefulStop(SIGINT);
}

// An upload held open by the test: a call in flight for exactly as long as the test wants.
class OpenUpload {
 public:
  explicit OpenUpload(const Daemon& daemon)
      : stub_(pb::FileManager::NewStub(daemon.channel())),
        writer_(stub_->Upload(&ctx_, &summary_)) {
    pb::UploadChunk header;
    header.mutable_header()->set_name("held/open.txt");
    pb::UploadChunk data;
    data.set_data("written while the daemon shuts down\n");
    started_ = writer_->Write(header) && writer_->Write(data);
  }
  bool started() const { return started_; }
  grpc::Status Finish(pb::IngestSummary* summary) {
    writer_->WritesDone();
    grpc::Status st = writer_->Finish();
    *summary = summary_;
    return st;
  }

 private:
  std::unique_ptr<pb::FileManager::Stub> stub_;
  grpc::ClientContext ctx_;
  pb::IngestSummary summary_;
  std::unique_ptr<grpc::ClientWriter<pb::UploadChunk>> writer_;
  bool started_ = false;
};

grpc::Status AnalyzeOnce(const Daemon& daemon) {
  auto stub = pb::FileManager::NewStub(daemon.channel());
  grpc::ClientContext ctx;
  pb::AnalyzeRequest req;
  req.set_query("sha256:" + std::string(64, 'a'));
  pb::AnalyzeResponse resp;
  return stub->Analyze(&ctx, req, &resp);
}

// On SIGTERM the daemon reports NOT_SERVING, refuses new calls with UNAVAILABLE, lets the call in
// flight finish (its upload is ingested), and then exits 0.
TEST(DaemonLifecycle, ShutdownFinishesTheCallInFlightAndRefusesNewOnes) {
  std::string error;
  DaemonOptions opts;
  opts.shutdown_deadline = "1h";
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  HealthWatch health(*daemon);
  ASSERT_EQ(health.Next(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(AnalyzeOnce(*daemon).ok());
  OpenUpload upload(*daemon);
  ASSERT_TRUE(upload.started());
  ASSERT_TRUE(WaitForAnyFile(daemon->store() / "spool", std::chrono::seconds(60)))
      << daemon->log();  // the daemon holds the upload

  ::kill(daemon->pid(), SIGTERM);
  // NOT_SERVING is reported once new calls are already refused.
  ASSERT_EQ(health.Next(), HealthCheckResponse::NOT_SERVING) << daemon->log();
  const grpc::Status refused = AnalyzeOnce(*daemon);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_NE(refused.error_message().find("shutting down"), std::string::npos)
      << refused.error_message();

  pb::IngestSummary summary;
  const grpc::Status st = upload.Finish(&summary);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(summary.files_ingested(), 1u);
  EXPECT_EQ(daemon->Stop(0), 0) << daemon->log();  // 0: no further signal, just reap
  EXPECT_NE(daemon->log().find("stopped"), std::string::npos) << daemon->log();
  EXPECT_EQ(daemon->log().find("at the shutdown deadline"), std::string::npos) << daemon->log();
}

// A call still running at the shutdown deadline is cancelled, and the daemon exits 0.
TEST(DaemonLifecycle, ShutdownCancelsACallStillRunningAtTheDeadline) {
  std::string error;
  DaemonOptions opts;
  opts.shutdown_deadline = "100ms";
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  OpenUpload upload(*daemon);
  ASSERT_TRUE(upload.started());
  ASSERT_TRUE(WaitForAnyFile(daemon->store() / "spool", std::chrono::seconds(60)))
      << daemon->log();  // the daemon holds the upload

  EXPECT_EQ(daemon->Stop(SIGTERM), 0) << daemon->log();
  EXPECT_NE(daemon->log().find("1 call(s) still running at the shutdown deadline"),
            std::string::npos)
      << daemon->log();
  pb::IngestSummary summary;
  const grpc::Status st = upload.Finish(&summary);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(summary.files_ingested(), 0u);
}

// A connected peer that never answers (it sent the HTTP/2 preface and went silent) does not hold
// the daemon: with no call in flight, shutdown closes the connection without waiting for it.
TEST(DaemonLifecycle, ShutdownDoesNotWaitForAnIdlePeer) {
  std::string error;
  DaemonOptions opts;
  opts.shutdown_deadline = "1h";
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  const std::string& address = daemon->grpc_address();
  const size_t colon = address.rfind(':');
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ASSERT_EQ(::inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr), 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer), 0);
  // The client connection preface and an empty SETTINGS frame; then nothing, ever.
  const std::string preface =
      std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string("\0\0\0\x04\0\0\0\0\0", 9);
  ASSERT_EQ(::send(fd, preface.data(), preface.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(preface.size()));
  // The daemon answers with its own SETTINGS: it has the connection.
  char settings[9];
  ASSERT_EQ(::recv(fd, settings, sizeof settings, MSG_WAITALL), 9);
  EXPECT_EQ(settings[3], 4) << "frame type SETTINGS";

  // gRPC's own graceful shutdown would wait up to 20 s for this peer's acknowledgement.
  EXPECT_EQ(daemon->Stop(SIGTERM), 0) << daemon->log();
  EXPECT_EQ(daemon->log().find("at the shutdown deadline"), std::string::npos) << daemon->log();
  ::close(fd);
}

TEST(DaemonLifecycle, LogsTheChosenPortAndCreatesTheStore) {
  std::string error;
  auto daemon = Daemon::Start(DaemonOptions{}, &error);
  ASSERT_NE(daemon, nullptr) << error;
  EXPECT_TRUE(std::regex_match(daemon->grpc_address(), std::regex(R"(127\.0\.0\.1:[1-9][0-9]*)")))
      << daemon->grpc_address();
  EXPECT_TRUE(fs::exists(daemon->store() / "catalog.db"));
}

TEST(DaemonLifecycle, RefusesAPortAlreadyInUse) {
  std::string error;
  auto first = Daemon::Start(DaemonOptions{}, &error);
  ASSERT_NE(first, nullptr) << error;
  DaemonOptions opts;
  opts.extra_args = {"--grpc-listen", first->grpc_address()};
  auto second = Daemon::Start(opts, &error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find("cannot listen for gRPC on " + first->grpc_address()), std::string::npos)
      << error;
}

struct BadConfig {
  const char* name;
  const char* yaml;
  const char* expected;  // a regex the error must contain
};

class ConfigErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrors, CheckConfigNamesFileLineAndKeyAndExitsNonZero) {
  TempDir dir;
  const fs::path file = dir.path() / "bad.yaml";
  WriteFile(file, GetParam().yaml);
  std::string out;
  EXPECT_EQ(RunProcess({Archivumd(), "--check-config", file.string()}, &out), 1) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(file.string() + GetParam().expected))) << out;

  // The daemon refuses to start on it, with the same message.
  EXPECT_EQ(RunProcess({Archivumd(), "--config", file.string()}, &out), 1) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(file.string() + GetParam().expected))) << out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigErrors,
    ::testing::Values(
        BadConfig{"Malformed", "server:\n  grpc:\n    listen: [unclosed\n", R"(:[0-9]+:[0-9]+: )"},
        BadConfig{"UnknownKey", "server:\n  grpc:\n    listne: 127.0.0.1:1\n",
                  R"(:3:5: server\.grpc\.listne: )"},
        BadConfig{"WrongType", "ingest:\n  workers: many\n", R"(:2:12: ingest\.workers: )"},
        BadConfig{"BadAddress", "server:\n  grpc:\n    listen: localhost\n",
                  R"(:3:13: server\.grpc\.listen: expected host:port)"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(DaemonLifecycle, CheckConfigAcceptsTheShippedConfig) {
  std::string out;
  const std::string shipped = std::string(ARCHIVUM_SOURCE_DIR) + "/config/archivum.yaml";
  EXPECT_EQ(RunProcess({Archivumd(), "--check-config", shipped}, &out), 0) << out;
}

// --check-config loads the plugins the config enables, as the daemon would, and names each one
// that fails; a plugin that is disabled is not loaded, so it cannot fail the check.
TEST(DaemonLifecycle, CheckConfigLoadsThePluginsAndNamesEachOneThatFails) {
  TempDir dir;
  const fs::path broken = dir.path() / "broken.yaml";
  WriteFile(broken, "plugins:\n  directories: [\"" ARCHIVUM_FIXTURE_DIR
                    "/good\", \"" ARCHIVUM_FIXTURE_DIR "/broken\"]\n");
  std::string out;
  EXPECT_EQ(RunProcess({Archivumd(), "--check-config", broken.string()}, &out), 1) << out;
  EXPECT_NE(out.find("archivumd: plugin broken_create: create failed: model file not found\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("archivumd: plugin fixture_abi_major: "), std::string::npos) << out;
  EXPECT_EQ(out.find("archivumd: plugin fixture_c:"), std::string::npos) << "it loads: " << out;
  EXPECT_EQ(out.find(": ok"), std::string::npos) << out;

  const fs::path good = dir.path() / "good.yaml";
  WriteFile(good, "plugins:\n  directories: [\"" ARCHIVUM_FIXTURE_DIR
                  "/good\"]\n  settings:\n    fixture_c:\n      enabled: false\n");
  // stdout holds only the verdict; warnings (e.g. a sandbox layer missing) go to stderr.
  const testing::ProcessResult ok = RunProcess({Archivumd(), "--check-config", good.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out, good.string() + ": ok\n") << ok.err;
  EXPECT_EQ(ok.err.find("archivumd: plugin"), std::string::npos) << ok.err;
}

TEST(DaemonLifecycle, UsageErrorExitsTwo) {
  std::string out;
  EXPECT_EQ(RunProcess({Archivumd(), "--no-such-flag"}, &out), 2) << out;
}

}  // namespace
}  // namespace archivum
