// Unit tests of the CLI's logic that needs no server: exit codes, timeouts, paths, the health
// wire format, the text renderings of each response, and command-line parsing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/analyze_command.h"
#include "cli/app.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/fake_server.h"
#include "cli/get_command.h"
#include "cli/health_command.h"
#include "cli/ingest_command.h"
#include "cli/json_output.h"
#include "cli/paths.h"
#include "cli/plugins_command.h"
#include "cli/quarantine_command.h"
#include "cli/watch_command.h"
#include "support/temp_dir.h"

namespace archivum::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

TEST(CliExitCodeTest, StatusCodeNames) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::NOT_FOUND), "NOT_FOUND");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_EQ(StatusCodeName(17), "CODE_17");
  EXPECT_EQ(StatusCodeName(-1), "CODE_-1");
}

TEST(CliExitCodeTest, CallStatusMapsToExitCode) {
  EXPECT_EQ(ExitCodeForCall(grpc::Status::OK), kExitOk);
  EXPECT_EQ(ExitCodeForCall({grpc::StatusCode::NOT_FOUND, ""}), kExitServerError);
  EXPECT_EQ(ExitCodeForCall({grpc::StatusCode::DEADLINE_EXCEEDED, ""}), kExitServerError);
  EXPECT_EQ(ExitCodeForCall({grpc::StatusCode::INTERNAL, ""}), kExitServerError);
  EXPECT_EQ(ExitCodeForCall({grpc::StatusCode::UNAVAILABLE, ""}), kExitUnreachable);
}

TEST(CliExitCodeTest, ErrorLineNamesCodeAndSanitizesMessage) {
  EXPECT_EQ(ErrorLine({grpc::StatusCode::NOT_FOUND, "no such path: /x"}),
            "error: NOT_FOUND: no such path: /x");
  EXPECT_EQ(ErrorLine({grpc::StatusCode::INTERNAL, ""}), "error: INTERNAL");
  EXPECT_EQ(ErrorLine({grpc::StatusCode::INVALID_ARGUMENT, "bad\x1b[2J\nquery"}),
            "error: INVALID_ARGUMENT: bad?[2J\nquery");
}

TEST(CliConnectionTest, ResolveTimeout) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ResolveTimeout(std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(ResolveTimeout(std::nullopt, kDefaultCallTimeout), kDefaultCallTimeout);
  EXPECT_EQ(ResolveTimeout(0.0, kDefaultCallTimeout), std::nullopt);
  EXPECT_EQ(ResolveTimeout(2.5, std::nullopt), milliseconds(2500));
  EXPECT_EQ(ResolveTimeout(0.0001, std::nullopt), milliseconds(1));
}

TEST(CliPathsTest, MakeAbsoluteNormalizesRelativePaths) {
  const archivum::testing::TempDir dir;
  const std::filesystem::path cwd = std::filesystem::canonical(dir.path()) / "home" / "user";
  std::filesystem::create_directories(cwd);
  EXPECT_EQ(MakeAbsolute("docs", cwd), (cwd / "docs").string());
  EXPECT_EQ(MakeAbsolute("./docs/../notes/", cwd), (cwd / "notes").string());
  EXPECT_EQ(MakeAbsolute("not/yet/there/", cwd), (cwd / "not/yet/there").string());
  EXPECT_EQ(MakeAbsolute(".", cwd), cwd.string());
  EXPECT_EQ(MakeAbsolute("..", cwd), cwd.parent_path().string());
  EXPECT_EQ(MakeAbsolute("/abs/../kept", cwd), "/abs/../kept");
  EXPECT_EQ(MakeAbsolute("", cwd), "");
}

