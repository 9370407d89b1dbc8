// The daemon over real gRPC: health, reflection, Ingest/Analyze behaviour and error codes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "health.grpc.pb.h"
#include "reflection.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::Daemon;
using testing::DaemonOptions;
using testing::WriteFile;

class GrpcApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    daemon_ = Daemon::Start(DaemonOptions{}, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    corpus_ = daemon_->dir() / "corpus";
    WriteFile(corpus_ / "docs/readme.md", "# hello\n");
    WriteFile(corpus_ / "docs/Report-2024.txt", "quarterly numbers\n");
    WriteFile(corpus_ / "src/main.cc", "int main() {}\n");
    WriteFile(corpus_ / "src/util/strings.h", "#pragma once\n");
    WriteFile(corpus_ / "empty.txt", "");
    ASSERT_EQ(::mkfifo((corpus_ / "pipe").c_str(), 0600), 0);
    fs::create_symlink("/etc/hostname", corpus_ / "escape-link");
  }

  grpc::Status Ingest(const std::string& path, pb::IngestSummary* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    pb::IngestRequest req;
    req.set_path(path);
    return stub_->Ingest(&ctx, req, out);
  }

  grpc::Status Analyze(const std::string& query, pb::AnalyzeResponse* out, uint32_t limit = 0) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::AnalyzeRequest req;
    req.set_query(query);
    req.set_limit(limit);
    return stub_->Analyze(&ctx, req, out);
  }

  std::string P(const std::string& rel) const { return (corpus_ / rel).string(); }

  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path corpus_;
};

TEST_F(GrpcApiTest, HealthReportsServingForServerAndService) {
  auto health = grpc::health::v1::Health::NewStub(daemon_->channel());
  for (const std::string service : {"", "aichemist_archivum.FileManager"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(GrpcApiTest, ReflectionListsFileManagerAndHealth) {
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(daemon_->channel());
  grpc::ClientContext ctx;
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  stream->WritesDone();
  std::set<std::string> names;
  for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
  EXPECT_TRUE(names.count("aichemist_archivum.FileManager"));
  EXPECT_TRUE(names.count("grpc.health.v1.Health"));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(GrpcApiTest, IngestCountsRegularFilesAndSkipsTheRest) {
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(corpus_.string(), &s).ok());
  EXPECT_EQ(s.files_seen(), 5u);
  EXPECT_EQ(s.files_ingested(), 5u);
  EXPECT_EQ(s.files_unchanged(), 0u);
  EXPECT_EQ(s.files_failed(), 0u);
  EXPECT_EQ(s.files_skipped(), 2u);  // the FIFO (without blocking) and the symlink
  EXPECT_EQ(s.bytes_ingested(), 8u + 18u + 14u + 13u);
}

TEST_F(GrpcApiTest, SecondIngestCountsUnchangedAndNoticesChangesAndDeletions) {
  pb::IngestSummary first;
  ASSERT_TRUE(Ingest(corpus_.string(), &first).ok());

  pb::IngestSummary second;
  ASSERT_TRUE(Ingest(corpus_.string(), &second).ok());
  EXPECT_EQ(second.files_seen(), 5u);
  EXPECT_EQ(second.files_ingested(), 0u);
  EXPECT_EQ(second.files_unchanged(), 5u);

  WriteFile(corpus_ / "src/main.cc", "int main() { return 0; }\n");  // new size
  fs::remove(corpus_ / "docs/readme.md");
  pb::IngestSummary third;
  ASSERT_TRUE(Ingest(corpus_.string(), &third).ok());
  EXPECT_EQ(third.files_seen(), 4u);
  EXPECT_EQ(third.files_ingested(), 1u);
  EXPECT_EQ(third.files_unchanged(), 3u);
  EXPECT_EQ(third.files_removed(), 1u);

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("readme", &r).ok());
  EXPECT_EQ(r.results_size(), 0) << "a deleted file must leave the catalog";
}

TEST_F(GrpcApiTest, IngestOfASingleFileCatalogsIt) {
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(P("src/main.cc"), &s).ok());
  EXPECT_EQ(s.files_seen(), 1u);
  EXPECT_EQ(s.files_ingested(), 1u);
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("main", &r).ok());
  ASSERT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.results(0), P("src/main.cc"));
}

