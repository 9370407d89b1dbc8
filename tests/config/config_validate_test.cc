// Validate(): the rules applied after command-line overrides, named by key path.
#include <functional>
#include <string>

#include "config/config.h"
#include "gtest/gtest.h"

namespace archivum::config {
namespace {

using std::chrono::milliseconds;

TEST(ConfigValidateTest, DefaultsAreValid) {
  Status status = Validate(Config());
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(ConfigValidateTest, LargestValuesAreValid) {
  Config c;
  c.server.grpc.max_receive_message_bytes = 2ull << 30;
  c.server.grpc.max_send_message_bytes = 2ull << 30;
  c.ingest.workers = 1024;
  c.server.shutdown_deadline = milliseconds(0);
  Status status = Validate(c);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

struct Rule {
  const char* name;
  std::function<void(Config&)> change;
  const char* message;
};

class ConfigValidateRuleTest : public ::testing::TestWithParam<Rule> {};

TEST_P(ConfigValidateRuleTest, NamesTheKeyPath) {
  Config config;
  GetParam().change(config);
  Status status = Validate(config);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ConfigValidateRuleTest,
    ::testing::Values(
        Rule{"GrpcListen", [](Config& c) { c.server.grpc.listen = ""; },
             "server.grpc.listen: expected host:port, got ''"},
        Rule{"HttpListen", [](Config& c) { c.server.http.listen = "::1:80"; },
             "server.http.listen: expected host:port with an IPv6 host in brackets, e.g. "
             "[::1]:50051, got '::1:80'"},
        Rule{"SamePort", [](Config& c) { c.server.http.listen = "0.0.0.0:50051"; },
             "server.http.listen: expected a port other than server.grpc.listen's, got "
             "'0.0.0.0:50051'"},
        Rule{"MessageSize",
             [](Config& c) { c.server.grpc.max_send_message_bytes = (2ull << 30) + 1; },
             "server.grpc.max_send_message_size: expected a size in 1..2G, got '2147483649'"},
        Rule{"KeepaliveTime", [](Config& c) { c.server.grpc.keepalive.time = milliseconds(0); },
             "server.grpc.keepalive.time: expected a duration greater than 0, got '0s'"},
        Rule{"MinPingInterval",
             [](Config& c) { c.server.grpc.keepalive.min_ping_interval = milliseconds(-1); },
             "server.grpc.keepalive.min_ping_interval: expected a duration of at least 0s, got "
             "'-1ms'"},
        Rule{"MaxThreads", [](Config& c) { c.server.grpc.max_threads = -1; },
             "server.grpc.resource_quota.max_threads: expected an integer of at least 0, got "
             "'-1'"},
        Rule{"MaxConnections", [](Config& c) { c.server.http.max_connections = -5; },
             "server.http.max_connections: expected an integer of at least 1, got '-5'"},
        Rule{"MaxBody", [](Config& c) { c.server.http.max_body_bytes = 0; },
             "server.http.max_body_size: expected a size greater than 0, got '0'"},
        Rule{"ShutdownDeadline",
             [](Config& c) { c.server.shutdown_deadline = milliseconds(-1500); },
             "server.shutdown_deadline: expected a duration of at least 0s, got '-1500ms'"},
        Rule{"StorePath", [](Config& c) { c.store.path.clear(); },
             "store.path: expected a non-empty path, got ''"},
        Rule{"PluginDirectory",
             [](Config& c) {
               c.plugins.directories = {"/a", ""};
             },
             "plugins.directories[1]: expected a non-empty path, got ''"},
        Rule{"PluginName", [](Config& c) { c.plugins.settings["bad/name"]; },
             "plugins.settings.bad/name: expected a plugin name of letters, digits, '_', '.' and "
             "'-', got 'bad/name'"},
        Rule{"PluginDots", [](Config& c) { c.plugins.settings[".."]; },
             "plugins.settings...: expected a plugin name of letters, digits, '_', '.' and '-', "
             "got '..'"},
        Rule{"PluginAccept",
             [](Config& c) {
               c.plugins.settings["x"].accept = {"text/*", "text"};
             },
             "plugins.settings.x.accept[1]: expected a MIME type or pattern such as text/plain or "
             "text/*, got 'text'"},
        Rule{"PluginReject", [](Config& c) { c.plugins.settings["x"].reject = {"a/b c"}; },
             "plugins.settings.x.reject[0]: expected a MIME type or pattern such as text/plain or "
             "text/*, got 'a/b c'"},
        Rule{"PluginTimeout", [](Config& c) { c.plugins.settings["x"].timeout = milliseconds(0); },
             "plugins.settings.x.timeout: expected a duration greater than 0, got '0s'"},
        Rule{"PluginMaxFileSize", [](Config& c) { c.plugins.settings["x"].max_file_size = 0; },
             "plugins.settings.x.max_file_size: expected a size greater than 0, got '0'"},
        Rule{"PluginSha256", [](Config& c) { c.plugins.settings["x"].sha256 = "abc"; },
             "plugins.settings.x.sha256: expected a SHA-256 digest of 64 hex digits, got 'abc'"},
        Rule{"PluginConfig", [](Config& c) { c.plugins.settings["x"].config_json = "[1]"; },
             "plugins.settings.x.config: expected a JSON object, got '[1]'"},
        Rule{"IngestRoot", [](Config& c) { c.ingest.roots = {""}; },
             "ingest.roots[0]: expected a non-empty path, got ''"},
        Rule{"Workers", [](Config& c) { c.ingest.workers = 2000; },
             "ingest.workers: expected an integer in 0..1024, got '2000'"},
        Rule{"MaxFileSize", [](Config& c) { c.ingest.max_file_size = 0; },
             "ingest.max_file_size: expected a size greater than 0, got '0'"},
        Rule{"MaxExpandedSize", [](Config& c) { c.ingest.max_expanded_bytes = 0; },
             "ingest.max_expanded_size: expected a size greater than 0, got '0'"},
        Rule{"LogLevel", [](Config& c) { c.log.level = "INFO"; },
             "log.level: expected one of trace, debug, info, warn, error, critical, off, got "
             "'INFO'"}),
    [](const ::testing::TestParamInfo<Rule>& rule) { return std::string(rule.param.name); });

TEST(ConfigValidateTest, ReportsTheFirstProblemInFileOrder) {
  Config c;
  c.log.level = "loud";
  c.server.grpc.listen = "nowhere";
  EXPECT_EQ(Validate(c).message(), "server.grpc.listen: expected host:port, got 'nowhere'");
}

}  // namespace
}  // namespace archivum::config