// The daemon catalogs realpath()s; a relative path through a symlink must name the same file.
TEST(CliPathsTest, MakeAbsoluteResolvesSymlinksLikeTheDaemon) {
  const archivum::testing::TempDir dir;
  const std::filesystem::path cwd = std::filesystem::canonical(dir.path());
  std::filesystem::create_directories(cwd / "real");
  std::filesystem::create_directory_symlink(cwd / "real", cwd / "link");
  EXPECT_EQ(MakeAbsolute("link/file.txt", cwd), (cwd / "real" / "file.txt").string());
  EXPECT_EQ(MakeAbsolute("link/../real", cwd), (cwd / "real").string());
}

TEST(CliPathsTest, DocumentPathKeepsUploadNames) {
  EXPECT_EQ(DocumentPath("upload:report.pdf"), "upload:report.pdf");
  EXPECT_EQ(DocumentPath("/abs/file"), "/abs/file");
  EXPECT_TRUE(std::filesystem::path(DocumentPath("rel/file")).is_absolute());
}

TEST(CliHealthTest, EncodesRequest) {
  EXPECT_EQ(EncodeHealthCheckRequest(""), "");
  EXPECT_EQ(EncodeHealthCheckRequest("svc"), std::string("\x0a\x03svc", 5));
}

TEST(CliHealthTest, DecodesResponse) {
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x08\x01", 2)), kHealthServing);
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x08\x02", 2)), kHealthNotServing);
  // proto3 omits the zero value.
  EXPECT_EQ(DecodeHealthCheckResponse(""), kHealthUnknown);
  // Unknown fields are ignored; the last status wins.
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x10\x05\x08\x02\x08\x01", 6)), kHealthServing);
  // Truncated varint; status with the wrong wire type.
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x08", 1)), std::nullopt);
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x0a\x00", 2)), std::nullopt);
}

TEST(CliHealthTest, StatusNames) {
  EXPECT_EQ(HealthStatusName(kHealthServing), "SERVING");
  EXPECT_EQ(HealthStatusName(kHealthNotServing), "NOT_SERVING");
  EXPECT_EQ(HealthStatusName(kHealthServiceUnknown), "SERVICE_UNKNOWN");
  EXPECT_EQ(HealthStatusName(kHealthUnknown), "UNKNOWN");
  EXPECT_EQ(HealthStatusName(9), "9");
}

TEST(CliFormatTest, IngestSummary) {
  EXPECT_EQ(FormatIngestSummary("/data/docs", testing::CannedIngestSummary()),
            "ingest /data/docs\n"
            "  seen           5\n"
            "  ingested       3\n"
            "  unchanged      1\n"
            "  failed         1\n"
            "  plugin errors  0\n"
            "  skipped        0\n"
            "  removed        0\n"
            "  bytes          1.5 KiB (1536 bytes)\n"
            "  duration       1.23 s\n"
            "errors (1):\n"
            "  /data/docs/locked.pdf: PERMISSION_DENIED: cannot open: Permission denied\n");
}

TEST(CliFormatTest, IngestSummarySaysWhenErrorsWereCut) {
  aichemist_archivum::IngestSummary summary;
  summary.set_files_failed(10);
  summary.set_plugin_errors(2);
  aichemist_archivum::IngestError* error = summary.add_errors();
  error->set_path("/a\nb");
  error->set_message("unreadable");
  const std::string text = FormatIngestSummary("/a", summary);
  EXPECT_THAT(text, HasSubstr("  plugin errors  2\n"));
  EXPECT_THAT(text, HasSubstr("  bytes          0 B\n"));
  EXPECT_THAT(text, HasSubstr("  duration       < 1 ms\n"));
  EXPECT_THAT(text, HasSubstr("errors (first 1 of 12):\n  /a b: unreadable\n"));
}

TEST(CliFormatTest, IngestSummaryWithoutErrorsHasNoErrorSection) {
  EXPECT_THAT(FormatIngestSummary("/a", {}), Not(HasSubstr("errors (")));
}

