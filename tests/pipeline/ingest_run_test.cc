// pipeline::IngestRun in process: ingests of a temporary tree with the good fixture plugins into
// a temporary catalog. Covers the event each entry gets (INGESTED, UNCHANGED, SKIPPED, FAILED,
// REMOVED) and the summary's totals, re-ingests (unchanged files are not analyzed again, changed
// ones are, deleted ones leave the catalog, a changed plugin set re-analyzes everything), files
// over ingest.max_file_size, cancellation and deadlines, and the per-request limits, which fail
// a run before anything is cataloged or reported.
#include "pipeline/ingest_run.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugins/test_util.h"
#include "support/temp_dir.h"
#include "support/test_catalog.h"

namespace archivum::pipeline {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;
using archivum::testing::WriteFile;
using ::testing::HasSubstr;

// A chain of directories below `parent` whose deepest entry's path is longer than PATH_MAX, so
// the walk reports it as an error. Removes itself bottom-up through descriptors on destruction
// (no path reaches its lower levels).
class ChainPastPathMax {
 public:
  explicit ChainPastPathMax(const fs::path& parent) : parent_(parent) {
    fs::create_directories(parent);
    int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t length = parent.string().size();
    while (fd >= 0 && length < PATH_MAX) {
      if (::mkdirat(fd, kName.c_str(), 0755) != 0) break;
      ++levels_;
      length += 1 + kName.size();
      const int next = ::openat(fd, kName.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = next;
    }
    if (fd >= 0) ::close(fd);
  }
  ~ChainPastPathMax() {
    int fd = ::open(parent_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; fd >= 0 && i < levels_; ++i) {
      const int next = ::openat(fd, kName.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = next;
    }
    for (int i = 0; fd >= 0 && i < levels_; ++i) {
      const int up = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      if (up >= 0) ::unlinkat(up, kName.c_str(), AT_REMOVEDIR);
      fd = up;
    }
    if (fd >= 0) ::close(fd);
  }
  ChainPastPathMax(const ChainPastPathMax&) = delete;
  ChainPastPathMax& operator=(const ChainPastPathMax&) = delete;

  // The path the walk reports: the first one at or past PATH_MAX.
  std::string reported_path() const {
    std::string path = parent_.string();
    while (path.size() < PATH_MAX) path += "/" + kName;
    return path;
  }

 private:
  inline static const std::string kName = std::string(200, 'd');
  fs::path parent_;
  int levels_ = 0;
};

// What one ingest did.
struct IngestRunResult {
  Status status;
  pb::IngestSummary summary;
  std::vector<pb::IngestEvent> events;

  // Each event's outcome by path.
  std::map<std::string, pb::IngestEvent::Outcome> Outcomes() const {
    std::map<std::string, pb::IngestEvent::Outcome> out;
    for (const auto& e : events) out[e.path()] = e.outcome();
    return out;
  }
};

class IngestRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = archivum::testing::OpenTestCatalog(tmp_.path() / "store");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    fs::create_directories(tree());
    limits_.workers = 2;
    LoadPlugins({"good"});
  }

  // The plugins of the next ingests: the fixture groups `groups`, with `settings`.
  void LoadPlugins(const std::vector<std::string>& groups,
                   std::map<std::string, config::PluginSettings> settings = {}) {
    std::vector<fs::path> dirs;
    for (const auto& group : groups) dirs.push_back(plugins::testing::FixtureDir(group));
    registry_ = plugins::testing::LoadDirs(std::move(dirs), std::move(settings));
    committer_ = std::make_unique<BatchCommitter>(catalog_.get(), registry_.get());
  }

  // Ingests tree() (or `root`); `sink` returning false stops the run, as a client that goes away.
  IngestRunResult Ingest(const CallContext& ctx = {},
                         std::function<bool(const pb::IngestEvent&)> sink = {},
                         const fs::path& root = {}) {
    IngestRunResult result;
    const DocumentAnalyzer analyzer(registry_.get(), limits_);
    const IngestEventSink record = [&](const pb::IngestEvent& event) {
      result.events.push_back(event);
      return sink ? sink(event) : true;
    };
    IngestRun run(catalog_.get(), &analyzer, committer_.get(), limits_, ctx, record,
                  &result.summary);
    result.status = run.Run(root.empty() ? tree() : root);
    return result;
  }

  fs::path tree() const { return tmp_.path() / "tree"; }
  std::string P(const std::string& relative) const { return (tree() / relative).string(); }

  // The catalog's record of `path`, or nullopt.
  std::optional<store::DocumentDetail> Cataloged(const std::string& path) {
    auto found = catalog_->Get(path);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }

  static std::string FindingOf(const store::DocumentDetail& doc, std::string_view plugin,
                               std::string_view key) {
    for (const auto& f : doc.findings) {
      if (f.plugin == plugin && f.key == key) return f.value;
    }
    return "<none>";
  }

  // Plugin calls so far of the fixture named `name`.
  uint64_t CallsOf(const std::string& name) const {
    const auto list = plugins::testing::Describe(*registry_);
    const auto* info = plugins::testing::FindByName(list, name);
    return info == nullptr ? 0 : info->calls();
  }

  // a.txt, b.txt and sub/c.txt: 10, 5 and 6 bytes of text.
  void WriteThreeFiles() {
    WriteFile(tree() / "a.txt", "alpha one\n");
    WriteFile(tree() / "b.txt", "beta\n");
    WriteFile(tree() / "sub/c.txt", "gamma\n");
  }

  TempDir tmp_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<plugins::PluginRegistry> registry_;
  std::unique_ptr<BatchCommitter> committer_;
  config::Ingest limits_;
};

TEST_F(IngestRunTest, EveryEntryGetsOneEventAndTheSummaryCountsThem) {
  WriteThreeFiles();
  ASSERT_EQ(::mkfifo(P("pipe").c_str(), 0600), 0);
  fs::create_symlink(tree() / "a.txt", tree() / "link");
  const ChainPastPathMax deep(tree() / "deep");

  const IngestRunResult run = Ingest();
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.Outcomes(), (std::map<std::string, pb::IngestEvent::Outcome>{
                                {P("a.txt"), pb::IngestEvent::INGESTED},
                                {P("b.txt"), pb::IngestEvent::INGESTED},
                                {P("sub/c.txt"), pb::IngestEvent::INGESTED},
                                {P("pipe"), pb::IngestEvent::SKIPPED},
                                {P("link"), pb::IngestEvent::SKIPPED},
                                {deep.reported_path(), pb::IngestEvent::FAILED}}));
  EXPECT_EQ(run.events.size(), 6u) << "one event per entry";

  const pb::IngestSummary& s = run.summary;
  EXPECT_EQ(s.files_seen(), 3u);
  EXPECT_EQ(s.files_ingested(), 3u);
  EXPECT_EQ(s.files_unchanged(), 0u);
  EXPECT_EQ(s.files_skipped(), 2u);
  EXPECT_EQ(s.files_failed(), 1u);
  EXPECT_EQ(s.files_removed(), 0u);
  EXPECT_EQ(s.plugin_errors(), 0u);
  EXPECT_EQ(s.bytes_ingested(), 10u + 5u + 6u);
  ASSERT_EQ(s.errors_size(), 1);
  EXPECT_EQ(s.errors(0).path(), deep.reported_path());
  EXPECT_EQ(s.errors(0).code(), static_cast<int32_t>(StatusCode::kOutOfRange));
  EXPECT_THAT(s.errors(0).message(), HasSubstr("(PATH_MAX)"));

  for (const pb::IngestEvent& e : run.events) {
    EXPECT_EQ(e.files_discovered(), 6u) << "the total is known from the first event";
    if (e.outcome() == pb::IngestEvent::SKIPPED) {
      EXPECT_EQ(e.message(), e.path() == P("pipe") ? "FIFO" : "symbolic link (not followed)");
    }
    if (e.outcome() == pb::IngestEvent::INGESTED) {
      const auto doc = Cataloged(e.path());
      ASSERT_TRUE(doc.has_value()) << e.path();
      EXPECT_EQ(e.findings(), doc->findings.size()) << e.path();
    }
  }
  EXPECT_EQ(run.events.back().totals().files_ingested(), 3u);
  EXPECT_EQ(run.events.back().totals().files_skipped(), 2u);
  EXPECT_EQ(run.events.back().totals().files_failed(), 1u);