TEST_F(GrpcApiTest, AnalyzeMatchesEveryWordCaseInsensitivelyBestFirst) {
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(corpus_.string(), &s).ok());

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("REPORT", &r).ok());
  ASSERT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.results(0), P("docs/Report-2024.txt"));
  ASSERT_EQ(r.hits_size(), 1);
  EXPECT_EQ(r.hits(0).path(), P("docs/Report-2024.txt"));
  EXPECT_EQ(r.hits(0).size(), 18u);
  EXPECT_GT(r.hits(0).score(), 0);

  ASSERT_TRUE(Analyze("src strings", &r).ok());
  ASSERT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.results(0), P("src/util/strings.h"));

  // Path words are indexed: both files under docs/ match; limit caps, total counts all.
  ASSERT_TRUE(Analyze("docs", &r).ok());
  EXPECT_EQ(std::set<std::string>(r.results().begin(), r.results().end()),
            (std::set<std::string>{P("docs/readme.md"), P("docs/Report-2024.txt")}));
  ASSERT_TRUE(Analyze("docs", &r, 1).ok());
  EXPECT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.total(), 2u);

  ASSERT_TRUE(Analyze("nothing-matches-this", &r).ok());
  EXPECT_EQ(r.results_size(), 0);
}

// sha256: and path: lookups are answered on gRPC's own thread
// (FileManager::AnalyzeMayRunOnIoThread); they must answer exactly as the worker-pool path does,
// errors included.
TEST_F(GrpcApiTest, ExactLookupsAnswerLikeAnyQuery) {
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(corpus_.string(), &s).ok());

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("path:" + P("src"), &r).ok());
  EXPECT_EQ(std::set<std::string>(r.results().begin(), r.results().end()),
            (std::set<std::string>{P("src/main.cc"), P("src/util/strings.h")}));
  EXPECT_EQ(r.total(), 2u);
  ASSERT_TRUE(Analyze("  PATH:" + P("src") + " ", &r, 1).ok());
  EXPECT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.total(), 2u);

  grpc::ClientContext ctx;
  pb::GetDocumentRequest get;
  get.set_path(P("src/main.cc"));
  pb::Document doc;
  ASSERT_TRUE(stub_->GetDocument(&ctx, get, &doc).ok());
  // No hash plugin in this daemon: the sha256 column is empty, and an unknown digest finds
  // nothing rather than failing.
  ASSERT_TRUE(Analyze("sha256:" + std::string(64, 'a'), &r).ok());
  EXPECT_EQ(r.results_size(), 0);

  // Malformed lookups fail the same way as on the worker pool.
  EXPECT_EQ(Analyze("sha256:xyz", &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Analyze("path:relative", &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Analyze("path:" + std::string(5000, 'a'), &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // An expired deadline is reported by gRPC whichever thread runs the call.
  grpc::ClientContext late;
  late.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  pb::AnalyzeRequest req;
  req.set_query("path:" + P("src"));
  EXPECT_EQ(stub_->Analyze(&late, req, &r).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

// Responses far larger than the per-call arena's first block (Analyze's request and response
// live on a protobuf arena), answered inline (path:) and on the worker pool (full text).
TEST_F(GrpcApiTest, LargePagesAnswerWholeInlineAndOnThePool) {
  std::vector<std::string> paths;
  for (int i = 0; i < 300; ++i) {
    const std::string rel =
        "many/a-rather-long-file-name-to-fill-the-page-" + std::to_string(i) + ".txt";
    WriteFile(corpus_ / rel, "needle number " + std::to_string(i) + "\n");
    paths.push_back(P(rel));
  }
  std::sort(paths.begin(), paths.end());
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(corpus_.string(), &s).ok());

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("path:" + P("many"), &r, 1000).ok());
  EXPECT_EQ(r.total(), 300u);
  ASSERT_EQ(r.results_size(), 300);
  ASSERT_EQ(r.hits_size(), 300);
  EXPECT_EQ(std::vector<std::string>(r.results().begin(), r.results().end()), paths);
  for (int i = 0; i < r.hits_size(); ++i) {
    EXPECT_EQ(r.hits(i).path(), paths[static_cast<size_t>(i)]);
    EXPECT_EQ(r.hits(i).size(), fs::file_size(r.hits(i).path()));
    // No text or MIME plugin in this daemon, and path: lookups carry no snippet.
    EXPECT_EQ(r.hits(i).snippet(), "");
    EXPECT_EQ(r.hits(i).mime(), "");
  }

  // Full text (words of the paths are indexed too; no text plugin in this daemon).
  pb::AnalyzeResponse ranked;
  ASSERT_TRUE(Analyze("rather", &ranked, 1000).ok());
  EXPECT_EQ(ranked.total(), 300u);
  ASSERT_EQ(ranked.hits_size(), 300);
  std::vector<std::string> got(ranked.results().begin(), ranked.results().end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, paths);
}

TEST_F(GrpcApiTest, ErrorsCarryActionableCodesAndMessages) {
  pb::IngestSummary s;
  grpc::Status st = Ingest("", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("empty"), std::string::npos);

  st = Ingest("relative/dir", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("relative"), std::string::npos);

  st = Ingest(P("no/such/file"), &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(st.error_message().find(P("no/such/file")), std::string::npos);

  st = Ingest("/etc", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(st.error_message().find(daemon_->dir().string()), std::string::npos)
      << "names the roots: " << st.error_message();

  // A symlink inside a root that points outside is judged by where it leads.
  st = Ingest(P("escape-link"), &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  st = Ingest(P("src/../../../../etc"), &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  pb::AnalyzeResponse r;
  EXPECT_EQ(Analyze("", &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Analyze("  \t ", &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // The daemon still serves after all of that.
  EXPECT_TRUE(Ingest(corpus_.string(), &s).ok());
}

TEST_F(GrpcApiTest, GetDocumentReturnsTheRecordOrNotFound) {
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(corpus_.string(), &s).ok());
  grpc::ClientContext ctx;
  pb::GetDocumentRequest req;
  req.set_path(P("docs/readme.md"));
  pb::Document doc;
  ASSERT_TRUE(stub_->GetDocument(&ctx, req, &doc).ok());
  EXPECT_EQ(doc.path(), P("docs/readme.md"));
  EXPECT_EQ(doc.size(), 8u);
  EXPECT_GT(doc.mtime_ns(), 0);
  EXPECT_GT(doc.ingested_at_ns(), 0);

  grpc::ClientContext ctx2;
  req.set_path(P("docs/missing.md"));
  EXPECT_EQ(stub_->GetDocument(&ctx2, req, &doc).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcApiTest, IngestStreamSendsOneEventPerFileWithRunningTotals) {
  grpc::ClientContext ctx;
  pb::IngestRequest req;
  req.set_path(corpus_.string());
  auto reader = stub_->IngestStream(&ctx, req);
  pb::IngestEvent ev;
  std::map<std::string, pb::IngestEvent::Outcome> outcomes;
  uint64_t last_seen = 0;
  while (reader->Read(&ev)) {
    outcomes[ev.path()] = ev.outcome();
    EXPECT_GE(ev.totals().files_seen(), last_seen);
    last_seen = ev.totals().files_seen();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(outcomes.size(), 7u);
  EXPECT_EQ(outcomes[P("docs/readme.md")], pb::IngestEvent::INGESTED);
  EXPECT_EQ(outcomes[P("pipe")], pb::IngestEvent::SKIPPED);
  EXPECT_EQ(last_seen, 5u);
}

TEST_F(GrpcApiTest, UploadCatalogsTheBytesUnderAnUploadPath) {
  grpc::ClientContext ctx;
  pb::IngestSummary s;
  auto writer = stub_->Upload(&ctx, &s);
  pb::UploadChunk chunk;
  chunk.mutable_header()->set_name("x.txt");
  ASSERT_TRUE(writer->Write(chunk));
  chunk.set_data("twelve bytes");
  ASSERT_TRUE(writer->Write(chunk));
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.files_ingested(), 1u);

  grpc::ClientContext gctx;
  pb::GetDocumentRequest req;
  req.set_path("upload:x.txt");
  pb::Document doc;
  ASSERT_TRUE(stub_->GetDocument(&gctx, req, &doc).ok());
  EXPECT_EQ(doc.size(), 12u);
}

TEST_F(GrpcApiTest, ListPluginsReportsHostAbiWithNoPlugins) {
  grpc::ClientContext ctx;
  pb::ListPluginsResponse resp;
  ASSERT_TRUE(stub_->ListPlugins(&ctx, pb::ListPluginsRequest(), &resp).ok());
  EXPECT_EQ(resp.plugins_size(), 0);
  EXPECT_FALSE(resp.host_abi_version().empty());
}

// File permissions, enforced on the daemon even when the suite runs as root.
TEST(GrpcApiPermissions, UnreadablePathsArePermissionDeniedOrCountedAsFailed) {
  DaemonOptions opts;
  opts.without_dac_override = true;
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  auto stub = pb::FileManager::NewStub(daemon->channel());
  const fs::path tree = daemon->dir() / "tree";
  WriteFile(tree / "ok.txt", "fine");
  WriteFile(tree / "secret.txt", "hidden");
  WriteFile(daemon->dir() / "locked/inner.txt", "x");
  fs::permissions(tree / "secret.txt", fs::perms::none);
  fs::permissions(daemon->dir() / "locked", fs::perms::none);

  {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(tree.string());
    pb::IngestSummary s;
    ASSERT_TRUE(stub->Ingest(&ctx, req, &s).ok());
    EXPECT_EQ(s.files_seen(), 1u);
    EXPECT_EQ(s.files_failed(), 1u);
    ASSERT_EQ(s.errors_size(), 1);
    EXPECT_EQ(s.errors(0).path(), (tree / "secret.txt").string());
    EXPECT_EQ(s.errors(0).code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  }
  {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path((daemon->dir() / "locked").string());
    pb::IngestSummary s;
    grpc::Status st = stub->Ingest(&ctx, req, &s);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    EXPECT_NE(st.error_message().find("locked"), std::string::npos) << st.error_message();
  }
}

}  // namespace
}  // namespace archivum