TEST(CliFormatTest, AnalyzeCountLine) {
  aichemist_archivum::AnalyzeResponse response = testing::CannedAnalyzeResponse();
  EXPECT_THAT(FormatAnalyzeResponse(response, 0), HasSubstr("\n5 results (showing 1-3)\n"));
  response.set_total(3);
  EXPECT_THAT(FormatAnalyzeResponse(response, 0), HasSubstr("\n3 results\n"));
  // A total smaller than what was returned means the server did not count.
  response.set_total(0);
  EXPECT_THAT(FormatAnalyzeResponse(response, 0), HasSubstr("\n3 results\n"));
  EXPECT_THAT(FormatAnalyzeResponse(response, 10), HasSubstr("\n3 results from offset 10\n"));

  aichemist_archivum::AnalyzeResponse empty;
  EXPECT_EQ(FormatAnalyzeResponse(empty, 0), "0 results\n");
  EXPECT_EQ(FormatAnalyzeResponse(empty, 20), "0 results from offset 20\n");
  empty.set_total(7);
  EXPECT_EQ(FormatAnalyzeResponse(empty, 20), "7 results (none at offset 20)\n");
  aichemist_archivum::AnalyzeResponse one;
  one.add_hits()->set_path("/x");
  one.set_total(1);
  EXPECT_THAT(FormatAnalyzeResponse(one, 0), HasSubstr("\n1 result\n"));
}

TEST(CliFormatTest, AnalyzeElidesLongCells) {
  aichemist_archivum::AnalyzeResponse response;
  aichemist_archivum::Hit* hit = response.add_hits();
  hit->set_path("/" + std::string(100, 'd') + "/tail-name.txt");
  hit->set_score(1);
  hit->set_snippet("first line\nsecond line " + std::string(100, 'x'));
  const std::string text = FormatAnalyzeResponse(response, 0);
  // The file name survives, the snippet stays on one line, and no line runs wild.
  EXPECT_THAT(text, HasSubstr("\n...dddd"));
  EXPECT_THAT(text, HasSubstr("dddd/tail-name.txt  1.000"));
  EXPECT_THAT(text, HasSubstr("first line second line xxx"));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 140u) << line;
}

TEST(CliFormatTest, AnalyzeFallsBackToSeedResults) {
  aichemist_archivum::AnalyzeResponse response;
  response.add_results("/only/path");
  EXPECT_EQ(FormatAnalyzeResponse(response, 0),
            "PATH        SCORE  SNIPPET\n"
            "/only/path      -\n"
            "1 result\n");
}

TEST(CliFormatTest, PluginsWithoutAny) {
  EXPECT_EQ(FormatPlugins({}), "0 plugins (0 loaded, 0 failed, 0 disabled)\n");
}

TEST(CliFormatTest, PluginsShowPlacementCountersAndSandboxWarningsBelowTheRow) {
  aichemist_archivum::ListPluginsResponse response;
  aichemist_archivum::PluginInfo* pdf = response.add_plugins();
  pdf->set_name("pdf");
  pdf->set_state(aichemist_archivum::PluginInfo::LOADED);
  pdf->set_isolation("process");
  pdf->set_group("bundled");
  pdf->set_crashes(2);
  pdf->set_quarantined(1);
  pdf->add_sandbox_warnings("landlock unavailable: kernel 5.10");
  aichemist_archivum::PluginInfo* quiet = response.add_plugins();
  quiet->set_name("text");
  quiet->set_state(aichemist_archivum::PluginInfo::LOADED);
  quiet->set_isolation("inprocess");
  aichemist_archivum::PluginInfo* none = response.add_plugins();
  none->set_name("plain");
  none->set_state(aichemist_archivum::PluginInfo::LOADED);
  const std::string text = FormatPlugins(response);
  EXPECT_THAT(text, HasSubstr("\n  isolation: process (group bundled); crashes 2, timeouts 0, "
                              "restarts 0, quarantined 1\n"
                              "  sandbox: landlock unavailable: kernel 5.10\ntext "));
  EXPECT_THAT(text, HasSubstr("\n  isolation: inprocess\nplain "));
  // Nothing to say about a plugin without placement or incidents: no line.
  EXPECT_THAT(text, HasSubstr("us\n3 plugins (3 loaded"));
}