  const auto a = Cataloged(P("a.txt"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->document.size, 10u);
  EXPECT_EQ(a->document.mime, "text/plain");
  EXPECT_EQ(a->document.analyzers, "fixture_c@1.2.3,fixture_cpp@2.0.0,fixture_old@0.9");
  EXPECT_EQ(FindingOf(*a, "fixture_c", "fixture_c.size"), "10");
  EXPECT_FALSE(Cataloged(P("pipe")).has_value());
  EXPECT_FALSE(Cataloged(P("link")).has_value());
}

TEST_F(IngestRunTest, UnchangedFilesAreReportedAndNotAnalyzedAgain) {
  WriteThreeFiles();
  ASSERT_TRUE(Ingest().status.ok());
  const uint64_t calls = CallsOf("fixture_c");
  EXPECT_EQ(calls, 3u);

  const IngestRunResult again = Ingest();
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(again.Outcomes(), (std::map<std::string, pb::IngestEvent::Outcome>{
                                  {P("a.txt"), pb::IngestEvent::UNCHANGED},
                                  {P("b.txt"), pb::IngestEvent::UNCHANGED},
                                  {P("sub/c.txt"), pb::IngestEvent::UNCHANGED}}));
  EXPECT_EQ(again.summary.files_seen(), 3u);
  EXPECT_EQ(again.summary.files_unchanged(), 3u);
  EXPECT_EQ(again.summary.files_ingested(), 0u);
  EXPECT_EQ(again.summary.bytes_ingested(), 0u);
  EXPECT_EQ(CallsOf("fixture_c"), calls) << "no plugin saw the unchanged files";
}

TEST_F(IngestRunTest, AChangedFileIsAnalyzedAgain) {
  WriteThreeFiles();
  ASSERT_TRUE(Ingest().status.ok());
  WriteFile(tree() / "b.txt", "beta, rewritten\n");  // a new size

  const IngestRunResult again = Ingest();
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(again.Outcomes()[P("b.txt")], pb::IngestEvent::INGESTED);
  EXPECT_EQ(again.Outcomes()[P("a.txt")], pb::IngestEvent::UNCHANGED);
  EXPECT_EQ(again.summary.files_ingested(), 1u);
  EXPECT_EQ(again.summary.files_unchanged(), 2u);
  EXPECT_EQ(again.summary.bytes_ingested(), 16u);
  const auto b = Cataloged(P("b.txt"));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->document.size, 16u);
  EXPECT_EQ(FindingOf(*b, "fixture_c", "fixture_c.size"), "16");
}

TEST_F(IngestRunTest, ADeletedFileIsRemovedFromTheCatalog) {
  WriteThreeFiles();
  ASSERT_TRUE(Ingest().status.ok());
  fs::remove(tree() / "sub/c.txt");

  const IngestRunResult again = Ingest();
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(again.Outcomes()[P("sub/c.txt")], pb::IngestEvent::REMOVED);
  EXPECT_EQ(again.summary.files_removed(), 1u);
  EXPECT_EQ(again.summary.files_seen(), 2u);
  EXPECT_EQ(again.summary.files_unchanged(), 2u);
  EXPECT_FALSE(Cataloged(P("sub/c.txt")).has_value());
  EXPECT_TRUE(Cataloged(P("a.txt")).has_value());
}

TEST_F(IngestRunTest, AChangedPluginSetAnalyzesEveryFileAgain) {
  WriteThreeFiles();
  ASSERT_TRUE(Ingest().status.ok());
  std::map<std::string, config::PluginSettings> settings;
  settings["fixture_cpp"].enabled = false;
  LoadPlugins({"good"}, settings);

  const IngestRunResult again = Ingest();
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(again.summary.files_ingested(), 3u);
  EXPECT_EQ(again.summary.files_unchanged(), 0u);
  const auto a = Cataloged(P("a.txt"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->document.analyzers, "fixture_c@1.2.3,fixture_old@0.9");
  EXPECT_EQ(a->document.signature, registry_->Signature());
}

TEST_F(IngestRunTest, MembersAreCatalogedAndReplacedWhenTheirContainerChanges) {
  // fixture_cpp unpacks "%FIX" files: one member per "name=content" line.
  WriteFile(tree() / "pack.fix", "%FIX\nfirst.txt=wombat\nsecond.txt=koala\n");
  const IngestRunResult first = Ingest();
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  EXPECT_EQ(first.events.size(), 1u) << "members are reported with their container";
  EXPECT_EQ(first.summary.files_ingested(), 1u);
  const auto member = Cataloged(P("pack.fix") + "!/first.txt");
  ASSERT_TRUE(member.has_value());
  EXPECT_EQ(member->document.parent, P("pack.fix"));
  EXPECT_EQ(member->document.mime, "text/plain");
  EXPECT_TRUE(Cataloged(P("pack.fix") + "!/second.txt").has_value());

  WriteFile(tree() / "pack.fix", "%FIX\nonly.txt=platypus\n");
  ASSERT_TRUE(Ingest().status.ok());
  EXPECT_FALSE(Cataloged(P("pack.fix") + "!/first.txt").has_value());
  EXPECT_FALSE(Cataloged(P("pack.fix") + "!/second.txt").has_value());
  EXPECT_TRUE(Cataloged(P("pack.fix") + "!/only.txt").has_value());
}

TEST_F(IngestRunTest, AFileOverMaxFileSizeIsCatalogedWithALimitFindingButNotAnalyzed) {
  WriteThreeFiles();
  limits_.max_file_size = 8;
  const IngestRunResult run = Ingest();
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.Outcomes()[P("a.txt")], pb::IngestEvent::INGESTED);
  EXPECT_EQ(run.summary.files_ingested(), 3u);
  const auto a = Cataloged(P("a.txt"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->document.size, 10u);
  EXPECT_EQ(a->document.analyzers, "") << "no plugin saw it";
  EXPECT_EQ(
      FindingOf(*a, "archivum", "limit"),
      "not analyzed: " + P("a.txt") + " is 10 bytes, over the limit of 8 (ingest.max_file_size)");
  const auto b = Cataloged(P("b.txt"));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->document.mime, "text/plain") << "files within the limit are analyzed";
}

