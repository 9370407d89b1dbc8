// FileManagerImpl in process: a temporary catalog, the fixture plugins, real files and uploads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/file_manager_impl.h"
#include "query/parser.h"
#include "store/open_catalog.h"
#include "support/daemon.h"

namespace archivum::core {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;
using archivum::testing::WriteFile;

// An Upload stream held in memory: a header, then the data in one message.
class MemoryUpload final : public UploadReader {
 public:
  MemoryUpload(std::string name, std::string data) {
    chunks_.emplace_back().mutable_header()->set_name(std::move(name));
    chunks_.emplace_back().set_data(std::move(data));
  }
  bool Next(pb::UploadChunk* chunk) override {
    if (next_ == chunks_.size()) return false;
    *chunk = chunks_[next_++];
    return true;
  }

 private:
  std::vector<pb::UploadChunk> chunks_;
  size_t next_ = 0;
};

class FileManagerTest : public ::testing::Test {
 protected:
  // A service over a fresh catalog, with the plugins of `plugin_dirs` and `settings`, and
  // files() as its one ingest root.
  void Start(std::vector<fs::path> plugin_dirs,
             std::map<std::string, config::PluginSettings> settings = {}) {
    fs::create_directories(files());
    config::Store store_config;
    store_config.path = tmp_.path() / "store";
    auto catalog = store::OpenCatalog(store_config);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    plugins::PluginRegistry::Options options;
    options.directories = std::move(plugin_dirs);
    options.settings = std::move(settings);
    options.data_root = tmp_.path() / "store" / "plugins";
    registry_ = plugins::PluginRegistry::Load(options);
    config::Ingest ingest;
    ingest.roots = {files()};
    service_ = std::make_unique<FileManagerImpl>(catalog_.get(), registry_.get(), ingest,
                                                 tmp_.path() / "store" / "spool");
  }

  fs::path files() const { return tmp_.path() / "files"; }

  pb::IngestSummary Ingest(const fs::path& path) {
    pb::IngestRequest request;
    request.set_path(path.string());
    pb::IngestSummary summary;
    const Status st = service_->Ingest(request, CallContext{}, &summary);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return summary;
  }

