// ParseConfig: schema, strictness and the exact "source:line:col: key.path: ..." messages.
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace archivum::config {
namespace {

namespace fs = std::filesystem;
using testing::ErrorOf;
using testing::ExpectDefaultsExceptPaths;
using testing::Parse;
using testing::ScopedEnv;

TEST(ConfigParseTest, EmptyOrCommentOnlyTextGivesDefaults) {
  for (std::string_view yaml :
       {"", "# nothing here\n", "---\n", "server:\nplugins:\n  settings:\n"}) {
    SCOPED_TRACE(yaml);
    StatusOr<Config> config = Parse(yaml);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    ExpectDefaultsExceptPaths(*config);
    EXPECT_EQ(config->store.path, Config().store.path);
    EXPECT_TRUE(config->plugins.directories.empty());
    EXPECT_TRUE(config->ingest.roots.empty());
    EXPECT_TRUE(config->source.empty());
  }
}

TEST(ConfigParseTest, EveryKeySetsItsField) {
  StatusOr<Config> config = Parse(R"(
server:
  grpc:
    listen: "[::1]:0"
    max_receive_message_size: 8M
    max_send_message_size: 2G
    keepalive:
      time: 30m
      timeout: 5s
      permit_without_calls: true
      min_ping_interval: 0
    resource_quota:
      memory: 0
      max_threads: 8
  http:
    enabled: false
    listen: 0.0.0.0:9090
    max_body_size: 1k
    max_header_size: 8KiB
    max_connections: 10
    idle_timeout: 1h30m
    header_timeout: 250ms
  shutdown_deadline: 0
store:
  path: /var/lib/archivum
  backend: sqlite
plugins:
  directories: [/opt/archivum/plugins]
ingest:
  roots: [/srv/a, /srv/b]
  workers: 1024
  max_file_size: 2G
  max_reported_errors: 0
  max_depth: 0
  max_members: 4294967295
  max_expanded_size: 10G
log:
  level: debug
  format: json
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Config& c = *config;
  using std::chrono::milliseconds;
  EXPECT_EQ(c.server.grpc.listen, "[::1]:0");
  EXPECT_EQ(c.server.grpc.max_receive_message_bytes, 8u << 20);
  EXPECT_EQ(c.server.grpc.max_send_message_bytes, 2ull << 30);
  EXPECT_EQ(c.server.grpc.keepalive.time, milliseconds(30 * 60 * 1000));
  EXPECT_EQ(c.server.grpc.keepalive.timeout, milliseconds(5000));
  EXPECT_TRUE(c.server.grpc.keepalive.permit_without_calls);
  EXPECT_EQ(c.server.grpc.keepalive.min_ping_interval, milliseconds(0));
  EXPECT_EQ(c.server.grpc.resource_quota_bytes, 0u);
  EXPECT_EQ(c.server.grpc.max_threads, 8);
  EXPECT_FALSE(c.server.http.enabled);
  EXPECT_EQ(c.server.http.listen, "0.0.0.0:9090");
  EXPECT_EQ(c.server.http.max_body_bytes, 1024u);
  EXPECT_EQ(c.server.http.max_header_bytes, 8192u);
  EXPECT_EQ(c.server.http.max_connections, 10);
  EXPECT_EQ(c.server.http.idle_timeout, milliseconds(90 * 60 * 1000));
  EXPECT_EQ(c.server.http.header_timeout, milliseconds(250));
  EXPECT_EQ(c.server.shutdown_deadline, milliseconds(0));
  EXPECT_EQ(c.store.path, fs::path("/var/lib/archivum"));
  EXPECT_EQ(c.store.backend, StoreBackend::kSqlite);
  EXPECT_EQ(c.plugins.directories, std::vector<fs::path>{"/opt/archivum/plugins"});
  EXPECT_EQ(c.ingest.roots, (std::vector<fs::path>{"/srv/a", "/srv/b"}));
  EXPECT_EQ(c.ingest.workers, 1024u);
  EXPECT_EQ(c.ingest.max_file_size, 2ull << 30);
  EXPECT_EQ(c.ingest.max_reported_errors, 0u);
  EXPECT_EQ(c.ingest.max_depth, 0u);
  EXPECT_EQ(c.ingest.max_members, 4294967295u);
  EXPECT_EQ(c.ingest.max_expanded_bytes, 10ull << 30);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, LogFormat::kJson);
}

TEST(ConfigParseTest, MalformedYamlNamesSourceLineAndColumn) {
  EXPECT_EQ(ErrorOf("log:\n  level: a: b\n"), "test.yaml:2:11: illegal map value");
  // A key indented one space short of its siblings.
  EXPECT_EQ(ErrorOf("server:\n  grpc:\n    listen: x\n   http: {}\n"),
            "test.yaml:4:4: end of map not found");
  // yaml-cpp notices the unclosed flow sequence where the next mapping begins.
  EXPECT_EQ(ErrorOf("server:\n  grpc: [1, 2\nlog: {}\n"),
            "test.yaml:3:4: end of sequence flow not found");
}

TEST(ConfigParseTest, WatchedDirectoriesMustLieUnderARoot) {
  auto parsed = ParseConfig(
      "ingest:\n  roots: [/srv/a]\n  watch: [/srv/a/docs, /srv/a]\n  watch_settle: 250ms\n",
      "test.yaml", "/");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ingest.watch, (std::vector<fs::path>{"/srv/a/docs", "/srv/a"}));
  EXPECT_EQ(parsed->ingest.watch_settle, std::chrono::milliseconds(250));
  EXPECT_EQ(ErrorOf("ingest:\n  roots: [/srv/a]\n  watch:\n    - /srv/a/docs\n    - /srv/ab\n"),
            "test.yaml:5:7: ingest.watch[1]: expected a directory under ingest.roots, got "
            "'/srv/ab'");
  EXPECT_EQ(ErrorOf("ingest:\n  roots: [/srv]\n  watch: [/srv/x]\n  watch_settle: 0s\n"),
            "test.yaml:4:17: ingest.watch_settle: expected a duration in 10ms..10m, got '0s'");
}

TEST(ConfigParseTest, UnknownTopLevelKeyIsAnError) {
  EXPECT_EQ(ErrorOf("server: {}\nsever:\n  grpc: {}\n"),
            "test.yaml:2:1: sever: expected one of the keys server, store, plugins, ingest, auth, "
            "log, got 'sever'");
}

TEST(ConfigParseTest, UnknownNestedKeyNamesItsPath) {
  EXPECT_EQ(ErrorOf("server:\n  grpc:\n    listen: 127.0.0.1:1\n    lisen: x\n"),
            "test.yaml:4:5: server.grpc.lisen: expected one of the keys listen, "
            "max_receive_message_size, max_send_message_size, keepalive, resource_quota, tls, got "
            "'lisen'");
  EXPECT_EQ(ErrorOf("server:\n  grpc:\n    keepalive:\n      interval: 5s\n"),
            "test.yaml:4:7: server.grpc.keepalive.interval: expected one of the keys time, "
            "timeout, permit_without_calls, min_ping_interval, got 'interval'");
}

TEST(ConfigParseTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(
      ErrorOf("log:\n  level: info\n  level: debug\n"),
      "test.yaml:3:3: log.level: expected each key once, got 'level' again (first on line 2)");
}

TEST(ConfigParseTest, SecondDocumentIsAnError) {
  EXPECT_EQ(ErrorOf("log: {}\n---\nstore: {}\n"),
            "test.yaml:3:1: expected a single YAML document, got another one");
  EXPECT_TRUE(Parse("log: {}\n---\n").ok());
}

struct ErrorCase {
  const char* yaml;
  const char* message;
};

class ConfigWrongTypeTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigWrongTypeTest, PointsAtTheValue) {
  EXPECT_EQ(ErrorOf(GetParam().yaml), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigWrongTypeTest,
    ::testing::Values(
        ErrorCase{"- server\n", "test.yaml:1:1: expected a map at the top level, got '[server]'"},
        ErrorCase{"server: 5\n", "test.yaml:1:9: server: expected a map, got '5'"},
        ErrorCase{"? [a, b]\n: 1\n", "test.yaml:1:3: expected a key, got '[a, b]'"},
        ErrorCase{"server:\n  grpc:\n    listen: {a: 1}\n",
                  "test.yaml:3:13: server.grpc.listen: expected host:port, got '{a: 1}'"},
        ErrorCase{"{server: {grpc: {listen: [a]}}}",
                  "test.yaml:1:26: server.grpc.listen: expected host:port, got '[a]'"},
        // An empty value is marked by yaml-cpp on the next line; the error points at the key.
        ErrorCase{"server:\n  grpc:\n    listen:\n  http: {}\n",
                  "test.yaml:3:5: server.grpc.listen: expected host:port, got ''"},
        ErrorCase{"ingest:\n  workers: abc\n",
                  "test.yaml:2:12: ingest.workers: expected a non-negative integer, got 'abc'"},
        ErrorCase{"ingest:\n  workers: -1\n",
                  "test.yaml:2:12: ingest.workers: expected a non-negative integer, got '-1'"},
        ErrorCase{"ingest:\n  max_depth: 4294967296\n",
                  "test.yaml:2:14: ingest.max_depth: expected an integer in 0..4294967295, got "
                  "'4294967296'"},
        ErrorCase{"server:\n  http:\n    enabled: yes\n",
                  "test.yaml:3:14: server.http.enabled: expected true or false, got 'yes'"},
        ErrorCase{"ingest:\n  roots: /tmp\n",
                  "test.yaml:2:10: ingest.roots: expected a list of paths, got '/tmp'"},
        ErrorCase{"ingest:\n  roots: [/tmp, [a, b]]\n",
                  "test.yaml:2:17: ingest.roots[1]: expected a path, got '[a, b]'"},
        ErrorCase{"log:\n  format: xml\n",
                  "test.yaml:2:11: log.format: expected text or json, got 'xml'"},
        ErrorCase{"server:\n  shutdown_deadline: soon\n",
                  "test.yaml:2:22: server.shutdown_deadline: expected a duration such as 250ms, "
                  "5s, 2m or 1h, got 'soon'"},
        ErrorCase{"ingest:\n  max_file_size: 1.5G\n",
                  "test.yaml:2:18: ingest.max_file_size: expected a size such as 512, 4k, 100M or "
                  "1G, got '1.5G'"},
        ErrorCase{"ingest:\n  max_file_size: 99999999999T\n",
                  "test.yaml:2:18: ingest.max_file_size: expected a size below 2^64 bytes, got "
                  "'99999999999T'"},
        ErrorCase{"store:\n  path: ''\n",
                  "test.yaml:2:9: store.path: expected a non-empty path, got ''"},
        ErrorCase{"store:\n  backend: [sqlite]\n",
                  "test.yaml:2:12: store.backend: expected sqlite, got '[sqlite]'"}));

class ConfigInvalidValueTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigInvalidValueTest, PointsAtTheValue) {
  EXPECT_EQ(ErrorOf(GetParam().yaml), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigInvalidValueTest,
    ::testing::Values(
        ErrorCase{"server:\n  grpc:\n    listen: localhost\n",
                  "test.yaml:3:13: server.grpc.listen: expected host:port, got 'localhost'"},
        ErrorCase{"server:\n  http:\n    listen: 127.0.0.1:70000\n",
                  "test.yaml:3:13: server.http.listen: expected host:port with a port in "
                  "0..65535, got '127.0.0.1:70000'"},
        ErrorCase{"ingest:\n  workers: 5000\n",
                  "test.yaml:2:12: ingest.workers: expected an integer in 0..1024, got '5000'"},
        ErrorCase{"server:\n  grpc:\n    max_receive_message_size: 3G\n",
                  "test.yaml:3:31: server.grpc.max_receive_message_size: expected a size in "
                  "1..2G, got '3G'"},
        ErrorCase{"server:\n  grpc:\n    max_send_message_size: 0\n",
                  "test.yaml:3:28: server.grpc.max_send_message_size: expected a size in 1..2G, "
                  "got '0'"},
        ErrorCase{"store:\n  backend: postgres\n",
                  "test.yaml:2:12: store.backend: expected sqlite, got 'postgres'"},
        ErrorCase{"log:\n  level: verbose\n",
                  "test.yaml:2:10: log.level: expected one of trace, debug, info, warn, error, "
                  "critical, off, got 'verbose'"},
        ErrorCase{"server:\n  http:\n    max_connections: 0\n",
                  "test.yaml:3:22: server.http.max_connections: expected an integer of at least "
                  "1, got '0'"},
        ErrorCase{"server:\n  http:\n    header_timeout: 0s\n",
                  "test.yaml:3:21: server.http.header_timeout: expected a duration greater than "
                  "0, got '0s'"},
        ErrorCase{"server:\n  grpc:\n    listen: 0.0.0.0:9000\n  http:\n    listen: "
                  "127.0.0.1:9000\n",
                  "test.yaml:5:13: server.http.listen: expected a port other than "
                  "server.grpc.listen's, got '127.0.0.1:9000'"},
        // The default gRPC port counts too, though the file never mentions it.
        ErrorCase{"server:\n  http:\n    listen: 127.0.0.1:50051\n",
                  "test.yaml:3:13: server.http.listen: expected a port other than "
                  "server.grpc.listen's, got '127.0.0.1:50051'"}));

TEST(ConfigParseTest, SharedPortIsFineWhenHttpIsOffOrPortsArePicked) {
  EXPECT_TRUE(Parse("server:\n  http:\n    enabled: false\n    listen: 127.0.0.1:50051\n").ok());
  EXPECT_TRUE(
      Parse("server:\n  grpc: {listen: '127.0.0.1:0'}\n  http: {listen: '127.0.0.1:0'}\n").ok());
  EXPECT_TRUE(Parse("server:\n  http:\n    listen: 10.0.0.1:50051\n").ok());
}

TEST(ConfigParseTest, RelativePathsResolveAgainstBaseDir) {
  StatusOr<Config> config = Parse(R"(
store:
  path: data/../store/
plugins:
  directories: [plugins, /opt/p/, ./x/./y]
ingest:
  roots: [docs, /]
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.path, fs::path("/etc/archivum/store"));
  EXPECT_EQ(config->plugins.directories,
            (std::vector<fs::path>{"/etc/archivum/plugins", "/opt/p", "/etc/archivum/x/y"}));
  EXPECT_EQ(config->ingest.roots, (std::vector<fs::path>{"/etc/archivum/docs", "/"}));
}

TEST(ConfigParseTest, RelativeBaseDirIsMadeAbsolute) {
  StatusOr<Config> config = ParseConfig("store: {path: store}\n", "test.yaml", "conf");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.path, (fs::current_path() / "conf/store").lexically_normal());
}