TEST_F(IngestRunTest, ACancelledRunReportsCancelledAndRemovesNothing) {
  WriteThreeFiles();
  ASSERT_TRUE(Ingest().status.ok());
  fs::remove(tree() / "a.txt");

  CallContext cancelled;
  cancelled.cancelled = [] { return true; };
  const IngestRunResult run = Ingest(cancelled);
  EXPECT_EQ(run.status.code(), StatusCode::kCancelled);
  EXPECT_EQ(run.status.message(), "ingest cancelled by the client");
  for (const auto& e : run.events) EXPECT_NE(e.outcome(), pb::IngestEvent::REMOVED) << e.path();
  EXPECT_EQ(run.summary.files_removed(), 0u);
  EXPECT_TRUE(Cataloged(P("a.txt")).has_value()) << "a cancelled walk is no evidence of removal";
}

TEST_F(IngestRunTest, AClientThatStopsListeningEndsTheRun) {
  WriteThreeFiles();
  const IngestRunResult run = Ingest({}, [](const pb::IngestEvent&) { return false; });
  EXPECT_EQ(run.status.code(), StatusCode::kCancelled);
  EXPECT_EQ(run.status.message(), "ingest stream closed by the client");
  EXPECT_EQ(run.events.size(), 1u) << "no event after the client went away";
}

TEST_F(IngestRunTest, APassedDeadlineEndsTheRun) {
  WriteThreeFiles();
  CallContext late;
  late.deadline = std::chrono::system_clock::now() - std::chrono::seconds(1);
  const IngestRunResult run = Ingest(late);
  EXPECT_EQ(run.status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(run.status.message(), "ingest passed its deadline");
}

TEST_F(IngestRunTest, MoreFilesThanMaxFilesPerRequestFailBeforeAnythingIsCataloged) {
  WriteThreeFiles();
  limits_.max_files_per_request = 2;
  const IngestRunResult run = Ingest();
  EXPECT_EQ(run.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(run.status.message(),
            "more than 2 files under the path (ingest.max_files_per_request); ingest its "
            "subdirectories separately or raise the limit");
  EXPECT_TRUE(run.events.empty());
  EXPECT_EQ(run.summary.files_ingested(), 0u);
  auto listed = catalog_->ListUnder(tree().string());
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());

  // Within the limit, the same tree's subdirectory ingests.
  const IngestRunResult sub = Ingest({}, {}, tree() / "sub");
  ASSERT_TRUE(sub.status.ok()) << sub.status.ToString();
  EXPECT_EQ(sub.summary.files_ingested(), 1u);
}

TEST_F(IngestRunTest, MoreBytesThanMaxBytesPerRequestFailBeforeAnythingIsCataloged) {
  WriteThreeFiles();
  limits_.max_bytes_per_request = 12;
  const IngestRunResult run = Ingest();
  EXPECT_EQ(run.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(run.status.message(),
            "the files under the path hold more than 12 bytes (ingest.max_bytes_per_request); "
            "ingest its subdirectories separately or raise the limit");
  EXPECT_TRUE(run.events.empty());
  auto listed = catalog_->ListUnder(tree().string());
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(IngestRunTest, PluginFailuresAreCountedAndTheFileIsStillCataloged) {
  LoadPlugins({"good", "broken"});
  WriteFile(tree() / "a.txt", "alpha one\n");
  const IngestRunResult run = Ingest();
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.summary.files_ingested(), 1u);
  EXPECT_EQ(run.summary.plugin_errors(), 3u);  // broken_process, broken_throws, broken_throws_raw
  ASSERT_EQ(run.summary.errors_size(), 1);
  EXPECT_EQ(run.summary.errors(0).path(), P("a.txt"));
  EXPECT_EQ(run.summary.errors(0).message(), "broken_process: process failed: corrupt input");
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].message(), "broken_process: process failed: corrupt input");
  const auto a = Cataloged(P("a.txt"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(FindingOf(*a, "fixture_old", "fixture_old.text_size"), "10") << "the others ran";
}

}  // namespace
}  // namespace archivum::pipeline
