// TLS and mutual TLS on both ports, checked with real clients: gRPC's C++ client, Python's
// grpcio (Debian's python3-grpcio) and curl. Certificates are made per test suite with the
// openssl CLI (security_support.h).
#include <gtest/gtest.h>

#include "aichemist_archivum.grpc.pb.h"
#include "health.grpc.pb.h"
#include "security_support.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using grpc::health::v1::HealthCheckResponse;
using security_testing::CurlStatus;
using security_testing::Pki;
using security_testing::ReadFileOrEmpty;
using testing::Daemon;
using testing::DaemonOptions;
using testing::RunProcess;

constexpr char kTlsToken[] = "tls-suite-token-4411";

std::string TlsYaml(const fs::path& cert, const fs::path& key, const fs::path& client_ca = {}) {
  std::string yaml =
      "    tls:\n      cert: \"" + cert.string() + "\"\n      key: \"" + key.string() + "\"\n";
  if (!client_ca.empty()) yaml += "      client_ca: \"" + client_ca.string() + "\"\n";
  return yaml;
}

class TlsTest : public ::testing::Test {
 protected:
  // What every test of the suite shares: made once, since key generation is the slow part.
  struct Suite {
    testing::TempDir dir;
    Pki pki;
    std::string error;
  };

  static void SetUpTestSuite() {
    suite_ = new Suite();
    if (!security_testing::MakePki(suite_->dir.path() / "pki", &suite_->pki, &suite_->error)) {
      suite_->error = "cannot make test certificates: " + suite_->error;
    }
    testing::WriteFile(TokensFile(), std::string(kTlsToken) + "\n");
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(suite_->error.empty()) << suite_->error; }

  static const Pki& pki() { return suite_->pki; }
  static fs::path TokensFile() { return suite_->dir.path() / "tokens.txt"; }

  std::unique_ptr<Daemon> Start(DaemonOptions opts) {
    std::string error;
    auto daemon = Daemon::Start(opts, &error);
    EXPECT_NE(daemon, nullptr) << error;
    return daemon;
  }

  static std::shared_ptr<grpc::ChannelCredentials> Credentials(bool with_client_cert,
                                                               bool rogue = false) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFileOrEmpty(pki().ca_cert);
    if (with_client_cert) {
      options.pem_cert_chain = ReadFileOrEmpty(rogue ? pki().rogue_client_cert : pki().client_cert);
      options.pem_private_key = ReadFileOrEmpty(rogue ? pki().rogue_client_key : pki().client_key);
    }
    return grpc::SslCredentials(options);
  }

  static grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                            HealthCheckResponse* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return grpc::health::v1::Health::NewStub(channel)->Check(
        &ctx, grpc::health::v1::HealthCheckRequest(), response);
  }

  // curl with the test CA; returns its output with kCurlStatusMarker and the status appended.
  static int Curl(std::vector<std::string> args, std::string* output) {
    std::vector<std::string> argv = {
        "curl",
        "--silent",
        "--show-error",
        "--max-time",
        "30",
        "--cacert",
        pki().ca_cert.string(),
        "--write-out",
        std::string(security_testing::kCurlStatusMarker) + "%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, output);
  }

  static Suite* suite_;
};

TlsTest::Suite* TlsTest::suite_ = nullptr;

TEST_F(TlsTest, GrpcServerTlsWorksWithTheCppClientAndRefusesPlaintext) {
  DaemonOptions opts;
  opts.grpc_yaml = TlsYaml(pki().server_cert, pki().server_key);
  auto daemon = Start(opts);
  ASSERT_NE(daemon, nullptr);
  EXPECT_NE(daemon->log().find("gRPC: TLS"), std::string::npos) << daemon->log();

  HealthCheckResponse response;
  const grpc::Status st = Check(daemon->channel(Credentials(false)), &response);
  ASSERT_TRUE(st.ok()) << st.error_code() << ": " << st.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  {
    auto stub = pb::FileManager::NewStub(daemon->channel(Credentials(false)));
    grpc::ClientContext ctx;
    pb::ListPluginsResponse plugins;
    EXPECT_TRUE(stub->ListPlugins(&ctx, pb::ListPluginsRequest(), &plugins).ok());
  }

  EXPECT_FALSE(Check(daemon->channel(), &response).ok()) << "plaintext to a TLS port";
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();  // clean shutdown, sanitizers included
}

