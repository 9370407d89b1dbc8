// FileManagerImpl in process, over a temporary catalog with the fixture plugins: Ingest and
// IngestStream confined to the roots (refusals name the path), the admission limit shared by
// ingests and uploads, uploads through the pipeline and the refused ones (names, declared size,
// ingest.max_file_size), what a failed plugin flush leaves in the catalog for an ingested file and
// for an upload, and which queries may run on a transport's I/O thread.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/file_manager_fixture.h"
#include "query/parser.h"

namespace archivum::core {
namespace {

namespace fs = std::filesystem;
using archivum::testing::WriteFile;
using ::testing::HasSubstr;

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

TEST_F(FileManagerTest, IngestIsConfinedToTheRootsAndNamesThemWhenRefusing) {
  Start({});
  pb::IngestRequest request;
  pb::IngestSummary summary;
  request.set_path("/etc");
  const Status outside = service_->Ingest(request, CallContext{}, &summary);
  EXPECT_EQ(outside.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(outside.message(), HasSubstr(files().string()));
  request.set_path("relative/dir");
  EXPECT_EQ(service_->Ingest(request, CallContext{}, &summary).code(),
            StatusCode::kInvalidArgument);
  request.set_path(P("no/such/file"));
  EXPECT_EQ(service_->Ingest(request, CallContext{}, &summary).code(), StatusCode::kNotFound);
}

TEST_F(FileManagerTest, ARefusedIngestSaysWhichPathItWas) {
  ingest_.max_files_per_request = 1;
  Start({});
  WriteFile(files() / "a.txt", "a");
  WriteFile(files() / "b.txt", "b");
  pb::IngestRequest request;
  request.set_path(files().string());
  pb::IngestSummary summary;
  const Status st = service_->Ingest(request, CallContext{}, &summary);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(st.message().rfind("ingesting " + files().string() +
                                   ": more than 1 files under the path "
                                   "(ingest.max_files_per_request)",
                               0),
            0u)
      << st.message();
}

TEST_F(FileManagerTest, IngestStreamSendsOneEventPerFileAndEndsWithTheSummary) {
  Start({plugins::testing::FixtureDir("good")});
  WriteFile(files() / "a.txt", "alpha\n");
  WriteFile(files() / "b.txt", "beta\n");
  pb::IngestRequest request;
  request.set_path(files().string());
  std::vector<pb::IngestEvent> events;
  pb::IngestSummary summary;
  const Status st = service_->IngestStream(
      request, CallContext{},
      [&](const pb::IngestEvent& e) {
        events.push_back(e);
        return true;
      },
      &summary);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) EXPECT_EQ(e.outcome(), pb::IngestEvent::INGESTED) << e.path();
  EXPECT_EQ(events.back().totals().files_ingested(), 2u);
  EXPECT_EQ(summary.files_ingested(), 2u);
  EXPECT_EQ(summary.bytes_ingested(), 11u);
}

TEST_F(FileManagerTest, CallsPastMaxConcurrentAreRefusedWhileOthersRun) {
  ingest_.max_concurrent = 1;
  Start({});
  WriteFile(files() / "a.txt", "alpha\n");
  pb::IngestRequest request;
  request.set_path(files().string());
  pb::IngestSummary summary;
  Status during_ingest, during_upload;
  // The sink runs on the ingest's thread while the ingest holds its admission.
  const Status st = service_->IngestStream(
      request, CallContext{},
      [&](const pb::IngestEvent&) {
        pb::IngestSummary other;
        during_ingest = service_->Ingest(request, CallContext{}, &other);
        MemoryUpload upload("x.txt", "x");
        during_upload = service_->Upload(upload, CallContext{}, &other);
        return true;
      },
      &summary);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const Status& refused : {during_ingest, during_upload}) {
    EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(refused.message(), "1 ingests already running (ingest.max_concurrent); retry later");
  }
  EXPECT_FALSE(IsCataloged("upload:x.txt"));
  // Once it has ended, the next call is admitted.
  EXPECT_EQ(Upload("x.txt", "x").files_ingested(), 1u);
}

TEST_F(FileManagerTest, AnUploadRunsThroughThePipelineAndIsSearchable) {
  Start({plugins::testing::FixtureDir("good")});
  const std::string body = "Observed a pangolin near the river at dawn.\n";
  MemoryUpload reader(MemoryUpload::Chunks("notes/field-notes.txt", 0, body, 10));
  pb::IngestSummary summary;
  const Status st = service_->Upload(reader, CallContext{}, &summary);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(summary.files_seen(), 1u);
  EXPECT_EQ(summary.files_ingested(), 1u);
  EXPECT_EQ(summary.bytes_ingested(), body.size());
  EXPECT_EQ(summary.plugin_errors(), 0u);

  pb::AnalyzeResponse found;
  ASSERT_TRUE(Analyze("pangolin", &found).ok());
  ASSERT_EQ(found.results_size(), 1);
  EXPECT_EQ(found.results(0), "upload:notes/field-notes.txt");
  pb::Document doc;
  ASSERT_TRUE(GetDocument("upload:notes/field-notes.txt", &doc).ok());
  EXPECT_EQ(doc.mime(), "text/plain");
  EXPECT_EQ(doc.size(), body.size());
  EXPECT_TRUE(fs::is_empty(spool_dir())) << "the spool file is gone";

  // Sending the same name again replaces the document.
  Upload("notes/field-notes.txt", "Now about an okapi.\n");
  ASSERT_TRUE(Analyze("pangolin", &found).ok());
  EXPECT_EQ(found.results_size(), 0);
  ASSERT_TRUE(Analyze("okapi", &found).ok());
  EXPECT_EQ(found.results_size(), 1);
}

TEST_F(FileManagerTest, UploadNamesMustBeNonEmptyShortPrintableUtf8) {
  Start({});
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"", "upload header: name is empty"},
      {std::string(1025, 'n'), "upload header: name is longer than 1024 bytes"},
      {"two\nlines.txt", "upload header: name contains a control character"},
      {"bell\x7f.txt", "upload header: name contains a control character"},
      {"caf\xff.txt", "upload header: name is not valid UTF-8"}};
  for (const auto& [name, message] : refused) {
    const Status st = FailedUpload(MemoryUpload::Chunks(name, 0, "data"));
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(st.message(), message) << name;
    EXPECT_FALSE(IsCataloged("upload:" + name)) << name;
  }
  EXPECT_EQ(Upload(std::string(1024, 'n'), "data").files_ingested(), 1u);
  EXPECT_EQ(Upload("caf\xc3\xa9/r\xc3\xa9sum\xc3\xa9.txt", "data").files_ingested(), 1u);
}

