// Runs the real `archivum` binary against the real `archivumd` configured with a token file, TLS
// and mutual TLS, and checks what a user sees: the exit code, stdout and stderr.
//
// Certificates are made at test time by tests/security's helpers (openssl CLI); nothing secret is
// committed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "security/security_support.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum::cli::testing {
namespace {

namespace fs = std::filesystem;
using ::archivum::security_testing::MakePki;
using ::archivum::security_testing::Pki;
using ::archivum::testing::Daemon;
using ::archivum::testing::DaemonOptions;
using ::archivum::testing::ProcessOptions;
using ::archivum::testing::ProcessResult;
using ::archivum::testing::RunProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

#ifndef ARCHIVUM_CLI_PATH
#error "ARCHIVUM_CLI_PATH must point at the archivum binary"
#endif

constexpr char kToken[] = "cli-suite-token-9c1e";
constexpr char kWrongToken[] = "cli-suite-wrong-7f0d";

std::string TlsYaml(const Pki& pki, bool mutual) {
  std::string yaml = "    tls:\n      cert: \"" + pki.server_cert.string() + "\"\n      key: \"" +
                     pki.server_key.string() + "\"\n";
  if (mutual) yaml += "      client_ca: \"" + pki.ca_cert.string() + "\"\n";
  return yaml;
}

class CliSecuredDaemonTest : public ::testing::Test {
 protected:
  // Made once: key generation is the slow part.
  struct Suite {
    ::archivum::testing::TempDir dir;
    Pki pki;
    std::string error;
  };

  static void SetUpTestSuite() {
    suite_ = new Suite();
    if (!MakePki(suite_->dir.path() / "pki", &suite_->pki, &suite_->error)) {
      suite_->error = "cannot make test certificates: " + suite_->error;
    }
    ::archivum::testing::WriteFile(TokensFile(), std::string(kToken) + "\n");
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(suite_->error.empty()) << suite_->error; }

  static const Pki& pki() { return suite_->pki; }
  static fs::path TokensFile() { return suite_->dir.path() / "tokens.txt"; }
  static std::string AuthYaml() {
    return "auth:\n  tokens_file: \"" + TokensFile().string() + "\"\n";
  }

  std::unique_ptr<Daemon> Start(const DaemonOptions& options) {
    std::string error;
    std::unique_ptr<Daemon> daemon = Daemon::Start(options, &error);
    EXPECT_NE(daemon, nullptr) << error;
    return daemon;
  }

  // Runs archivum against `server` with a 20 s budget. ARCHIVUM_SERVER and ARCHIVUM_TOKEN are
  // removed unless `env` sets them, so the developer's environment cannot leak in.
  static ProcessResult Run(const std::string& server, std::vector<std::string> args,
                           std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {ARCHIVUM_CLI_PATH, "--server", server, "--timeout", "20"});
    ProcessOptions options;
    options.unset_env = {"ARCHIVUM_SERVER"};
    if (env.count("ARCHIVUM_TOKEN") == 0) options.unset_env.push_back("ARCHIVUM_TOKEN");
    options.set_env = std::move(env);
    return RunProcess(args, options);
  }

  static Suite* suite_;
};

CliSecuredDaemonTest::Suite* CliSecuredDaemonTest::suite_ = nullptr;