TEST_F(TlsTest, GrpcMutualTlsNeedsAClientCertificateFromTheConfiguredCa) {
  DaemonOptions opts;
  opts.grpc_yaml = TlsYaml(pki().server_cert, pki().server_key, pki().ca_cert);
  auto daemon = Start(opts);
  ASSERT_NE(daemon, nullptr);
  HealthCheckResponse response;
  EXPECT_EQ(Check(daemon->channel(Credentials(false)), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "no client certificate";
  EXPECT_EQ(Check(daemon->channel(Credentials(true, /*rogue=*/true)), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "a certificate from another CA";
  const grpc::Status st = Check(daemon->channel(Credentials(true)), &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();  // clean shutdown, sanitizers included
}

TEST_F(TlsTest, PythonGrpcioCompletesACallOverTlsAndMutualTls) {
  std::string error;
  const std::string python = security_testing::PythonWithGrpc(&error);
  ASSERT_FALSE(python.empty()) << error;
  const std::string script = fs::path(ARCHIVUM_SECURITY_SOURCE_DIR) / "tls_client.py";
  std::string output;

  DaemonOptions tls;
  tls.grpc_yaml = TlsYaml(pki().server_cert, pki().server_key);
  auto daemon = Start(tls);
  ASSERT_NE(daemon, nullptr);
  EXPECT_EQ(RunProcess({python, script, daemon->grpc_address(), pki().ca_cert.string()}, &output),
            0)
      << output;
  EXPECT_NE(output.find("SERVING"), std::string::npos) << output;
  daemon.reset();

  DaemonOptions mutual;
  mutual.grpc_yaml = TlsYaml(pki().server_cert, pki().server_key, pki().ca_cert);
  mutual.extra_yaml =
      "auth:\n  tokens_file: \"" + TokensFile().string() + "\"\n  open_health: false\n";
  daemon = Start(mutual);
  ASSERT_NE(daemon, nullptr);
  EXPECT_NE(RunProcess({python, script, daemon->grpc_address(), pki().ca_cert.string(), "--token",
                        kTlsToken},
                       &output),
            0)
      << "no client certificate: " << output;
  EXPECT_EQ(RunProcess({python, script, daemon->grpc_address(), pki().ca_cert.string(), "--cert",
                        pki().client_cert.string(), "--key", pki().client_key.string()},
                       &output),
            1);
  EXPECT_NE(output.find("UNAUTHENTICATED"), std::string::npos) << "no token: " << output;
  EXPECT_EQ(RunProcess({python, script, daemon->grpc_address(), pki().ca_cert.string(), "--cert",
                        pki().client_cert.string(), "--key", pki().client_key.string(), "--token",
                        kTlsToken},
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("SERVING"), std::string::npos) << output;
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();  // clean shutdown, sanitizers included
}

TEST_F(TlsTest, CurlOverHttpsReachesHealthAndAuthenticatedCalls) {
  ASSERT_TRUE(security_testing::HaveProgram("curl")) << "curl is missing: run scripts/bootstrap";
  DaemonOptions opts;
  opts.http = true;
  opts.http_yaml = TlsYaml(pki().server_cert, pki().server_key);
  opts.extra_yaml = "auth:\n  tokens_file: \"" + TokensFile().string() + "\"\n";
  auto daemon = Start(opts);
  ASSERT_NE(daemon, nullptr);
  const std::string base = "https://" + daemon->http_address();
  std::string output;

  ASSERT_EQ(Curl({base + "/healthz"}, &output), 0) << output;
  EXPECT_EQ(CurlStatus(output), 200) << output;
  EXPECT_NE(output.find("SERVING"), std::string::npos) << output;

  const fs::path corpus = daemon->dir() / "corpus";
  testing::WriteFile(corpus / "ledger.txt", "obsidian lantern\n");  // found by ext:txt: no plugins
  const std::string ingest = R"({"path":")" + corpus.string() + R"("})";
  ASSERT_EQ(
      Curl({"--include", "-H", "Content-Type: application/json", "-d", ingest, base + "/v1/ingest"},
           &output),
      0)
      << output;
  EXPECT_EQ(CurlStatus(output), 401) << output;
  EXPECT_NE(output.find("WWW-Authenticate: Bearer"), std::string::npos) << output;

  ASSERT_EQ(Curl({"-H", std::string("Authorization: Bearer ") + kTlsToken, "-H",
                  "Content-Type: application/json", "-d", ingest, base + "/v1/ingest"},
                 &output),
            0)
      << output;
  EXPECT_EQ(CurlStatus(output), 200) << output;
  ASSERT_EQ(
      Curl({"-H", std::string("Authorization: Bearer ") + kTlsToken, "-H",
            "Content-Type: application/json", "-d", R"({"query":"ext:txt"})", base + "/v1/analyze"},
           &output),
      0)
      << output;
  EXPECT_EQ(CurlStatus(output), 200) << output;
  EXPECT_NE(output.find((corpus / "ledger.txt").string()), std::string::npos) << output;

  // Plain HTTP to the TLS port gets no answer.
  const int plain = Curl({"http://" + daemon->http_address() + "/healthz"}, &output);
  EXPECT_FALSE(plain == 0 && CurlStatus(output) == 200) << output;
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();  // clean shutdown, sanitizers included
}

TEST_F(TlsTest, CurlOverMutualTlsNeedsTheClientCertificate) {
  ASSERT_TRUE(security_testing::HaveProgram("curl")) << "curl is missing: run scripts/bootstrap";
  DaemonOptions opts;
  opts.http = true;
  opts.http_yaml = TlsYaml(pki().server_cert, pki().server_key, pki().ca_cert);
  auto daemon = Start(opts);
  ASSERT_NE(daemon, nullptr);
  const std::string url = "https://" + daemon->http_address() + "/v1/plugins";
  std::string output;
  EXPECT_NE(Curl({url}, &output), 0) << "no client certificate: " << output;
  EXPECT_NE(Curl({"--cert", pki().rogue_client_cert.string(), "--key",
                  pki().rogue_client_key.string(), url},
                 &output),
            0)
      << "a certificate from another CA: " << output;
  ASSERT_EQ(Curl({"--cert", pki().client_cert.string(), "--key", pki().client_key.string(), url},
                 &output),
            0)
      << output;
  EXPECT_EQ(CurlStatus(output), 200) << output;
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();  // clean shutdown, sanitizers included
}

TEST_F(TlsTest, UnusableCertificateFilesStopStartUpNamingTheKeyAndFile) {
  struct Case {
    std::string grpc_yaml;
    std::string http_yaml;
    std::string expected;
  };
  const fs::path missing = suite_->dir.path() / "no-such-cert.pem";
  const std::vector<Case> cases = {
      {TlsYaml(missing, pki().server_key), "",
       "server.grpc.tls.cert: cannot read " + missing.string()},
      {TlsYaml(pki().server_cert, pki().client_key), "",
       "server.grpc.tls.key: " + pki().client_key.string() +
           " is not the private key of the certificate in " + pki().server_cert.string()},
      {"", TlsYaml(pki().server_key, pki().server_key),
       "server.http.tls.cert: " + pki().server_key.string() + " holds no PEM certificate"},
      {"", TlsYaml(pki().server_cert, pki().server_key, pki().server_key),
       "server.http.tls.client_ca: " + pki().server_key.string() + " holds no PEM certificate"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    DaemonOptions opts;
    opts.http = true;
    opts.grpc_yaml = c.grpc_yaml;
    opts.http_yaml = c.http_yaml;
    std::string error;
    auto daemon = Daemon::Start(opts, &error);
    EXPECT_EQ(daemon, nullptr);
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace archivum
