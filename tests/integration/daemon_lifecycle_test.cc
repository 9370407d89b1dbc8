// archivumd as a process: start-up, configuration errors, signals and shutdown.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>

#include "health.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
using grpc::health::v1::HealthCheckResponse;
using testing::Daemon;
using testing::DaemonOptions;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

std::string Archivumd() {
  return (testing::BinaryDir() / "archivumd").string();
}

// Watches health, signals the daemon, and expects NOT_SERVING before a clean exit.
void ExpectGracefulStop(int signal) {
  std::string error;
  auto daemon = Daemon::Start(DaemonOptions{}, &error);
  ASSERT_NE(daemon, nullptr) << error;
  auto health = grpc::health::v1::Health::NewStub(daemon->channel());
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  auto watch = health->Watch(&ctx, req);
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);

  ::kill(daemon->pid(), signal);
  ASSERT_TRUE(watch->Read(&resp)) << daemon->log();
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  ctx.TryCancel();
  watch->Finish();
  EXPECT_EQ(daemon->Stop(0), 0) << daemon->log();  // 0: no further signal, just reap
  EXPECT_NE(daemon->log().find("stopped"), std::string::npos) << daemon->log();
}

TEST(DaemonLifecycle, SigtermTurnsHealthNotServingThenExitsZero) {
  ExpectGracefulStop(SIGTERM);
}

TEST(DaemonLifecycle, SigintTurnsHealthNotServingThenExitsZero) {
  ExpectGracefulStop(SIGINT);
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
  EXPECT_EQ(RunCommand({Archivumd(), "--check-config", file.string()}, &out), 1) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(file.string() + GetParam().expected))) << out;

  // The daemon refuses to start on it, with the same message.
  EXPECT_EQ(RunCommand({Archivumd(), "--config", file.string()}, &out), 1) << out;
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
  EXPECT_EQ(RunCommand({Archivumd(), "--check-config", shipped}, &out), 0) << out;
}

TEST(DaemonLifecycle, UsageErrorExitsTwo) {
  std::string out;
  EXPECT_EQ(RunCommand({Archivumd(), "--no-such-flag"}, &out), 2) << out;
}

}  // namespace
}  // namespace archivum
