// Watch mode (ingest.watch) over the real daemon: files created, written, edited, renamed, moved
// and deleted under a watched directory reach the catalog without an Ingest call; lost events
// and the watch limit rescan with a warning; a deleted root comes back; the status is the same
// over gRPC, HTTP and the CLI.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using nlohmann::json;

// Generous: the sanitizer build on a loaded machine is slow, and a wait ends as soon as its
// condition holds.
constexpr auto kWaitBound = std::chrono::seconds(90);

// Only the cheap plugins: what is tested is the watcher, not the plugins. They run in their
// sandboxed workers, as by default: a daemon that loads plugins in process unloads them at exit,
// and LeakSanitizer's tracer can then trip over their stale thread-local blocks (the watcher's
// and the ingests' threads ran plugin code), failing a run that leaked nothing.
constexpr const char* kCheapPlugins =
    "  settings:\n"
    "    archive: {enabled: false}\n"
    "    image: {enabled: false}\n"
    "    mail: {enabled: false}\n"
    "    ocr: {enabled: false}\n"
    "    office: {enabled: false}\n"
    "    pdf: {enabled: false}\n"
    "    similar: {enabled: false}\n"
    "    yara: {enabled: false}\n";

// Sets an environment variable for the daemons a test starts (they inherit it), and unsets it
// when the test ends.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

class WatchDaemonTest : public ::testing::Test {
 protected:
  // Starts a daemon watching <tmp>/tree (which `prepare` may fill first).
  void StartWatching(const std::function<void()>& prepare = {}) {
    tree_ = scratch_.path() / "tree";
    fs::create_directories(tree_);
    if (prepare) prepare();
    testing::DaemonOptions opts;
    opts.http = true;
    opts.roots = {scratch_.path()};
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.plugins_yaml = kCheapPlugins;
    opts.ingest_yaml = "  watch: [\"" + tree_.string() + "\"]\n  watch_settle: 500ms\n";
    options_ = opts;
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
  }

  std::set<std::string> Search(const std::string& query, uint64_t* total = nullptr) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(query);
    req.set_limit(50);
    pb::AnalyzeResponse resp;
    grpc::Status st = stub_->Analyze(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (total != nullptr) *total = resp.total();
    return {resp.results().begin(), resp.results().end()};
  }

  pb::WatchRoot Root() {
    grpc::ClientContext ctx;
    pb::WatchStatus status;
    grpc::Status st = stub_->GetWatchStatus(&ctx, pb::GetWatchStatusRequest(), &status);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(status.roots_size(), 1);
    return status.roots_size() == 1 ? status.roots(0) : pb::WatchRoot();
  }

  grpc::Status Get(const fs::path& path, pb::Document* doc) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path(path.string());
    return stub_->GetDocument(&ctx, req, doc);
  }

  // Polls `condition` until it holds or kWaitBound passes; returns whether it held.
  static bool WaitFor(const std::function<bool()>& condition) {
    const auto until = std::chrono::steady_clock::now() + kWaitBound;
    while (std::chrono::steady_clock::now() < until) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
  }

  bool WaitForSearch(const std::string& query, const std::set<std::string>& expected) {
    return WaitFor([&] { return Search(query) == expected; });
  }

  // Nothing waiting: every change the watcher has seen is cataloged.
  bool WaitForQuiet() {
    return WaitFor([&] {
      const pb::WatchRoot root = Root();
      return root.state() == pb::WatchRoot::WATCHING && root.pending() == 0;
    });
  }

  std::string P(const fs::path& path) const { return path.string(); }

  testing::TempDir scratch_;
  fs::path tree_;
  testing::DaemonOptions options_;  // the daemon's, for rewriting its config
  std::unique_ptr<testing::Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
};