TEST_F(CliSecuredDaemonTest, TokenFromFlagOrEnvironmentAndFlagWins) {
  DaemonOptions options;
  options.extra_yaml = AuthYaml();
  auto daemon = Start(options);
  ASSERT_NE(daemon, nullptr);
  const std::string& server = daemon->grpc_address();

  ProcessResult r = Run(server, {"plugins"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: UNAUTHENTICATED: "));
  EXPECT_THAT(r.err, HasSubstr("hint: the server requires a token: pass --token or set "
                               "ARCHIVUM_TOKEN"));

  r = Run(server, {"--token", kToken, "plugins"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");

  r = Run(server, {"plugins", "--json"}, {{"ARCHIVUM_TOKEN", kToken}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("hostAbiVersion"));

  // The flag takes precedence over the environment, both ways.
  r = Run(server, {"--token", kToken, "plugins"}, {{"ARCHIVUM_TOKEN", kWrongToken}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Run(server, {"--token", kWrongToken, "plugins"}, {{"ARCHIVUM_TOKEN", kToken}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: UNAUTHENTICATED: "));
  EXPECT_THAT(r.err, Not(HasSubstr(kWrongToken)));
  EXPECT_THAT(r.err, Not(HasSubstr("hint:")));

  // Health stays open (auth.open_health defaults to true) and needs no token.
  r = Run(server, {"health"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliSecuredDaemonTest, TokenReachesStreamingCalls) {
  DaemonOptions options;
  options.extra_yaml = AuthYaml();
  auto daemon = Start(options);
  ASSERT_NE(daemon, nullptr);
  const fs::path tree = daemon->dir() / "tree";
  ::archivum::testing::WriteFile(tree / "a.txt", "alpha\n");
  ::archivum::testing::WriteFile(tree / "b.txt", "beta\n");

  ProcessResult r =
      Run(daemon->grpc_address(), {"ingest", tree.string()}, {{"ARCHIVUM_TOKEN", kToken}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  ingested       2\n"));

  r = Run(daemon->grpc_address(), {"get", (tree / "a.txt").string()}, {{"ARCHIVUM_TOKEN", kToken}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("a.txt"));
}

TEST_F(CliSecuredDaemonTest, TlsWithTheServersCa) {
  DaemonOptions options;
  options.grpc_yaml = TlsYaml(pki(), /*mutual=*/false);
  auto daemon = Start(options);
  ASSERT_NE(daemon, nullptr);
  const std::string& server = daemon->grpc_address();
  const std::string port = server.substr(server.rfind(':') + 1);

  ProcessResult r = Run(server, {"--tls-ca", pki().ca_cert.string(), "health"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SERVING\n");

  // The certificate names 127.0.0.1 and localhost; another name must match --tls-server-name.
  r = Run("localhost:" + port, {"--tls-ca", pki().ca_cert.string(), "plugins"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Run(server, {"--tls-ca", pki().ca_cert.string(), "--tls-server-name", "localhost", "health"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Run(server,
          {"--tls-ca", pki().ca_cert.string(), "--tls-server-name", "elsewhere.example", "health"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("over TLS"));

  // Plaintext against a TLS port, and TLS trusting only the system's roots, both fail to
  // connect, with a hint for each.
  r = Run(server, {"health"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("error: UNAVAILABLE: cannot connect to " + server));
  EXPECT_THAT(r.err, HasSubstr("add --tls"));
  r = Run(server, {"--tls", "health"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("over TLS"));
}

TEST_F(CliSecuredDaemonTest, MutualTlsWithTokenNeedsBoth) {
  DaemonOptions options;
  options.grpc_yaml = TlsYaml(pki(), /*mutual=*/true);
  options.extra_yaml = AuthYaml() + "  open_health: false\n";
  auto daemon = Start(options);
  ASSERT_NE(daemon, nullptr);
  const std::string& server = daemon->grpc_address();
  const std::vector<std::string> client_cert = {"--tls-ca",   pki().ca_cert.string(),
                                                "--tls-cert", pki().client_cert.string(),
                                                "--tls-key",  pki().client_key.string()};

  std::vector<std::string> args = client_cert;
  args.insert(args.end(), {"--token", kToken, "health"});
  ProcessResult r = Run(server, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SERVING\n");

  args = client_cert;
  args.push_back("plugins");
  r = Run(server, args, {{"ARCHIVUM_TOKEN", kToken}});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // The right certificate without a token: the handshake succeeds, the call is refused.
  args = client_cert;
  args.push_back("health");
  r = Run(server, args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: UNAUTHENTICATED: "));

  // A token without a client certificate, or with one from another CA: no connection (refused
  // in the handshake, or right after it under TLS 1.3).
  r = Run(server, {"--tls-ca", pki().ca_cert.string(), "--token", kToken, "health"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("error: UNAVAILABLE: "));
  r = Run(server,
          {"--tls-ca", pki().ca_cert.string(), "--tls-cert", pki().rogue_client_cert.string(),
           "--tls-key", pki().rogue_client_key.string(), "--token", kToken, "health"});
  EXPECT_EQ(r.exit_code, 3);
}

TEST_F(CliSecuredDaemonTest, BadCredentialOptionsAreUsageErrorsNamingOptionAndFile) {
  // No daemon: each of these must fail before connecting. The address refuses connections, so
  // reaching it would show as exit code 3 instead of 2.
  const std::string server = "127.0.0.1:1";
  const fs::path missing = suite_->dir.path() / "missing.pem";

  ProcessResult r = Run(server, {"--tls-ca", missing.string(), "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --tls-ca: cannot read " + missing.string() + ": No such file or directory\n");

  r = Run(server, {"--tls-ca", suite_->dir.path().string(), "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --tls-ca: " + suite_->dir.path().string() + " is not a regular file\n");

  // A key where the certificate belongs and the other way round.
  r = Run(server, {"--tls-cert", pki().client_key.string(), "--tls-key", pki().client_key.string(),
                   "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --tls-cert: " + pki().client_key.string() + " holds no PEM certificate\n");
  r = Run(server, {"--tls-cert", pki().client_cert.string(), "--tls-key",
                   pki().client_cert.string(), "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --tls-key: " + pki().client_cert.string() + " holds no PEM private key\n");
  r = Run(server,
          {"--tls-cert", pki().client_cert.string(), "--tls-key", missing.string(), "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("error: --tls-key: cannot read " + missing.string()));

  // A certificate needs its key.
  r = Run(server, {"--tls-cert", pki().client_cert.string(), "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--tls-key"));

  // A token that cannot travel in a header is refused without being echoed.
  r = Run(server, {"--token", "secret with spaces", "health"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--token"));
  EXPECT_THAT(r.err, Not(HasSubstr("secret")));
  r = Run(server, {"health"}, {{"ARCHIVUM_TOKEN", "bad\ttoken"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, Not(HasSubstr("bad")));
}

TEST_F(CliSecuredDaemonTest, WarnsBeforeSendingATokenInPlaintextOffThisMachine) {
  // 192.0.2.0/24 is TEST-NET-1: never routed, so the connection attempt runs into the deadline.
  const ProcessResult r = RunProcess(
      {ARCHIVUM_CLI_PATH, "--server", "192.0.2.1:50051", "--timeout", "0.2", "--token", kToken,
       "health"},
      ProcessOptions{.cwd = {}, .set_env = {}, .unset_env = {"ARCHIVUM_SERVER", "ARCHIVUM_TOKEN"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("warning: sending the token to 192.0.2.1:50051 without TLS"));
  EXPECT_THAT(r.err, Not(HasSubstr(kToken)));
}

}  // namespace
}  // namespace archivum::cli::testing
