// Request limits on the real daemon: concurrent ingests, files and bytes per request, query
// length. Each refusal reaches the client with the config key to change.
#include <gtest/gtest.h>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::Daemon;
using testing::DaemonOptions;
using testing::WaitForAnyFile;
using testing::WriteFile;

class LimitsTest : public ::testing::Test {
 protected:
  void Start(DaemonOptions opts) {
    std::string error;
    daemon_ = Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
  }

  // A clean shutdown; under the sanitizers, leaks and errors on the way out fail it. The channel
  // goes first: gRPC's shutdown waits (up to the deadline) for connected clients to hang up.
  void TearDown() override {
    stub_.reset();
    if (daemon_) {
      EXPECT_EQ(daemon_->Stop(), 0) << daemon_->log();
    }
  }

  grpc::Status Ingest(const fs::path& path, pb::IngestSummary* summary = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    pb::IngestRequest req;
    req.set_path(path.string());
    pb::IngestSummary ignored;
    return stub_->Ingest(&ctx, req, summary ? summary : &ignored);
  }

  grpc::Status Analyze(const std::string& query) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::AnalyzeRequest req;
    req.set_query(query);
    pb::AnalyzeResponse response;
    return stub_->Analyze(&ctx, req, &response);
  }

  grpc::StatusCode GetDocument(const fs::path& path) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path(path.string());
    pb::Document doc;
    return stub_->GetDocument(&ctx, req, &doc).error_code();
  }

  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
};

TEST_F(LimitsTest, IngestsPastMaxConcurrentAreRefusedUntilOneEnds) {
  DaemonOptions opts;
  opts.ingest_yaml = "  max_concurrent: 1\n";
  ASSERT_NO_FATAL_FAILURE(Start(opts));
  const fs::path corpus = daemon_->dir() / "corpus";
  WriteFile(corpus / "a.txt", "alpha\n");

  // An upload that has sent its header holds its slot until the client finishes it; its spool
  // file appears once the server holds the slot.
  grpc::ClientContext upload_ctx;
  upload_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  pb::IngestSummary upload_summary;
  auto upload = stub_->Upload(&upload_ctx, &upload_summary);
  pb::UploadChunk chunk;
  chunk.mutable_header()->set_name("held.txt");
  ASSERT_TRUE(upload->Write(chunk));
  ASSERT_TRUE(WaitForAnyFile(daemon_->store() / "spool", std::chrono::seconds(60)))
      << daemon_->log();

  const grpc::Status refused = Ingest(corpus);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("1 ingests already running (ingest.max_concurrent)"),
            std::string::npos)
      << refused.error_message();
  {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(corpus.string());
    auto stream = stub_->IngestStream(&ctx, req);
    pb::IngestEvent event;
    EXPECT_FALSE(stream->Read(&event));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }

  chunk.set_data("held words\n");
  ASSERT_TRUE(upload->Write(chunk));
  upload->WritesDone();
  const grpc::Status uploaded = upload->Finish();
  ASSERT_TRUE(uploaded.ok()) << uploaded.error_message();
  const grpc::Status after = Ingest(corpus);
  EXPECT_TRUE(after.ok()) << after.error_message();
}

TEST_F(LimitsTest, APathWithMoreFilesThanAllowedIsRefusedBeforeAnythingIsCataloged) {
  DaemonOptions opts;
  opts.ingest_yaml = "  max_files_per_request: 3\n";
  ASSERT_NO_FATAL_FAILURE(Start(opts));
  const fs::path corpus = daemon_->dir() / "corpus";
  for (const char* name : {"small/1.txt", "small/2.txt", "small/3.txt", "4.txt"}) {
    WriteFile(corpus / name, "text\n");
  }
  const grpc::Status st = Ingest(corpus);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(st.error_message().find("more than 3 files"), std::string::npos) << st.error_message();
  EXPECT_NE(st.error_message().find("ingest.max_files_per_request"), std::string::npos);
  // 4.txt comes first in the walk, so a worker analyzed it before the limit was reached: the
  // result is dropped, not cataloged, and a stream gets no event before the refusal.
  EXPECT_EQ(GetDocument(corpus / "4.txt"), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetDocument(corpus / "small/1.txt"), grpc::StatusCode::NOT_FOUND);
  {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(corpus.string());
    auto stream = stub_->IngestStream(&ctx, req);
    pb::IngestEvent event;
    EXPECT_FALSE(stream->Read(&event)) << event.DebugString();
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  EXPECT_EQ(GetDocument(corpus / "4.txt"), grpc::StatusCode::NOT_FOUND);

  pb::IngestSummary summary;
  ASSERT_TRUE(Ingest(corpus / "small", &summary).ok());
  EXPECT_EQ(summary.files_ingested(), 3u);
}

TEST_F(LimitsTest, APathWithMoreBytesThanAllowedIsRefused) {
  DaemonOptions opts;
  opts.ingest_yaml = "  max_bytes_per_request: 1k\n";
  ASSERT_NO_FATAL_FAILURE(Start(opts));
  const fs::path corpus = daemon_->dir() / "corpus";
  WriteFile(corpus / "a/one.txt", std::string(600, 'a'));
  WriteFile(corpus / "b/two.txt", std::string(600, 'b'));
  const grpc::Status st = Ingest(corpus);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(st.error_message().find("more than 1024 bytes (ingest.max_bytes_per_request)"),
            std::string::npos)
      << st.error_message();
  EXPECT_EQ(GetDocument(corpus / "a/one.txt"), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Ingest(corpus / "a").ok());
}

TEST_F(LimitsTest, QueriesLongerThanMaxQueryLengthAreInvalid) {
  DaemonOptions opts;
  opts.server_yaml = "  max_query_length: 16\n";
  ASSERT_NO_FATAL_FAILURE(Start(opts));
  EXPECT_TRUE(Analyze(std::string(16, 'q')).ok());
  const grpc::Status st = Analyze(std::string(17, 'q'));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("server.max_query_length"), std::string::npos)
      << st.error_message();
}

TEST_F(LimitsTest, ALargerMaxQueryLengthAdmitsLongerQueries) {
  DaemonOptions opts;
  opts.server_yaml = "  max_query_length: 8k\n";
  ASSERT_NO_FATAL_FAILURE(Start(opts));
  const grpc::Status st = Analyze(std::string(6000, 'q'));  // over the 4k default
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(Analyze(std::string(8193, 'q')).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace archivum