TEST_F(WatchDaemonTest, KeepsTheCatalogCurrentAsFilesChange) {
  StartWatching([&] {
    testing::WriteFile(tree_ / "old/seed.txt", "aardvark at start\n");
    testing::WriteFile(tree_ / "edit.txt", "bison before\n");
    testing::WriteFile(tree_ / "gone.txt", "coyote doomed\n");
    testing::WriteFile(tree_ / "gone_dir/x/y.txt", "dhole doomed\n");
    testing::WriteFile(tree_ / "dir_a/deep/f.txt", "ferret burrow\n");
    testing::WriteFile(tree_ / "leaving.txt", "gecko leaving\n");
  });
  const fs::path seed = tree_ / "old/seed.txt";
  // The initial ingest.
  ASSERT_TRUE(WaitForSearch("aardvark", {P(seed)}));
  ASSERT_TRUE(WaitForQuiet());
  pb::WatchRoot root = Root();
  EXPECT_EQ(root.path(), P(tree_));
  EXPECT_EQ(root.last_rescan_reason(), pb::WatchRoot::INITIAL);
  EXPECT_EQ(root.directories(), 6u);  // the root, old, gone_dir, x, dir_a and deep
  EXPECT_NE(root.last_rescan_ns(), 0);
  EXPECT_EQ(root.files_analyzed(), 6u);

  // Independent changes at once (each settles on its own): created, edited, renamed, a
  // directory moved, deleted (a file and a directory), moved out of the tree and into it, and a
  // new directory tree whose files are written before its watch can be added.
  pb::Document seed_before;
  ASSERT_TRUE(Get(seed, &seed_before).ok());
  pb::Document ferret_before;
  ASSERT_TRUE(Get(tree_ / "dir_a/deep/f.txt", &ferret_before).ok());
  testing::WriteFile(scratch_.path() / "outside.txt", "heron outside\n");

  testing::WriteFile(tree_ / "new.txt", "ibis created\n");
  testing::WriteFile(tree_ / "edit.txt", "jackal edited\n");
  fs::rename(seed, tree_ / "old/renamed.md");
  fs::rename(tree_ / "dir_a", tree_ / "dir_b");
  fs::remove(tree_ / "gone.txt");
  fs::remove_all(tree_ / "gone_dir");
  fs::rename(tree_ / "leaving.txt", scratch_.path() / "left.txt");
  fs::rename(scratch_.path() / "outside.txt", tree_ / "inside.txt");
  std::set<std::string> quick;
  for (int i = 0; i < 12; ++i) {
    const fs::path f = tree_ / "fresh/inner" / ("q" + std::to_string(i) + ".txt");
    testing::WriteFile(f, "kudu " + std::to_string(i) + "\n");
    quick.insert(P(f));
  }

  ASSERT_TRUE(WaitForSearch("ibis", {P(tree_ / "new.txt")}));
  ASSERT_TRUE(WaitForSearch("jackal", {P(tree_ / "edit.txt")}));
  EXPECT_TRUE(Search("bison").empty());
  ASSERT_TRUE(WaitForSearch("aardvark", {P(tree_ / "old/renamed.md")}));
  ASSERT_TRUE(WaitForSearch("ferret", {P(tree_ / "dir_b/deep/f.txt")}));
  ASSERT_TRUE(WaitForSearch("coyote OR dhole", {}));
  ASSERT_TRUE(WaitForSearch("gecko", {}));
  ASSERT_TRUE(WaitForSearch("heron", {P(tree_ / "inside.txt")}));
  ASSERT_TRUE(WaitForSearch("kudu", quick));
  ASSERT_TRUE(WaitForQuiet());

  // Renamed: the same document (analyzed when it was, not again), under its new path only.
  pb::Document after;
  ASSERT_TRUE(Get(tree_ / "old/renamed.md", &after).ok());
  EXPECT_EQ(after.ingested_at_ns(), seed_before.ingested_at_ns());
  EXPECT_EQ(after.sha256(), seed_before.sha256());
  EXPECT_EQ(Search("ext:md"), std::set<std::string>{P(tree_ / "old/renamed.md")});
  EXPECT_EQ(Get(seed, &after).error_code(), grpc::StatusCode::NOT_FOUND);
  // The moved directory's document too; changes inside it are seen under its new name.
  ASSERT_TRUE(Get(tree_ / "dir_b/deep/f.txt", &after).ok());
  EXPECT_EQ(after.ingested_at_ns(), ferret_before.ingested_at_ns());
  EXPECT_EQ(Root().moves(), 2u);
  testing::WriteFile(tree_ / "dir_b/deep/g.txt", "lemur tunnel\n");
  ASSERT_TRUE(WaitForSearch("lemur", {P(tree_ / "dir_b/deep/g.txt")}));

  // Written in several pieces, each seen by the watcher before the next (well within the settle
  // time), then closed: analyzed once, with all of it.
  ASSERT_TRUE(WaitForQuiet());
  const uint64_t analyzed_before = Root().files_analyzed();
  {
    const fs::path pieces = tree_ / "pieces.txt";
    uint64_t seen = Root().events();
    const int fd = ::open(pieces.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    for (const std::string piece : {"caribou ", "graze ", "on ", "the ", "tundra-dingo\n"}) {
      ASSERT_TRUE(WaitFor([&] { return Root().events() > seen; }));
      seen = Root().events();
      ASSERT_EQ(::write(fd, piece.data(), piece.size()), static_cast<ssize_t>(piece.size()));
    }
    ASSERT_EQ(::close(fd), 0);
    ASSERT_TRUE(WaitForSearch("\"caribou graze on the tundra\"", {P(pieces)}));
  }
  ASSERT_TRUE(WaitForQuiet());
  EXPECT_EQ(Root().files_analyzed(), analyzed_before + 1);

  // A burst of 2,000 new files: every one is cataloged. (The status is polled while they are
  // analyzed, not the full-text search, which would compete with the ingest.)
  fs::create_directories(tree_ / "burst");
  const uint64_t analyzed_before_burst = Root().files_analyzed();
  for (int i = 0; i < 2000; ++i) {
    testing::WriteFile(tree_ / "burst" / ("b" + std::to_string(i) + ".txt"),
                       "marmot " + std::to_string(i) + "\n");
  }
  ASSERT_TRUE(WaitFor([&] {
    const pb::WatchRoot now = Root();
    return now.files_analyzed() >= analyzed_before_burst + 2000 && now.pending() == 0;
  }));
  uint64_t total = 0;
  ASSERT_TRUE(WaitFor([&] {
    Search("marmot", &total);
    return total == 2000;
  })) << total;

  // The status over HTTP and the CLI says what gRPC says.
  ASSERT_TRUE(WaitForQuiet());
  root = Root();
  ht::Response r =
      ht::Fetch(daemon_->http_address(), ht::MakeRequest(ht::http::verb::get, "/v1/watch", ""));
  ASSERT_EQ(r.result_int(), 200) << r.body();
  json status = json::parse(r.body());
  ASSERT_EQ(status["roots"].size(), 1u) << r.body();
  EXPECT_EQ(status["roots"][0]["path"], P(tree_));
  EXPECT_EQ(status["roots"][0]["state"], "WATCHING");
  EXPECT_EQ(status["roots"][0]["filesAnalyzed"], std::to_string(root.files_analyzed()));
  EXPECT_EQ(status["settleMs"], "500");
  const std::string cli = (testing::BinaryDir() / "archivum").string();
  std::string out;
  ASSERT_EQ(testing::RunProcess({cli, "--server", daemon_->grpc_address(), "watch"}, &out), 0)
      << out;
  EXPECT_NE(out.find(P(tree_)), std::string::npos) << out;
  EXPECT_NE(out.find("watching"), std::string::npos) << out;
  EXPECT_NE(out.find("(initial)"), std::string::npos) << out;
  EXPECT_NE(out.find("1 directory watched; changes settle for 500 ms"), std::string::npos) << out;
  ASSERT_EQ(
      testing::RunProcess({cli, "--server", daemon_->grpc_address(), "watch", "--json"}, &out), 0)
      << out;
  json cli_status = json::parse(out);
  EXPECT_EQ(cli_status["roots"][0]["moves"], std::to_string(root.moves()));

  // The root deleted: its documents go; recreated: watched and ingested again.
  fs::remove_all(tree_);
  ASSERT_TRUE(WaitFor([&] { return Root().state() == pb::WatchRoot::WAITING_FOR_ROOT; }));
  ASSERT_TRUE(WaitForSearch("aardvark OR heron OR kudu", {}));
  testing::WriteFile(tree_ / "back/again.txt", "newt returned\n");
  ASSERT_TRUE(WaitForSearch("newt", {P(tree_ / "back/again.txt")}));
  ASSERT_TRUE(WaitForQuiet());
  EXPECT_EQ(Root().last_rescan_reason(), pb::WatchRoot::ROOT_RECREATED);
  testing::WriteFile(tree_ / "back/later.txt", "otter later\n");
  ASSERT_TRUE(WaitForSearch("otter", {P(tree_ / "back/later.txt")}));

  EXPECT_EQ(daemon_->Stop(), 0) << daemon_->log();
}

// Lost events (forced by the test hook capping the changes that may wait) rescan the tree with
// a warning, and nothing is missing.
TEST_F(WatchDaemonTest, LostEventsRescanWithAWarning) {
  ScopedEnv cap("ARCHIVUM_TEST_WATCH_MAX_PENDING", "5");
  StartWatching([&] {
    for (int d = 0; d < 4; ++d) fs::create_directories(tree_ / ("d" + std::to_string(d)));
  });
  ASSERT_TRUE(WaitForQuiet());
  ASSERT_EQ(Root().directories(), 5u);  // every file below gets events
  std::set<std::string> all;
  for (int i = 0; i < 40; ++i) {
    const fs::path f = tree_ / ("d" + std::to_string(i % 4)) / ("m" + std::to_string(i) + ".txt");
    testing::WriteFile(f, "puma " + std::to_string(i) + "\n");
    all.insert(P(f));
  }
  uint64_t total = 0;
  ASSERT_TRUE(WaitFor([&] {
    Search("puma", &total);
    return total == all.size();
  })) << total;
  EXPECT_TRUE(daemon_->WaitForLog("events were lost", std::chrono::seconds(10))) << daemon_->log();
  ASSERT_TRUE(WaitForQuiet());
  EXPECT_EQ(Root().last_rescan_reason(), pb::WatchRoot::QUEUE_OVERFLOW);
}

// Directories beyond the watch limit (forced by the test hook capping the watches) are rescanned
// with a warning and shown in the status; what they hold is cataloged.
TEST_F(WatchDaemonTest, TheWatchLimitRescansWithAWarning) {
  ScopedEnv cap("ARCHIVUM_TEST_WATCH_MAX_WATCHES", "2");
  StartWatching([&] {
    for (int i = 0; i < 4; ++i) {
      testing::WriteFile(tree_ / ("s" + std::to_string(i)) / "n.txt", "newt " + std::to_string(i));
    }
  });
  uint64_t total = 0;
  ASSERT_TRUE(WaitFor([&] {
    Search("newt", &total);
    return total == 4;
  })) << total;
  EXPECT_TRUE(daemon_->WaitForLog("inotify watch limit reached", std::chrono::seconds(10)))
      << daemon_->log();
  ASSERT_TRUE(WaitForQuiet());
  const pb::WatchRoot root = Root();
  EXPECT_EQ(root.directories(), 2u);
  EXPECT_EQ(root.last_rescan_reason(), pb::WatchRoot::WATCH_LIMIT);
  EXPECT_NE(root.last_error().find("max_user_watches"), std::string::npos) << root.last_error();
}

TEST_F(WatchDaemonTest, AReloadAddsAndRemovesWatchedDirectories) {
  StartWatching();
  const fs::path more = scratch_.path() / "more";
  testing::WriteFile(more / "early.txt", "gazelle before the reload\n");

  // Added: its initial ingest, then its watches.
  options_.ingest_yaml =
      "  watch: [\"" + P(tree_) + "\", \"" + P(more) + "\"]\n" + "  watch_settle: 500ms\n";
  daemon_->RewriteConfig(options_);
  size_t reloads = daemon_->CountInLog("reloaded config:");
  daemon_->Reload();
  ASSERT_TRUE(
      daemon_->WaitForLogCount("reloaded config:", reloads,
                               std::chrono::duration_cast<std::chrono::milliseconds>(kWaitBound)))
      << daemon_->log();
  EXPECT_NE(daemon_->log().find("ingest.watch"), std::string::npos) << daemon_->log();
  ASSERT_TRUE(WaitForSearch("gazelle", {P(more / "early.txt")}));
  testing::WriteFile(more / "late.txt", "gazelle after the reload\n");
  ASSERT_TRUE(WaitForSearch("gazelle", {P(more / "early.txt"), P(more / "late.txt")}));

  // Removed: the status lists only what is watched; the documents stay.
  options_.ingest_yaml = "  watch: [\"" + P(more) + "\"]\n  watch_settle: 500ms\n";
  daemon_->RewriteConfig(options_);
  reloads = daemon_->CountInLog("reloaded config:");
  daemon_->Reload();
  ASSERT_TRUE(
      daemon_->WaitForLogCount("reloaded config:", reloads,
                               std::chrono::duration_cast<std::chrono::milliseconds>(kWaitBound)))
      << daemon_->log();
  ASSERT_TRUE(WaitFor([&] {
    grpc::ClientContext ctx;
    pb::WatchStatus status;
    return stub_->GetWatchStatus(&ctx, pb::GetWatchStatusRequest(), &status).ok() &&
           status.roots_size() == 1 && status.roots(0).path() == P(more);
  }));
  EXPECT_EQ(Search("gazelle").size(), 2u);

  // Every event the watcher took from the kernel is counted in GET /metrics, removed roots' too.
  const http_testing::Response scrape = http_testing::Fetch(
      daemon_->http_address(),
      http_testing::MakeRequest(http_testing::http::verb::get, "/metrics", "", ""));
  ASSERT_EQ(scrape.result_int(), 200) << scrape.body();
  const std::string line = "\narchivum_watch_events_total ";
  const size_t at = scrape.body().find(line);
  ASSERT_NE(at, std::string::npos) << scrape.body();
  const double counted = std::strtod(scrape.body().c_str() + at + line.size(), nullptr);
  grpc::ClientContext ctx;
  pb::WatchStatus status;
  ASSERT_TRUE(stub_->GetWatchStatus(&ctx, pb::GetWatchStatusRequest(), &status).ok());
  ASSERT_EQ(status.roots_size(), 1);
  EXPECT_GT(status.roots(0).events(), 0u);
  EXPECT_GE(counted, static_cast<double>(status.roots(0).events()));
}

}  // namespace
}  // namespace archivum
