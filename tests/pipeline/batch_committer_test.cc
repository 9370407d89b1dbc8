// pipeline::BatchCommitter with the "journal" fixture plugin (it writes what it processed only
// when flushed, and can be told to fail its flushes) over a temporary catalog: the plugins are
// flushed before the batch is committed; a batch whose flush failed is cataloged without its
// signature (so the next ingest analyzes it again), and so is a document whose analysis began
// before a flush failed (the BeginAnalysis mark); the report says which happened.
#include "pipeline/batch_committer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/document_analyzer.h"
#include "plugins/test_util.h"
#include "support/temp_dir.h"
#include "support/test_catalog.h"

namespace archivum::pipeline {
namespace {

namespace fs = std::filesystem;

class BatchCommitterTest : public ::testing::Test {
 protected:
  // The journal plugin with `config_json`, a catalog and a committer over both.
  void Start(const std::string& config_json = "{}") {
    auto catalog = archivum::testing::OpenTestCatalog(tmp_.path() / "store");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    std::map<std::string, config::PluginSettings> settings;
    settings["journal"].config_json = config_json;
    registry_ = plugins::testing::LoadDirs({ARCHIVUM_JOURNAL_PLUGIN}, settings, data_root());
    ASSERT_EQ(registry_->loaded_count(), 1u);
    analyzer_ = std::make_unique<DocumentAnalyzer>(registry_.get(), config::Ingest{});
    committer_ = std::make_unique<BatchCommitter>(catalog_.get(), registry_.get());
  }

  // The writes of `path` analyzed by the plugins (the journal then holds it, unflushed).
  std::vector<store::DocumentWrite> Analyzed(const std::string& path) {
    store::DocumentRecord record;
    record.path = path;
    return analyzer_->Analyze(std::move(record), "alpha\n", CallContext{}).writes;
  }

  // Commits `writes`, all analyzed after `mark`.
  Status Commit(std::vector<store::DocumentWrite> writes, BatchCommitter::Mark mark,
                BatchCommitter::FlushReport* report) {
    return committer_->Commit(writes, std::vector<BatchCommitter::Mark>(writes.size(), mark),
                              report);
  }

  store::DocumentRecord Cataloged(const std::string& path) {
    auto found = catalog_->Find(path);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (!found.ok() || !found->has_value()) {
      ADD_FAILURE() << path << " is not cataloged";
      return {};
    }
    return **found;
  }

  // The paths the journal has made durable, in order.
  std::vector<std::string> Journal() const {
    std::ifstream in(data_root() / "journal" / "journal.txt");
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  fs::path data_root() const { return tmp_.path() / "store" / "plugins"; }

  archivum::testing::TempDir tmp_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<plugins::PluginRegistry> registry_;
  std::unique_ptr<DocumentAnalyzer> analyzer_;
  std::unique_ptr<BatchCommitter> committer_;
};

TEST_F(BatchCommitterTest, ThePluginsAreFlushedAndTheBatchIsCatalogedAsAnalyzed) {
  Start();
  const BatchCommitter::Mark mark = committer_->BeginAnalysis();
  BatchCommitter::FlushReport report;
  const Status st = Commit(Analyzed("/docs/a.txt"), mark, &report);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(report.flush.ok()) << report.flush.ToString();
  EXPECT_EQ(report.exposed, 0u);
  EXPECT_EQ(report.first_exposed, "");
  EXPECT_EQ(Journal(), std::vector<std::string>{"/docs/a.txt"}) << "flushed by the commit";
  EXPECT_EQ(Cataloged("/docs/a.txt").signature, registry_->Signature());
}

TEST_F(BatchCommitterTest, ABatchWhoseFlushFailedIsCatalogedWithoutItsSignature) {
  Start(R"({"fail_flush":true})");
  const BatchCommitter::Mark mark = committer_->BeginAnalysis();
  std::vector<store::DocumentWrite> writes = Analyzed("/docs/a.txt");
  auto more = Analyzed("/docs/b.txt");
  writes.push_back(std::move(more.front()));
  BatchCommitter::FlushReport report;
  const Status st = Commit(std::move(writes), mark, &report);
  ASSERT_TRUE(st.ok()) << "the results are real: cataloged all the same: " << st.ToString();
  EXPECT_EQ(report.flush.code(), StatusCode::kInternal);
  EXPECT_EQ(report.flush.message(),
            "plugin journal: flush failed: journal: flush refused on purpose");
  EXPECT_EQ(report.exposed, 0u);
  for (const char* path : {"/docs/a.txt", "/docs/b.txt"}) {
    const store::DocumentRecord doc = Cataloged(path);
    EXPECT_EQ(doc.signature, "") << path;
    EXPECT_EQ(doc.size, 6u) << path;
  }
  EXPECT_TRUE(Journal().empty());
}

TEST_F(BatchCommitterTest, ADocumentWhoseAnalysisOverlappedAFailedFlushIsCatalogedUnsigned) {
  Start(R"({"fail_first_flush":true})");
  // b's analysis begins before the first flush fails, c's after it.
  const BatchCommitter::Mark before = committer_->BeginAnalysis();
  BatchCommitter::FlushReport first;
  ASSERT_TRUE(Commit(Analyzed("/docs/a.txt"), before, &first).ok());
  EXPECT_EQ(first.flush.message(),
            "plugin journal: flush failed: journal: first flush failed on purpose");
  EXPECT_EQ(Cataloged("/docs/a.txt").signature, "");

  const BatchCommitter::Mark after = committer_->BeginAnalysis();
  EXPECT_NE(after, before);
  std::vector<store::DocumentWrite> writes = Analyzed("/docs/b.txt");
  auto c = Analyzed("/docs/c.txt");
  writes.push_back(std::move(c.front()));
  BatchCommitter::FlushReport second;
  ASSERT_TRUE(committer_->Commit(writes, {before, after}, &second).ok());
  EXPECT_TRUE(second.flush.ok()) << second.flush.ToString();
  EXPECT_EQ(second.exposed, 1u);
  EXPECT_EQ(second.first_exposed, "/docs/b.txt");
  EXPECT_EQ(Cataloged("/docs/b.txt").signature, "");
  EXPECT_EQ(Cataloged("/docs/c.txt").signature, registry_->Signature());
}

TEST_F(BatchCommitterTest, WithoutPluginsNothingIsFlushedAndTheBatchIsSigned) {
  Start();
  std::vector<store::DocumentWrite> writes = Analyzed("/docs/a.txt");
  const std::string signature = writes.front().document.signature;
  BatchCommitter plain(catalog_.get(), nullptr);
  BatchCommitter::FlushReport report;
  ASSERT_TRUE(plain.Commit(writes, {plain.BeginAnalysis()}, &report).ok());
  EXPECT_TRUE(report.flush.ok());
  EXPECT_EQ(report.exposed, 0u);
  EXPECT_EQ(Cataloged("/docs/a.txt").signature, signature);
  EXPECT_TRUE(Journal().empty()) << "the journal was not flushed";
}

}  // namespace
}  // namespace archivum::pipeline