TEST_F(FileManagerTest, AnUploadSendingOtherThanTheDeclaredSizeIsRefused) {
  Start({});
  const Status st = FailedUpload(MemoryUpload::Chunks("x.txt", 100, "short"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "upload declared 100 bytes but sent 5");
  EXPECT_FALSE(IsCataloged("upload:x.txt"));
  EXPECT_TRUE(fs::is_empty(spool_dir()));
}

TEST_F(FileManagerTest, AnUploadOverMaxFileSizeIsRefused) {
  ingest_.max_file_size = 8;
  Start({});
  const Status declared = FailedUpload(MemoryUpload::Chunks("x.txt", 9, "123456789"));
  EXPECT_EQ(declared.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(declared.message(), "upload declares 9 bytes, over the limit of 8");
  const Status sent = FailedUpload(MemoryUpload::Chunks("x.txt", 0, "123456789", 4));
  EXPECT_EQ(sent.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(sent.message(), "upload is larger than the limit of 8 bytes (ingest.max_file_size)");
  EXPECT_FALSE(IsCataloged("upload:x.txt"));
  EXPECT_TRUE(fs::is_empty(spool_dir()));
  EXPECT_EQ(Upload("x.txt", "12345678").files_ingested(), 1u) << "the limit itself is allowed";
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
    // Facets and sorting read the whole result set: a worker's job.
    request.set_facets(true);
    EXPECT_FALSE(service_->AnalyzeMayRunOnIoThread(request)) << q;
    request.set_facets(false);
    request.set_sort(pb::AnalyzeRequest::SORT_SIZE_DESC);
    EXPECT_FALSE(service_->AnalyzeMayRunOnIoThread(request)) << q;
    request.set_sort(pb::AnalyzeRequest::SORT_RELEVANCE);
    EXPECT_TRUE(service_->AnalyzeMayRunOnIoThread(request)) << q;
  }
}

}  // namespace
}  // namespace archivum::core