TEST(CliFormatTest, QuarantineTableWithShortDigests) {
  aichemist_archivum::ListQuarantineResponse response;
  aichemist_archivum::QuarantineEntry* newest = response.add_entries();
  newest->set_sha256(std::string(64, 'b'));
  newest->set_plugin("pdf");
  newest->set_plugin_version("1.0");
  newest->set_reason("timeout after 2s");
  newest->set_path("/d/b.pdf");
  newest->set_at_ns(3'000'000'000);
  aichemist_archivum::QuarantineEntry* bare = response.add_entries();
  bare->set_sha256(std::string(64, 'a'));
  bare->set_plugin("ocr");
  EXPECT_EQ(FormatQuarantine(response),
            "SHA256        PLUGIN   REASON            PATH      RECORDED\n"
            "bbbbbbbbbbbb  pdf@1.0  timeout after 2s  /d/b.pdf  1970-01-01T00:00:03Z\n"
            "aaaaaaaaaaaa  ocr      -                 -         -\n"
            "2 entries\n");
  EXPECT_EQ(FormatQuarantine({}), "0 entries\n");
  aichemist_archivum::ClearQuarantineResponse cleared;
  cleared.set_cleared(1);
  EXPECT_EQ(FormatCleared(cleared), "cleared 1 entry\n");
  cleared.set_cleared(0);
  EXPECT_EQ(FormatCleared(cleared), "cleared 0 entries\n");
}

TEST(CliFormatTest, DocumentShowsParentOnlyForMembers) {
  aichemist_archivum::Document document = testing::CannedDocument("/a.zip!b.txt");
  EXPECT_THAT(FormatDocument(document), Not(HasSubstr("parent")));
  document.set_parent("/a.zip");
  document.clear_findings();
  document.clear_analyzers();
  const std::string text = FormatDocument(document);
  EXPECT_THAT(text, HasSubstr("path       /a.zip!b.txt\nparent     /a.zip\n"));
  EXPECT_THAT(text, HasSubstr("analyzers  -\nfindings   none\n"));
}

TEST(CliFormatTest, DocumentShowsMetadataAndChildren) {
  aichemist_archivum::Document document = testing::CannedDocument("/r/report.zip");
  auto add = [&](const char* key, const char* value) {
    aichemist_archivum::MetadataEntry* entry = document.add_metadata();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("title", "Quarterly Report");
  add("author", "Jane Doe");
  add("author", "Jürgen Müller");
  document.add_children("/r/report.zip!/a.txt");
  document.add_children("/r/report.zip!/b.txt");
  document.set_children_total(2);
  std::string text = FormatDocument(document);
  EXPECT_THAT(text, HasSubstr("analyzers  magic@1.0.0, hash@0.2.0\n"
                              "metadata (3):\n"
                              "  KEY     VALUE\n"
                              "  title   Quarterly Report\n"
                              "  author  Jane Doe\n"
                              "  author  Jürgen Müller\n"
                              "children (2):\n"
                              "  /r/report.zip!/a.txt\n"
                              "  /r/report.zip!/b.txt\n"
                              "findings (1):\n"));
  document.set_children_total(1500);
  text = FormatDocument(document);
  EXPECT_THAT(text, HasSubstr("children (first 2 of 1500):\n  /r/report.zip!/a.txt\n"));
  document.clear_metadata();
  document.clear_children();
  document.set_children_total(0);
  text = FormatDocument(document);
  EXPECT_THAT(text, Not(HasSubstr("metadata")));
  EXPECT_THAT(text, Not(HasSubstr("children")));
}

TEST(CliJsonTest, PrintsZeroFields) {
  const std::optional<std::string> json = ToJson(aichemist_archivum::IngestSummary());
  ASSERT_TRUE(json.has_value());
  EXPECT_THAT(*json, HasSubstr("\"filesSeen\":\"0\""));
  EXPECT_THAT(*json, HasSubstr("\"errors\":[]"));
}

// Parsing runs in-process: RunCli returns before any connection for these.
struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun RunInProcess(std::vector<std::string> args) {
  args.insert(args.begin(), "archivum");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

TEST(CliParseTest, HelpAndVersionGoToStdout) {
  CliRun r = RunInProcess({"--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("Exit codes:"));
  EXPECT_THAT(r.err, IsEmpty());

  r = RunInProcess({"analyze", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("--limit"));
  EXPECT_THAT(r.out, HasSubstr("Global options"));

  r = RunInProcess({"--version"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, StartsWith("archivum "));
}

TEST(CliParseTest, MistakesAreUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"nope"},
           {"plugins", "extra"},
           {"get"},
           {"analyze", "q", "--offset", "-3"},
           {"--timeout", "soon", "plugins"},
           {"--server", "", "plugins"},
       }) {
    const CliRun r = RunInProcess(args);
    EXPECT_EQ(r.code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr("Run with --help")) << ::testing::PrintToString(args);
  }
}

TEST(CliParseTest, QuarantineClearNeedsAFilterOrAllAndAWellFormedDigest) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"quarantine"},
           {"quarantine", "nope"},
           {"quarantine", "clear"},
           {"quarantine", "clear", "--sha256", "abc"},
           {"quarantine", "clear", "--sha256", std::string(63, 'a') + "g"},
           {"quarantine", "clear", "--all", "--plugin", "pdf"},
           {"quarantine", "clear", "--all", "--sha256", std::string(64, 'a')},
           {"quarantine", "list", "extra"},
       }) {
    const CliRun r = RunInProcess(args);
    EXPECT_EQ(r.code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr("Run with --help")) << ::testing::PrintToString(args);
  }
  EXPECT_THAT(RunInProcess({"quarantine", "clear"}).err, HasSubstr("--all to clear every entry"));

  const CliRun help = RunInProcess({"quarantine", "clear", "--help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_THAT(help.out, HasSubstr("--sha256"));
  EXPECT_THAT(help.out, HasSubstr("Global options"));
}

TEST(CliWatchTest, FormatsRootsWithTheirReasonsAndErrors) {
  EXPECT_EQ(FormatWatchStatus({}), "nothing is watched (ingest.watch is empty)\n");
  aichemist_archivum::WatchStatus status;
  status.set_settle_ms(1000);
  auto* watched = status.add_roots();
  watched->set_path("/srv/docs");
  watched->set_state(aichemist_archivum::WatchRoot::WATCHING);
  watched->set_directories(12);
  watched->set_pending(3);
  watched->set_events(345);
  watched->set_files_analyzed(20);
  watched->set_files_removed(1);
  watched->set_moves(2);
  watched->set_last_rescan_ns(1704164645000000000);  // 2024-01-02T03:04:05Z
  watched->set_last_rescan_reason(aichemist_archivum::WatchRoot::QUEUE_OVERFLOW);
  watched->set_last_error("events were lost\x1b[31m");
  auto* gone = status.add_roots();
  gone->set_path("/srv/gone");
  gone->set_state(aichemist_archivum::WatchRoot::WAITING_FOR_ROOT);
  gone->set_reason("the directory was deleted");
  const std::string text = FormatWatchStatus(status);
  EXPECT_THAT(text, ::testing::HasSubstr("/srv/docs"));
  EXPECT_THAT(text, ::testing::HasSubstr("watching"));
  EXPECT_THAT(text, ::testing::HasSubstr("2024-01-02T03:04:05Z (overflow)"));
  EXPECT_THAT(text, ::testing::HasSubstr("  error: events were lost?[31m\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("waiting"));
  EXPECT_THAT(text, ::testing::HasSubstr("  reason: the directory was deleted\n"));
  EXPECT_THAT(text, ::testing::EndsWith("2 directories watched; changes settle for 1000 ms\n"));
}

}  // namespace
}  // namespace archivum::cli
