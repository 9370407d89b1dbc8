// core::ReceiveUpload, the Upload protocol: a header, then the bytes, spooled to a file that is
// removed with the upload. Covers the messages in the wrong order, an empty or malformed stream,
// a client that goes away, the declared size, and the size limit; none of them leaves a spool
// file behind.
#include "core/upload_receiver.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/file_manager_fixture.h"
#include "support/temp_dir.h"

namespace archivum::core {
namespace {

namespace fs = std::filesystem;

class UploadReceiverTest : public ::testing::Test {
 protected:
  StatusOr<ReceivedUpload> Receive(std::vector<pb::UploadChunk> chunks, Status end = Status::Ok(),
                                   const CallContext& ctx = {}) {
    MemoryUpload reader(std::move(chunks), std::move(end));
    return ReceiveUpload(reader, spool(), /*max_bytes=*/16, ctx);
  }

  fs::path spool() const { return tmp_.path() / "spool"; }
  bool SpoolIsEmpty() const { return !fs::exists(spool()) || fs::is_empty(spool()); }

  static pb::UploadChunk Data(std::string bytes) {
    pb::UploadChunk chunk;
    chunk.set_data(std::move(bytes));
    return chunk;
  }

  archivum::testing::TempDir tmp_;
};

TEST_F(UploadReceiverTest, TheBytesArriveInTheSpoolFileAndLeaveWithTheUpload) {
  std::string path;
  {
    auto up = Receive(MemoryUpload::Chunks("notes.txt", 11, "hello world", 4));
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    EXPECT_EQ(up->header.name(), "notes.txt");
    EXPECT_EQ(up->bytes->size(), 11u);
    path = up->bytes->path();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str(), "hello world");
  }
  EXPECT_FALSE(fs::exists(path)) << "the spool file goes with the upload";
}

TEST_F(UploadReceiverTest, ASizeOfZeroMeansUndeclared) {
  auto up = Receive(MemoryUpload::Chunks("notes.txt", 0, "twelve bytes"));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->bytes->size(), 12u);
  auto empty = Receive(MemoryUpload::Chunks("empty.txt", 0, ""));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->bytes->size(), 0u);
}

TEST_F(UploadReceiverTest, AnEmptyStreamIsRefused) {
  auto up = Receive({});
  EXPECT_EQ(up.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(up.status().message(), "upload stream is empty; send a header first");
  // A stream that ended on a malformed first message says so instead.
  auto malformed = Receive({}, InvalidArgument("cannot parse the first message"));
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(malformed.status().message(), "cannot parse the first message");
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST_F(UploadReceiverTest, DataBeforeTheHeaderIsRefused) {
  auto up = Receive({Data("no header")});
  EXPECT_EQ(up.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(up.status().message(), "the first upload message must carry the header (name, size)");
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST_F(UploadReceiverTest, ASecondHeaderIsRefused) {
  std::vector<pb::UploadChunk> chunks = MemoryUpload::Chunks("a.txt", 0, "abc");
  chunks.push_back(chunks.front());
  auto up = Receive(std::move(chunks));
  EXPECT_EQ(up.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(up.status().message(), "upload message after the header must carry data");
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST_F(UploadReceiverTest, AMalformedMessageAfterTheDataRefusesTheUpload) {
  auto up =
      Receive(MemoryUpload::Chunks("a.txt", 0, "abc"), InvalidArgument("malformed upload message"));
  EXPECT_EQ(up.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(up.status().message(), "malformed upload message");
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST_F(UploadReceiverTest, AClientThatGoesAwayCancelsTheUpload) {
  CallContext gone;
  gone.cancelled = [] { return true; };
  auto up = Receive(MemoryUpload::Chunks("a.txt", 0, "abc"), Status::Ok(), gone);
  EXPECT_EQ(up.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(up.status().message(), "upload cancelled by the client");
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST_F(UploadReceiverTest, FewerOrMoreBytesThanDeclaredAreRefused) {
  auto fewer = Receive(MemoryUpload::Chunks("a.txt", 10, "short"));
  EXPECT_EQ(fewer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fewer.status().message(), "upload declared 10 bytes but sent 5");
  auto more = Receive(MemoryUpload::Chunks("a.txt", 3, "longer"));
  EXPECT_EQ(more.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(more.status().message(), "upload declared 3 bytes but sent 6");
  EXPECT_TRUE(SpoolIsEmpty());
}

TEST_F(UploadReceiverTest, MoreBytesThanTheLimitAreRefusedDeclaredOrNot) {
  auto declared = Receive(MemoryUpload::Chunks("a.txt", 17, ""));
  EXPECT_EQ(declared.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(declared.status().message(), "upload declares 17 bytes, over the limit of 16");
  auto sent = Receive(MemoryUpload::Chunks("a.txt", 0, std::string(17, 'x'), 5));
  EXPECT_EQ(sent.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(sent.status().message(),
            "upload is larger than the limit of 16 bytes (ingest.max_file_size)");
  auto at_limit = Receive(MemoryUpload::Chunks("a.txt", 16, std::string(16, 'x')));
  EXPECT_TRUE(at_limit.ok()) << at_limit.status().ToString();
}

}  // namespace
}  // namespace archivum::core
