// Runs the real `archivum` binary against FakeServer and checks what a user sees: stdout, stderr
// and the exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/fake_server.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace archivum::cli::testing {
namespace {

using archivum::testing::ProcessOptions;
using archivum::testing::ProcessResult;
using archivum::testing::RunProcess;
using archivum::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

#ifndef ARCHIVUM_CLI_PATH
#error "ARCHIVUM_CLI_PATH must point at the archivum binary"
#endif

// A TCP port on 127.0.0.1 that no server answers on. Bound for its whole life, so nobody else
// takes it while the test runs.
class DeadPort {
 public:
  enum Kind {
    kRefusing,  // not listening: connections are refused at once
    kSilent,    // listening but never accepting or speaking: the kernel completes the TCP
                // handshake, the HTTP/2 handshake never happens, the channel stays CONNECTING
  };

  explicit DeadPort(Kind kind) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (kind == kSilent && listen(fd_, 16) != 0)) {
      throw std::runtime_error("cannot reserve a port");
    }
    address_ = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  }
  ~DeadPort() { close(fd_); }
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
};

class CliEndToEndTest : public ::testing::Test {
 protected:
  // Runs archivum with `args` in the temporary directory, against the fake server unless the
  // arguments name another one. ARCHIVUM_SERVER is removed so the developer's environment cannot
  // leak in.
  ProcessResult Run(std::vector<std::string> args, bool add_server = true) {
    if (add_server) args.insert(args.begin(), {"--server", server_.address()});
    args.insert(args.begin(), ARCHIVUM_CLI_PATH);
    ProcessOptions options;
    options.cwd = dir_.path();
    options.unset_env = {"ARCHIVUM_SERVER"};
    return RunProcess(args, options);
  }

  FakeServer server_;
  TempDir dir_;
};

// --- ingest ---

