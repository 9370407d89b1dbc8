// Crash consistency and bounded memory, measured on the real daemon process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::Daemon;
using testing::DaemonOptions;

// A field of /proc/PID/status in KiB (VmHWM: peak resident set size).
uint64_t ProcStatusKiB(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

// The first column of every row `sql` returns from the database at `db_file`; {"cannot open"}
// if it cannot be opened.
std::vector<std::string> FirstColumn(const fs::path& db_file, const char* sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {"cannot open"};
  }
  std::vector<std::string> rows;
  sqlite3_exec(
      db, sql,
      [](void* out, int, char** values, char**) {
        static_cast<std::vector<std::string>*>(out)->emplace_back(values[0] ? values[0] : "");
        return 0;
      },
      &rows, nullptr);
  sqlite3_close(db);
  return rows;
}

std::string IntegrityCheck(const fs::path& db_file) {
  std::string result;
  for (const std::string& row : FirstColumn(db_file, "PRAGMA integrity_check")) result += row;
  return result;
}

// Ingests `path` with a unary Ingest call; fails the test on an RPC error.
pb::IngestSummary IngestPath(Daemon& daemon, const fs::path& path) {
  auto stub = pb::FileManager::NewStub(daemon.channel());
  grpc::ClientContext ctx;
  pb::IngestRequest req;
  req.set_path(path.string());
  pb::IngestSummary s;
  const grpc::Status st = stub->Ingest(&ctx, req, &s);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return s;
}

// The paths of the top-level documents the catalog records, read from its file.
std::set<std::string> CatalogPaths(const fs::path& db_file) {
  const std::vector<std::string> rows =
      FirstColumn(db_file, "SELECT path FROM documents WHERE parent = ''");
  return {rows.begin(), rows.end()};
}

// A daemon on the store and directory of `crashed` (which must have stopped), with `options`.
std::unique_ptr<Daemon> RestartOn(const Daemon& crashed, DaemonOptions options,
                                  std::string* error) {
  options.roots = {crashed.dir()};
  options.extra_args = {"--store", crashed.store().string()};
  return Daemon::Start(options, error);
}

