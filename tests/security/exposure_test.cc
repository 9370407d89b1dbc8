// Secure by default: a listener other machines can reach needs TLS or authentication, unless
// server.allow_insecure_remote says otherwise.
#include <gtest/gtest.h>

#include <chrono>

#include "health.grpc.pb.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
using testing::Daemon;
using testing::DaemonOptions;
using testing::RunProcess;

constexpr char kReason[] =
    "refusing to listen on 0.0.0.0:0 (server.grpc.listen): it is not a loopback address and "
    "this listener has neither TLS nor authentication";

bool Serving(const Daemon& daemon) {
  // The logged address is 0.0.0.0:PORT for a wildcard listener; connect over loopback.
  const std::string address = daemon.grpc_address();
  const std::string local = "127.0.0.1" + address.substr(address.rfind(':'));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::health::v1::HealthCheckResponse response;
  return grpc::health::v1::Health::NewStub(
             grpc::CreateChannel(local, grpc::InsecureChannelCredentials()))
      ->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &response)
      .ok();
}

// A minimal config file for running archivumd directly.
fs::path WriteConfig(const fs::path& dir, const std::string& server_extra) {
  const fs::path file = dir / "archivum.yaml";
  testing::WriteFile(file,
                     "server:\n  grpc:\n    listen: 0.0.0.0:0\n  http:\n    enabled: false\n" +
                         server_extra + "store:\n  path: store\n");
  return file;
}

TEST(ExposureTest, AWildcardListenerWithoutTlsOrAuthIsRefusedWithTheReason) {
  DaemonOptions opts;
  opts.extra_args = {"--grpc-listen", "0.0.0.0:0"};
  std::string error;
  EXPECT_EQ(Daemon::Start(opts, &error), nullptr);
  EXPECT_NE(error.find(kReason), std::string::npos) << error;
  EXPECT_NE(error.find("server.allow_insecure_remote: true"), std::string::npos) << error;
}

TEST(ExposureTest, TheRefusalExitsOneAndCheckConfigReportsIt) {
  testing::TempDir dir;
  const fs::path config = WriteConfig(dir.path(), "");
  const std::string archivumd = (testing::BinaryDir() / "archivumd").string();
  // The timeout bounds the run should the daemon wrongly start serving.
  testing::ProcessOptions bounded;
  bounded.merge_stderr = true;
  bounded.timeout = std::chrono::seconds(60);
  const testing::ProcessResult refused =
      RunProcess({archivumd, "--config", config.string()}, bounded);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find(kReason), std::string::npos) << refused.out;
  std::string output;
  EXPECT_EQ(RunProcess({archivumd, "--check-config", config.string()}, &output), 1) << output;
  EXPECT_NE(output.find(kReason), std::string::npos) << output;
}

TEST(ExposureTest, TheHttpListenerIsHeldToTheSameRule) {
  DaemonOptions opts;
  opts.http = true;
  opts.extra_args = {"--http-listen", "0.0.0.0:0"};
  std::string error;
  EXPECT_EQ(Daemon::Start(opts, &error), nullptr);
  EXPECT_NE(error.find("refusing to listen on 0.0.0.0:0 (server.http.listen)"), std::string::npos)
      << error;
}

TEST(ExposureTest, AllowInsecureRemoteStartsAndWarns) {
  DaemonOptions opts;
  opts.server_yaml = "  allow_insecure_remote: true\n";
  opts.extra_args = {"--grpc-listen", "0.0.0.0:0"};
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  EXPECT_TRUE(Serving(*daemon));
  EXPECT_NE(daemon->log().find("neither TLS nor authentication"), std::string::npos)
      << daemon->log();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

TEST(ExposureTest, AuthenticationIsEnoughForAWildcardListener) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "tokens", "exposure-token\n");
  DaemonOptions opts;
  opts.extra_yaml = "auth:\n  tokens_file: \"" + (dir.path() / "tokens").string() + "\"\n";
  opts.extra_args = {"--grpc-listen", "0.0.0.0:0"};
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  EXPECT_TRUE(Serving(*daemon)) << "health is open by default";
  EXPECT_NE(daemon->log().find("clear text"), std::string::npos) << daemon->log();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

TEST(ExposureTest, AnyLoopbackAddressNeedsNothing) {
  DaemonOptions opts;
  opts.extra_args = {"--grpc-listen", "127.0.0.2:0"};  // all of 127.0.0.0/8 is loopback
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  EXPECT_EQ(daemon->grpc_address().rfind("127.0.0.2:", 0), 0u) << daemon->grpc_address();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

}  // namespace
}  // namespace archivum