TEST_F(CliEndToEndTest, IngestMakesRelativePathAbsoluteAndPrintsSummary) {
  const ProcessResult r = Run({"ingest", "docs/./sub/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(server_.service().last_ingest().has_value());
  const std::string sent = server_.service().last_ingest()->path();
  EXPECT_EQ(sent, (std::filesystem::canonical(dir_.path()) / "docs" / "sub").string());
  EXPECT_TRUE(std::filesystem::path(sent).is_absolute());

  EXPECT_THAT(r.out, StartsWith("ingest " + sent + "\n"));
  EXPECT_THAT(r.out, HasSubstr("  seen           5\n"));
  EXPECT_THAT(r.out, HasSubstr("  ingested       3\n"));
  EXPECT_THAT(r.out, HasSubstr("  failed         1\n"));
  EXPECT_THAT(r.out, HasSubstr("  bytes          1.5 KiB (1536 bytes)\n"));
  EXPECT_THAT(r.out, HasSubstr("  duration       1.23 s\n"));
  EXPECT_THAT(r.out,
              HasSubstr("errors (1):\n"
                        "  /data/docs/locked.pdf: PERMISSION_DENIED: cannot open: Permission "
                        "denied\n"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(CliEndToEndTest, IngestSendsAbsolutePathUnchanged) {
  const ProcessResult r = Run({"ingest", "/srv/data/../data"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.service().last_ingest()->path(), "/srv/data/../data");
}

TEST_F(CliEndToEndTest, IngestJsonPrintsEveryFieldOfTheSummary) {
  const ProcessResult r = Run({"ingest", "/data/docs", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = nlohmann::json::parse(r.out);
  // proto3 JSON: 64-bit integers are strings; zero fields are printed too.
  EXPECT_EQ(json.at("filesSeen"), "5");
  EXPECT_EQ(json.at("filesRemoved"), "0");
  EXPECT_EQ(json.at("bytesIngested"), "1536");
  EXPECT_EQ(json.at("durationMs"), "1234");
  ASSERT_EQ(json.at("errors").size(), 1u);
  EXPECT_EQ(json.at("errors")[0].at("path"), "/data/docs/locked.pdf");
  EXPECT_EQ(json.at("errors")[0].at("code"), 7);
}

TEST_F(CliEndToEndTest, IngestQuietPrintsNothingOnSuccess) {
  const ProcessResult r = Run({"ingest", "--quiet", "/data/docs"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_EQ(server_.service().calls(), 1);
}

TEST_F(CliEndToEndTest, IngestQuietStillReportsErrors) {
  const ProcessResult r = Run({"ingest", "-q", "/data/missing"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err, "error: NOT_FOUND: no such path: /data/missing\n");
}

TEST_F(CliEndToEndTest, ServerErrorExitsOneWithCodeName) {
  const ProcessResult r = Run({"ingest", "/data/missing"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err, "error: NOT_FOUND: no such path: /data/missing\n");
}

TEST_F(CliEndToEndTest, UnavailableFromServerExitsThree) {
  const ProcessResult r = Run({"ingest", "/data/unavailable"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: UNAVAILABLE: shutting down\n");
}

// --- analyze ---

TEST_F(CliEndToEndTest, AnalyzeJoinsWordsAndPrintsTable) {
  const ProcessResult r = Run({"analyze", "quarterly", "report", "--limit", "3", "--offset", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(server_.service().last_analyze().has_value());
  EXPECT_EQ(server_.service().last_analyze()->query(), "quarterly report");
  EXPECT_EQ(server_.service().last_analyze()->limit(), 3u);
  EXPECT_EQ(server_.service().last_analyze()->offset(), 1u);

  EXPECT_THAT(r.out, StartsWith("PATH"));
  EXPECT_THAT(r.out, HasSubstr("/data/docs/report.txt  12.500  the quarterly [report] is late\n"));
  // An empty snippet leaves the row without trailing blanks.
  EXPECT_THAT(r.out, HasSubstr("/data/docs/notes.md     3.250\n"));
  // A long snippet is cut, not wrapped.
  EXPECT_THAT(r.out, AllOf(HasSubstr("..."), Not(HasSubstr("END-OF-SNIPPET"))));
  EXPECT_THAT(r.out, HasSubstr("\n5 results (showing 2-4)\n"));
}

TEST_F(CliEndToEndTest, AnalyzeJsonPrintsResponse) {
  const ProcessResult r = Run({"--json", "analyze", "report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json.at("hits").size(), 3u);
  EXPECT_EQ(json.at("results")[0], "/data/docs/report.txt");
  EXPECT_EQ(json.at("hits")[0].at("score"), 12.5);
  EXPECT_EQ(json.at("hits")[1].at("snippet"), "");
  EXPECT_EQ(json.at("total"), "5");
}

TEST_F(CliEndToEndTest, AnalyzeTakesDashWordsAfterDoubleDash) {
  const ProcessResult r = Run({"analyze", "--", "-draft", "report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.service().last_analyze()->query(), "-draft report");
}

TEST_F(CliEndToEndTest, AnalyzeMalformedQueryExitsOne) {
  const ProcessResult r = Run({"analyze", "bad("});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: INVALID_ARGUMENT: unbalanced parenthesis at column 4\n");
}

// The fake never answers "hang": the deadline expires after the connection was made, which is a
// server error (1), not an unreachable server (3).
TEST_F(CliEndToEndTest, SlowCallIsDeadlineExceededNotUnreachable) {
  const ProcessResult r = Run({"--timeout", "0.5", "analyze", "hang"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: DEADLINE_EXCEEDED"));
}

// --- health ---

TEST_F(CliEndToEndTest, HealthServingExitsZero) {
  const ProcessResult r = Run({"health"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SERVING\n");
}

TEST_F(CliEndToEndTest, HealthJson) {
  const ProcessResult r = Run({"health", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json({{"status", "SERVING"}}));
}

TEST_F(CliEndToEndTest, HealthNotServingExitsOne) {
  server_.SetServing(false);
  const ProcessResult r = Run({"health"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "NOT_SERVING\n");
}

TEST_F(CliEndToEndTest, HealthOfUnknownServiceIsServerError) {
  const ProcessResult r = Run({"health", "--service", "no.such.Service"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: NOT_FOUND"));
}

// --- plugins ---

TEST_F(CliEndToEndTest, PluginsTableShowsFailureReason) {
  const ProcessResult r = Run({"plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME    VERSION  ABI  STAGE    STATE   ACCEPTS  CALLS  ERRORS     TIME\n"
            "magic   1.0.0    1.0  detect   loaded  */*         42       1  12.3 ms\n"
            "broken  0.1.0    2.0  analyze  failed  -            0       0     0 us\n"
            "  reason: requires plugin ABI 2.0, host provides 1.0\n"
            "2 plugins (1 loaded, 1 failed, 0 disabled); host ABI 1.0\n");
}

TEST_F(CliEndToEndTest, PluginsJson) {
  const ProcessResult r = Run({"plugins", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("hostAbiVersion"), "1.0");
  ASSERT_EQ(json.at("plugins").size(), 2u);
  EXPECT_EQ(json.at("plugins")[1].at("state"), "FAILED");
  EXPECT_EQ(json.at("plugins")[1].at("reason"), "requires plugin ABI 2.0, host provides 1.0");
}

// --- get ---

TEST_F(CliEndToEndTest, GetPrintsDocumentForRelativePath) {
  const ProcessResult r = Run({"get", "report.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = (std::filesystem::canonical(dir_.path()) / "report.txt").string();
  EXPECT_EQ(server_.service().last_get()->path(), path);
  EXPECT_EQ(r.out,
            "path       " + path +
                "\n"
                "mime       text/plain\n"
                "size       2.0 KiB (2048 bytes)\n"
                "modified   2023-11-14T22:13:20Z\n"
                "sha256     9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
                "ingested   2023-11-14T22:14:20Z\n"
                "analyzers  magic@1.0.0, hash@0.2.0\n"
                "findings (1):\n"
                "  PLUGIN  KEY  VALUE\n"
                "  hash    md5  098f6bcd4621d373cade4e832627b4f6\n");
}

TEST_F(CliEndToEndTest, GetKeepsUploadNames) {
  const ProcessResult r = Run({"get", "upload:notes.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server_.service().last_get()->path(), "upload:notes.txt");
}

TEST_F(CliEndToEndTest, GetJson) {
  const ProcessResult r = Run({"get", "/data/a.txt", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("path"), "/data/a.txt");
  EXPECT_EQ(json.at("parent"), "");
  EXPECT_EQ(json.at("findings")[0].at("key"), "md5");
}

TEST_F(CliEndToEndTest, GetMissingDocumentExitsOne) {
  const ProcessResult r = Run({"get", "/data/nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: NOT_FOUND: not cataloged: /data/nope\n");
}

// --- connection, options, usage ---

TEST_F(CliEndToEndTest, UnreachableServerExitsThree) {
  const DeadPort port(DeadPort::kRefusing);
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"health"}, {"ingest", "/data"}, {"analyze", "x"}}) {
    std::vector<std::string> args = {"--server", port.address()};
    args.insert(args.end(), command.begin(), command.end());
    const ProcessResult r = Run(args, /*add_server=*/false);
    EXPECT_EQ(r.exit_code, 3) << command[0];
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("error: UNAVAILABLE: cannot connect to " + port.address()));
  }
}

// A server that accepts TCP but never speaks gRPC: "unreachable" once the deadline passes while
// connecting, as opposed to SlowCallIsDeadlineExceededNotUnreachable.
TEST_F(CliEndToEndTest, ConnectionThatNeverCompletesExitsThreeAtDeadline) {
  const DeadPort port(DeadPort::kSilent);
  const ProcessResult r = Run({"--server", port.address(), "--timeout", "0.5", "plugins"},
                              /*add_server=*/false);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, StartsWith("error: DEADLINE_EXCEEDED: no connection to " + port.address() +
                                " within 500.0 ms"));
}

TEST_F(CliEndToEndTest, GlobalOptionsWorkAfterSubcommand) {
  const ProcessResult r =
      Run({"health", "--server", server_.address(), "--json", "--timeout", "10"},
          /*add_server=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("status"), "SERVING");
}

TEST_F(CliEndToEndTest, ServerComesFromEnvironmentAndFlagOverridesIt) {
  ProcessOptions options;
  options.cwd = dir_.path();
  options.set_env = {{"ARCHIVUM_SERVER", server_.address()}};
  ProcessResult r = RunProcess({ARCHIVUM_CLI_PATH, "health"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;

  const DeadPort port(DeadPort::kRefusing);
  options.set_env = {{"ARCHIVUM_SERVER", port.address()}};
  r = RunProcess({ARCHIVUM_CLI_PATH, "health"}, options);
  EXPECT_EQ(r.exit_code, 3);
  r = RunProcess({ARCHIVUM_CLI_PATH, "--server", server_.address(), "health"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliEndToEndTest, UsageErrorsExitTwoWithoutCallingServer) {
  const std::vector<std::vector<std::string>> mistakes = {
      {},                                  // no subcommand
      {"frobnicate"},                      // unknown subcommand
      {"health", "--bogus"},               // unknown option
      {"analyze"},                         // missing query
      {"ingest"},                          // missing path
      {"ingest", "a", "b"},                // extra argument
      {"analyze", "x", "--limit", "ten"},  // malformed number
      {"--timeout", "-1", "health"},       // negative timeout
  };
  for (const std::vector<std::string>& args : mistakes) {
    const ProcessResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr("--help")) << ::testing::PrintToString(args);
  }
  EXPECT_EQ(server_.service().calls(), 0);
}

TEST_F(CliEndToEndTest, HelpAndVersionExitZero) {
  ProcessResult r = Run({"--help"}, /*add_server=*/false);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("Exit codes:"), HasSubstr("3  server unreachable")));
  r = Run({"--version"}, /*add_server=*/false);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("archivum "));
}

}  // namespace
}  // namespace archivum::cli::testing