std::set<std::string> JournalLines(const fs::path& file) {
  std::set<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

// A daemon whose only plugin is the journal fixture, with `config` as its config (a YAML flow
// mapping; "" for none) and `ingest_yaml` inside the ingest section.
std::unique_ptr<Daemon> StartWithJournal(const std::string& config, std::string* error,
                                         const std::string& ingest_yaml = "") {
  DaemonOptions opts;
  opts.plugin_dirs = {ARCHIVUM_JOURNAL_PLUGIN};
  if (!config.empty())
    opts.plugins_yaml = "  settings:\n    journal:\n      config: " + config + "\n";
  opts.ingest_yaml = ingest_yaml;
  return Daemon::Start(opts, error);
}

// The journal fixture's file in `daemon`'s store.
fs::path JournalFile(const Daemon& daemon) {
  return daemon.store() / "plugins" / "journal" / "journal.txt";
}

// Writes `count` small files f0.txt, f1.txt, ... under `tree`; their paths.
std::set<std::string> WriteNumberedFiles(const fs::path& tree, int count) {
  std::set<std::string> files;
  for (int i = 0; i < count; ++i) {
    const fs::path file = tree / ("f" + std::to_string(i) + ".txt");
    testing::WriteFile(file, "file " + std::to_string(i) + "\n");
    files.insert(file.string());
  }
  return files;
}

TEST(Durability, SigkillDuringIngestLeavesAConsistentCatalogAndIngestResumes) {
  DaemonOptions opts;
  opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "tree";
  // The ingest commits in batches of up to 2048 documents, and of half of what remains once
  // that is less (core/ingest_run.cc): with 3100 files, the first batch holds 1033 documents,
  // the second ends near 1700.
  constexpr int kFiles = 3100;
  constexpr int kBatch = 1000;
  for (int i = 0; i < kFiles; ++i) {
    testing::WriteFile(tree / ("d" + std::to_string(i % 20)) / ("f" + std::to_string(i) + ".txt"),
                       "file number " + std::to_string(i) + " with some words to index\n");
  }
  {
    auto stub = pb::FileManager::NewStub(daemon->channel());
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(tree.string());
    auto reader = stub->IngestStream(&ctx, req);
    pb::IngestEvent ev;
    int events = 0;
    // More than one commit batch has been reported: kill in the middle of the rest.
    while (events < kBatch + 300 && reader->Read(&ev)) ++events;
    ASSERT_EQ(events, kBatch + 300);
    ASSERT_EQ(daemon->Stop(SIGKILL), 128 + SIGKILL);
    ctx.TryCancel();
  }
  EXPECT_EQ(IntegrityCheck(daemon->store() / "catalog.db"), "ok");

  auto restarted = RestartOn(*daemon, opts, &error);
  ASSERT_NE(restarted, nullptr) << error;
  auto stub = pb::FileManager::NewStub(restarted->channel());
  const pb::IngestSummary s = IngestPath(*restarted, tree);
  EXPECT_EQ(s.files_seen(), static_cast<uint64_t>(kFiles));
  EXPECT_EQ(s.files_ingested() + s.files_unchanged(), static_cast<uint64_t>(kFiles));
  EXPECT_GE(s.files_unchanged(), static_cast<uint64_t>(kBatch))
      << "committed batches survive the crash";
  EXPECT_GT(s.files_ingested(), 0u) << "the rest is completed now";

  grpc::ClientContext actx;
  pb::AnalyzeRequest areq;
  areq.set_query("\"file number 2999\"");
  pb::AnalyzeResponse r;
  ASSERT_TRUE(stub->Analyze(&actx, areq, &r).ok());
  EXPECT_EQ(r.results_size(), 1);
}

TEST(Durability, PluginsAreFlushedBeforeTheCatalogRecordsTheirFiles) {
  // The journal plugin writes down the files it processed only when flushed (ABI 1.2), so after
  // a SIGKILL its journal holds what was flushed: every file the catalog has must be in it, or a
  // later ingest would skip that file as unchanged and the plugin would never see it again.
  std::string error;
  auto daemon = StartWithJournal("", &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "tree";
  const std::set<std::string> files = WriteNumberedFiles(tree, 40);
  const pb::IngestSummary first = IngestPath(*daemon, tree);
  EXPECT_EQ(first.files_ingested(), files.size());
  EXPECT_EQ(first.plugin_errors(), 0u);
  EXPECT_EQ(IngestPath(*daemon, tree).files_unchanged(), files.size());
  ASSERT_EQ(daemon->Stop(SIGKILL), 128 + SIGKILL);  // no orderly shutdown, no destroy()

  EXPECT_EQ(CatalogPaths(daemon->store() / "catalog.db"), files);
  EXPECT_EQ(JournalLines(JournalFile(*daemon)), files);
}

TEST(Durability, AFailedFlushIsReportedAndItsFilesAreAnalyzedAgain) {
  std::string error;
  auto daemon = StartWithJournal("{fail_flush: true}", &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "tree";
  WriteNumberedFiles(tree, 10);
  const pb::IngestSummary first = IngestPath(*daemon, tree);
  EXPECT_EQ(first.files_ingested(), 10u);
  EXPECT_EQ(first.plugin_errors(), 1u);
  ASSERT_EQ(first.errors_size(), 1);
  EXPECT_EQ(first.errors(0).message(),
            "plugin journal: flush failed: journal: flush refused on purpose; the next ingest "
            "analyzes the 10 documents of this batch again");
  // The documents are cataloged (their results are real), but not as finished: the next ingest
  // analyzes them again instead of skipping them as unchanged.
  EXPECT_EQ(CatalogPaths(daemon->store() / "catalog.db").size(), 10u);
  const pb::IngestSummary second = IngestPath(*daemon, tree);
  EXPECT_EQ(second.files_unchanged(), 0u);
  EXPECT_EQ(second.files_ingested(), 10u);
}

TEST(Durability, AFailedFlushAlsoReanalyzesTheFilesItCaughtMidAnalysis) {
  // A plugin commits its own batches, which need not match the host's: the first flush here
  // fails and loses everything the plugin had pending, including a file that belongs to a
  // later batch (the journal holds a-held.txt's analysis open until that flush has run). The
  // host must not record that file as finished when its own batch's flush succeeds.
  std::string error;
  // Two workers: one waits in a-held.txt, the other goes on.
  auto daemon =
      StartWithJournal("{fail_first_flush: true, hold: a-held.txt}", &error, "  workers: 2\n");
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "tree";
  std::set<std::string> files = WriteNumberedFiles(tree, 200);
  const fs::path held = tree / "a-held.txt";  // first in walk order: claimed first
  testing::WriteFile(held, "held\n");
  files.insert(held.string());
  const fs::path catalog = daemon->store() / "catalog.db";
  const fs::path journal = JournalFile(*daemon);
  const char* const finished_sql =
      "SELECT path FROM documents WHERE parent = '' AND signature != ''";

  const pb::IngestSummary first = IngestPath(*daemon, tree);
  EXPECT_EQ(first.files_ingested(), files.size());
  EXPECT_EQ(first.plugin_errors(), 1u);
  EXPECT_GE(first.errors_size(), 2);
  // The first batch holds 67 of the 201 files (batches shrink towards the end of a run).
  EXPECT_EQ(first.errors_size() > 0 ? first.errors(0).message() : "",
            "plugin journal: flush failed: journal: first flush failed on purpose; the next "
            "ingest analyzes the 67 documents of this batch again");
  // Later batches report the files they hold that were being analyzed when it failed: at least
  // a-held.txt, and whatever the other worker had analyzed ahead of the committer.
  for (int i = 1; i < first.errors_size(); ++i) {
    EXPECT_TRUE(first.errors(i).message().starts_with("a plugin flush failed while "))
        << first.errors(i).message();
  }
  // Every file the catalog records as finished is in the journal; a-held.txt is not finished.
  const std::vector<std::string> finished = FirstColumn(catalog, finished_sql);
  const std::set<std::string> journaled = JournalLines(journal);
  for (const std::string& path : finished) EXPECT_TRUE(journaled.contains(path)) << path;
  EXPECT_FALSE(std::set<std::string>(finished.begin(), finished.end()).contains(held.string()));

  // The next ingest analyzes exactly the unfinished files, and then the journal has them all.
  const pb::IngestSummary second = IngestPath(*daemon, tree);
  EXPECT_EQ(second.files_ingested(), files.size() - finished.size());
  EXPECT_EQ(second.files_unchanged(), finished.size());
  EXPECT_EQ(second.errors_size(), 0);
  EXPECT_EQ(CatalogPaths(catalog), files);
  EXPECT_EQ(JournalLines(journal), files);
  const std::vector<std::string> all_finished = FirstColumn(catalog, finished_sql);
  EXPECT_EQ(std::set<std::string>(all_finished.begin(), all_finished.end()), files);
}

TEST(Durability, AnUploadCaughtByAnotherIngestsFailedFlushSaysItsPluginStateMayBeLost) {
  // The upload's analysis is held open (journal fixture) while an ingest's flush fails and
  // loses everything pending, the upload's journal entry included. The upload's own flush then
  // succeeds, but the upload must still say that its plugin state may be lost.
  std::string error;
  auto daemon = StartWithJournal("{fail_first_flush: true, hold: a-held.txt}", &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "tree";
  WriteNumberedFiles(tree, 5);

  auto upload = std::async(std::launch::async, [&] {
    auto stub = pb::FileManager::NewStub(daemon->channel());
    grpc::ClientContext ctx;
    pb::IngestSummary summary;
    auto writer = stub->Upload(&ctx, &summary);
    pb::UploadChunk chunk;
    chunk.mutable_header()->set_name("up/a-held.txt");
    writer->Write(chunk);
    chunk.set_data("held\n");
    writer->Write(chunk);
    writer->WritesDone();
    const grpc::Status st = writer->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
    return summary;
  });
  // The journal's first file is the mark it leaves while it holds the upload inside process().
  const fs::path data_dir = daemon->store() / "plugins" / "journal";
  ASSERT_TRUE(testing::WaitForAnyFile(data_dir, std::chrono::seconds(60)));
  ASSERT_TRUE(fs::exists(data_dir / "holding"));

  const pb::IngestSummary ingest = IngestPath(*daemon, tree);  // its flush fails
  EXPECT_EQ(ingest.plugin_errors(), 1u);
  const pb::IngestSummary uploaded = upload.get();
  EXPECT_EQ(uploaded.files_ingested(), 1u);
  EXPECT_EQ(uploaded.plugin_errors(), 0u);
  ASSERT_EQ(uploaded.errors_size(), 1);
  EXPECT_EQ(uploaded.errors(0).path(), "upload:up/a-held.txt");
  EXPECT_EQ(uploaded.errors(0).message(),
            "a plugin flush failed while this upload was being analyzed, so what the plugins "
            "keep for it may be lost; send it again");
}

TEST(Durability, SimilarSignaturesSurviveASigkillRightAfterTheIngest) {
  // The similar plugin keeps its signatures in its own database, committed in batches; the host
  // flushes it before cataloging, so a crash right after an ingest loses none of them.
  DaemonOptions opts;
  opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "tree";
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "Sentence number " + std::to_string(i) + " talks about rivers mountains and valleys. ";
  }
  testing::WriteFile(tree / "near1.txt", text + "The end.");
  testing::WriteFile(tree / "near2.txt", text + "The finish.");
  testing::WriteFile(tree / "other.txt", "Nothing in common with the others at all, none.");
  EXPECT_EQ(IngestPath(*daemon, tree).files_ingested(), 3u);
  ASSERT_EQ(daemon->Stop(SIGKILL), 128 + SIGKILL);

  auto restarted = RestartOn(*daemon, opts, &error);
  ASSERT_NE(restarted, nullptr) << error;
  auto stub = pb::FileManager::NewStub(restarted->channel());
  grpc::ClientContext ctx;
  pb::AnalyzeRequest req;
  req.set_query("similar:" + (tree / "near1.txt").string());
  pb::AnalyzeResponse r;
  const grpc::Status st = stub->Analyze(&ctx, req, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.results(0), (tree / "near2.txt").string());
  // And nothing needs analyzing again.
  EXPECT_EQ(IngestPath(*restarted, tree).files_unchanged(), 3u);
}

TEST(Durability, ATwoGigabyteSparseFileIngestsWithBoundedMemory) {
  DaemonOptions opts;
  opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
  opts.ingest_yaml = "  max_file_size: 4G\n";
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path big = daemon->dir() / "sparse.bin";
  constexpr uint64_t kSize = 2ull << 30;
  {
    const int fd = ::open(big.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "tail", 4, kSize - 4), 4);
    ::close(fd);
  }
  const uint64_t before_kib = ProcStatusKiB(daemon->pid(), "VmHWM");
  auto stub = pb::FileManager::NewStub(daemon->channel());
  grpc::ClientContext ctx;
  pb::IngestRequest req;
  req.set_path(big.string());
  pb::IngestSummary s;
  ASSERT_TRUE(stub->Ingest(&ctx, req, &s).ok());
  EXPECT_EQ(s.files_ingested(), 1u);
  EXPECT_EQ(s.bytes_ingested(), kSize);
  const uint64_t peak_kib = ProcStatusKiB(daemon->pid(), "VmHWM");

  grpc::ClientContext gctx;
  pb::GetDocumentRequest greq;
  greq.set_path(big.string());
  pb::Document doc;
  ASSERT_TRUE(stub->GetDocument(&gctx, greq, &doc).ok());
  EXPECT_EQ(doc.size(), kSize);
  EXPECT_EQ(doc.sha256().size(), 64u) << "the whole file was hashed";

  // Peak resident memory grows by a bounded amount, not by the file's size.
  const uint64_t growth_mib = (peak_kib - before_kib) / 1024;
  RecordProperty("peak_rss_growth_mib", std::to_string(growth_mib));
  std::printf("peak RSS before %llu MiB, after %llu MiB (growth %llu MiB) for a %llu MiB file\n",
              static_cast<unsigned long long>(before_kib / 1024),
              static_cast<unsigned long long>(peak_kib / 1024),
              static_cast<unsigned long long>(growth_mib),
              static_cast<unsigned long long>(kSize >> 20));
  EXPECT_LT(growth_mib, 256u);
}

}  // namespace
}  // namespace archivum