  pb::IngestSummary Upload(std::string name, std::string data) {
    MemoryUpload reader(std::move(name), std::move(data));
    pb::IngestSummary summary;
    const Status st = service_->Upload(reader, CallContext{}, &summary);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return summary;
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

  TempDir tmp_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<plugins::PluginRegistry> registry_;
  std::unique_ptr<FileManagerImpl> service_;
};

// The journal fixture with every flush failing.
std::map<std::string, config::PluginSettings> FailingFlushes() {
  std::map<std::string, config::PluginSettings> settings;
  settings["journal"].config_json = R"({"fail_flush":true})";
  return settings;
}

TEST_F(FileManagerTest, AnIngestedFileCaughtByAFailedFlushIsAnalyzedAgainByTheNextIngest) {
  Start({ARCHIVUM_JOURNAL_PLUGIN}, FailingFlushes());
  WriteFile(files() / "a.txt", "alpha\n");
  const pb::IngestSummary first = Ingest(files());
  EXPECT_EQ(first.files_ingested(), 1u);
  EXPECT_EQ(first.plugin_errors(), 1u);
  ASSERT_EQ(first.errors_size(), 1);
  EXPECT_EQ(first.errors(0).message(),
            "plugin journal: flush failed: journal: flush refused on purpose; the next ingest "
            "analyzes the 1 documents of this batch again");
  EXPECT_EQ(Cataloged((files() / "a.txt").string()).signature, "");

  const pb::IngestSummary second = Ingest(files());
  EXPECT_EQ(second.files_unchanged(), 0u);
  EXPECT_EQ(second.files_ingested(), 1u);
}

TEST_F(FileManagerTest, AnUploadCaughtByAFailedFlushIsCatalogedForAnalysisAgainAsAnIngestIs) {
  Start({ARCHIVUM_JOURNAL_PLUGIN}, FailingFlushes());
  const pb::IngestSummary uploaded = Upload("notes.txt", "alpha\n");
  EXPECT_EQ(uploaded.files_ingested(), 1u);
  EXPECT_EQ(uploaded.plugin_errors(), 1u);
  ASSERT_EQ(uploaded.errors_size(), 1);
  EXPECT_EQ(uploaded.errors(0).path(), "upload:notes.txt");
  EXPECT_EQ(uploaded.errors(0).message(),
            "plugin journal: flush failed: journal: flush refused on purpose");
  // The plugins' state for it may be lost, so the catalog must not record it as analyzed by
  // this plugin set: the same state an ingested file is left in.
  const store::DocumentRecord doc = Cataloged("upload:notes.txt");
  EXPECT_EQ(doc.signature, "");
  EXPECT_EQ(doc.size, 6u);
}

TEST_F(FileManagerTest, AnUploadWhoseFlushSucceedsIsCatalogedAsAnalyzed) {
  Start({ARCHIVUM_JOURNAL_PLUGIN});
  const pb::IngestSummary uploaded = Upload("notes.txt", "alpha\n");
  EXPECT_EQ(uploaded.plugin_errors(), 0u);
  EXPECT_EQ(uploaded.errors_size(), 0);
  EXPECT_EQ(Cataloged("upload:notes.txt").signature, registry_->Signature());
  std::ifstream journal(tmp_.path() / "store" / "plugins" / "journal" / "journal.txt");
  std::string line;
  ASSERT_TRUE(std::getline(journal, line));
  EXPECT_EQ(line, "upload:notes.txt");
}

// Whether the parsed query is what AnalyzeMayRunOnIoThread promises: one sha256: or path:
// filter and nothing else.
bool IsOneLookup(const query::Query& q) {
  if (!q.verbs.empty() || !q.where || q.where->kind != query::NodeKind::kTerm) return false;
  const auto* filter = std::get_if<query::Filter>(&q.where->term);
  return filter != nullptr &&
         (filter->field == query::Field::kSha256 || filter->field == query::Field::kPath);
}

TEST_F(FileManagerTest, QueriesThatMayRunOnAnIoThreadAreOneLookupForTheParser) {
  Start({});
  const std::string hex(64, 'a');
  std::vector<std::string> queries = {"sha256:" + hex,
                                      "SHA256:" + hex,
                                      "  path:/tmp  ",
                                      "Path:/",
                                      "path:/a/b.c",
                                      "path:/a b",
                                      "sha256:" + hex + " x",
                                      "path:",
                                      "path:/x\t",
                                      "\tpath:/x",
                                      "-path:/x",
                                      "(path:/x)",
                                      "path:\"/x\"",
                                      "path:/x OR path:/y",
                                      "ext:h",
                                      "similar:/x",
                                      "word",
                                      "sha256:xyz",
                                      "path:relative",
                                      "path:/x)",
                                      "path:/x*",
                                      "sha256:" + hex + "(",
                                      "sha256:" + std::string(63, 'a'),
                                      "pathx:/a",
                                      "path :/a",
                                      "path:/a\vb",
                                      "path:/é"};
  // The fuzz corpus of the parser, and every query with a field prefix put in front.
  for (const auto& entry : fs::directory_iterator(ARCHIVUM_QUERY_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    queries.push_back(text);
    queries.push_back("path:" + text);
    queries.push_back("sha256:" + text);
  }
  query::ParseOptions options;
  size_t accepted = 0;
  for (const std::string& q : queries) {
    pb::AnalyzeRequest request;
    request.set_query(q);
    if (!service_->AnalyzeMayRunOnIoThread(request)) continue;
    ++accepted;
    // Accepted: the parser must see one lookup, or refuse the query (an error answered at once).
    auto parsed = query::Parse(q, options);
    if (parsed.ok()) {
      EXPECT_TRUE(IsOneLookup(*parsed)) << "'" << q << "'";
    }
  }
  EXPECT_GE(accepted, 5u);
  for (const std::string& q :
       std::vector<std::string>{"sha256:" + hex, "  path:/tmp  ", "PATH:/"}) {
    pb::AnalyzeRequest request;
    request.set_query(q);
    EXPECT_TRUE(service_->AnalyzeMayRunOnIoThread(request)) << q;
  }
}

}  // namespace
}  // namespace archivum::core
