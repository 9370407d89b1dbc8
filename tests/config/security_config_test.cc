// The security and limit keys of the config: defaults, parsing, and the file:line:col errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config.h"
#include "config/test_util.h"

namespace archivum::config {
namespace {

namespace fs = std::filesystem;
using testing::ErrorOf;
using testing::Parse;

TEST(SecurityConfigTest, DefaultsAreSecureAndBounded) {
  const Config c;
  EXPECT_FALSE(c.auth.enabled());
  EXPECT_TRUE(c.auth.open_health);
  EXPECT_FALSE(c.server.grpc.tls.enabled());
  EXPECT_FALSE(c.server.http.tls.enabled());
  EXPECT_FALSE(c.server.allow_insecure_remote);
  EXPECT_EQ(c.server.grpc.listen.rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(c.server.http.listen.rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(c.server.max_query_bytes, 4096u);
  EXPECT_EQ(c.ingest.max_files_per_request, 1'000'000u);
  EXPECT_EQ(c.ingest.max_bytes_per_request, uint64_t{1} << 40);
  EXPECT_EQ(c.ingest.max_concurrent, 4u);
}

TEST(SecurityConfigTest, EveryKeySetsItsField) {
  StatusOr<Config> config = Parse(R"(
server:
  grpc:
    listen: 0.0.0.0:50051
    tls:
      cert: tls/grpc.pem
      key: /keys/grpc.key
      client_ca: tls/ca.pem
  http:
    tls:
      cert: tls/http.pem
      key: tls/http.key
  allow_insecure_remote: true
  max_query_length: 8k
ingest:
  max_files_per_request: 50
  max_bytes_per_request: 100M
  max_concurrent: 2
auth:
  tokens_file: tokens.txt
  open_health: false
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Config& c = *config;
  EXPECT_EQ(c.server.grpc.tls.cert, fs::path("/etc/archivum/tls/grpc.pem"));
  EXPECT_EQ(c.server.grpc.tls.key, fs::path("/keys/grpc.key"));
  EXPECT_EQ(c.server.grpc.tls.client_ca, fs::path("/etc/archivum/tls/ca.pem"));
  EXPECT_EQ(c.server.http.tls.cert, fs::path("/etc/archivum/tls/http.pem"));
  EXPECT_EQ(c.server.http.tls.key, fs::path("/etc/archivum/tls/http.key"));
  EXPECT_TRUE(c.server.http.tls.client_ca.empty());
  EXPECT_TRUE(c.server.allow_insecure_remote);
  EXPECT_EQ(c.server.max_query_bytes, 8192u);
  EXPECT_EQ(c.ingest.max_files_per_request, 50u);
  EXPECT_EQ(c.ingest.max_bytes_per_request, uint64_t{100} << 20);
  EXPECT_EQ(c.ingest.max_concurrent, 2u);
  EXPECT_EQ(c.auth.tokens_file, fs::path("/etc/archivum/tokens.txt"));
  EXPECT_FALSE(c.auth.open_health);
}

TEST(SecurityConfigTest, EmptyPathsMeanNotSet) {
  StatusOr<Config> config = Parse(R"(
server:
  grpc:
    tls:
      cert: ""
      key:
      client_ca: ""
auth:
  tokens_file: ""
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->server.grpc.tls.enabled());
  EXPECT_FALSE(config->auth.enabled());
}

TEST(SecurityConfigTest, TlsNeedsACertificateAndItsKeyTogether) {
  EXPECT_EQ(ErrorOf("server:\n  grpc:\n    tls:\n      cert: c.pem\n"),
            "test.yaml:4:13: server.grpc.tls.cert: expected server.grpc.tls.key (the "
            "certificate's private key) to be set too, got a certificate without a key");
  EXPECT_EQ(ErrorOf("server:\n  http:\n    tls:\n      key: k.pem\n"),
            "test.yaml:4:12: server.http.tls.key: expected server.http.tls.cert to be set too, "
            "got a key without a certificate");
  EXPECT_EQ(ErrorOf("server:\n  http:\n    tls:\n      client_ca: ca.pem\n"),
            "test.yaml:4:18: server.http.tls.client_ca: expected server.http.tls.cert to be set "
            "too (mutual TLS needs server TLS), got a client CA without a certificate");
}

TEST(SecurityConfigTest, UnknownKeysInTheNewSectionsAreErrors) {
  EXPECT_EQ(ErrorOf("auth:\n  token_file: t\n"),
            "test.yaml:2:3: auth.token_file: expected one of the keys tokens_file, open_health, "
            "got 'token_file'");
  EXPECT_EQ(ErrorOf("server:\n  grpc:\n    tls:\n      ca: x\n"),
            "test.yaml:4:7: server.grpc.tls.ca: expected one of the keys cert, key, client_ca, "
            "got 'ca'");
}

TEST(SecurityConfigTest, LimitsAreValidated) {
  EXPECT_EQ(ErrorOf("ingest:\n  max_concurrent: 0\n"),
            "test.yaml:2:19: ingest.max_concurrent: expected an integer of at least 1, got '0'");
  EXPECT_EQ(ErrorOf("ingest:\n  max_files_per_request: 0\n"),
            "test.yaml:2:26: ingest.max_files_per_request: expected an integer of at least 1, "
            "got '0'");
  EXPECT_EQ(ErrorOf("ingest:\n  max_bytes_per_request: 0\n"),
            "test.yaml:2:26: ingest.max_bytes_per_request: expected a size greater than 0, got "
            "'0'");
  EXPECT_EQ(ErrorOf("server:\n  max_query_length: 2M\n"),
            "test.yaml:2:21: server.max_query_length: expected a size in 1..1M, got '2M'");
  EXPECT_EQ(ErrorOf("server:\n  allow_insecure_remote: yes\n"),
            "test.yaml:2:26: server.allow_insecure_remote: expected true or false, got 'yes'");
}

}  // namespace
}  // namespace archivum::config