TEST(ConfigParseTest, TildeExpandsToHome) {
  ScopedEnv home("HOME", "/home/tester");
  StatusOr<Config> config = Parse(R"(
store:
  path: ~/archivum
ingest:
  roots: ["~", "~/docs", "~/", /tmp]
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.path, fs::path("/home/tester/archivum"));
  EXPECT_EQ(config->ingest.roots,
            (std::vector<fs::path>{"/home/tester", "/home/tester/docs", "/home/tester", "/tmp"}));
}

TEST(ConfigParseTest, TildeWithoutHomeIsAnError) {
  const char* kYaml = "ingest:\n  roots: [\"~\"]\n";
  const char* kMessage =
      "test.yaml:2:11: ingest.roots[0]: expected $HOME to be set to expand ~, got '~'";
  {
    ScopedEnv home("HOME", std::nullopt);
    EXPECT_EQ(ErrorOf(kYaml), kMessage);
  }
  {
    ScopedEnv home("HOME", "");
    EXPECT_EQ(ErrorOf(kYaml), kMessage);
  }
}

TEST(ConfigParseTest, TildeMisusesAreExplained) {
  ScopedEnv home("HOME", "/home/tester");
  EXPECT_EQ(ErrorOf("ingest:\n  roots: [~bob]\n"),
            "test.yaml:2:11: ingest.roots[0]: expected ~ or ~/path (~user is not supported), got "
            "'~bob'");
  // Unquoted, ~ is YAML's null.
  EXPECT_EQ(ErrorOf("ingest:\n  roots:\n    - ~\n"),
            "test.yaml:3:7: ingest.roots[0]: expected a path (write \"~\" in quotes for $HOME), "
            "got '~'");
}

TEST(ConfigParseTest, ListsReplaceRatherThanAppend) {
  StatusOr<Config> config = Parse("ingest:\n  roots: []\nplugins:\n  directories:\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->ingest.roots.empty());
  EXPECT_TRUE(config->plugins.directories.empty());
}

TEST(ConfigBadInputTest, AStrayCommaIsAnErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7's LoadAll never advances past it (found by tests/fuzz/fuzz_config).
  for (const std::string yaml : {",", "\n\n  ,x", "---\n,"}) {
    auto config = config::ParseConfig(yaml, "bad.yaml", "/");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find("expected a YAML document"), std::string::npos)
        << config.status().message();
  }
  EXPECT_EQ(config::ParseConfig(",", "bad.yaml", "/").status().message(),
            "bad.yaml:1:1: expected a YAML document, got a token YAML cannot start one with (a "
            "stray ',' or flow indicator?)");
}

}  // namespace
}  // namespace archivum::config
