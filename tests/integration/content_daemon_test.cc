// GetContent end to end: what a user downloading a cataloged document notices. The bytes of a file
// and of archive members (nested too) come back exactly, over gRPC, over GET /v1/content as a
// download a browser saves rather than renders, and through `archivum get --content`; a file that
// changed, vanished, moved outside the roots or was uploaded is refused with a reason; content
// that no longer matches its cataloged SHA-256 never arrives complete; tokens guard it like every
// other route.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/documents/archive_writer.h"
#include "support/process.h"
#include "support/temp_dir.h"

// Its own namespace: the test executable is a unity build, and other files' anonymous
// namespaces share archivum's.
namespace archivum::content_test {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using nlohmann::json;
using testing::ArchiveEntry;
using testing::ArchiveFormat;
using testing::MakeArchive;
using beast_error = ht::beast::error_code;

constexpr char kToken[] = "content-suite-token-51f0";

// Bytes no text detector mistakes for text, the same on every run.
std::string Binary(size_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

// Percent-encodes every byte but the unreserved ones (RFC 3986), for a query value.
std::string UrlEncode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

std::string Slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Download {
  grpc::Status status;
  pb::ContentHeader header;
  std::string bytes;
  size_t data_messages = 0;
};

class ContentTest : public ::testing::Test {
 protected:
  void Start(std::string extra_yaml = "") {
    testing::DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.extra_yaml = std::move(extra_yaml);
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    corpus_ = daemon_->dir() / "corpus";
    fs::create_directories(corpus_);
  }

  void Ingest(const std::string& token = "") {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    pb::IngestRequest req;
    req.set_path(corpus_.string());
    pb::IngestSummary s;
    grpc::Status st = stub_->Ingest(&ctx, req, &s);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(s.files_failed(), 0u);
  }

  pb::Document Get(const std::string& path) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path(path);
    pb::Document doc;
    grpc::Status st = stub_->GetDocument(&ctx, req, &doc);
    EXPECT_TRUE(st.ok()) << path << ": " << st.error_message();
    return doc;
  }

  Download GrpcContent(const std::string& path, const std::string& token = "") {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    pb::GetContentRequest req;
    req.set_path(path);
    auto reader = stub_->GetContent(&ctx, req);
    Download d;
    pb::ContentChunk chunk;
    while (reader->Read(&chunk)) {
      if (chunk.has_header()) {
        EXPECT_TRUE(d.bytes.empty()) << "a header after data";
        d.header = chunk.header();
      } else {
        d.bytes += chunk.data();
        ++d.data_messages;
      }
    }
    d.status = reader->Finish();
    return d;
  }

  ht::Response HttpContent(const std::string& path, const std::string& token = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return ht::Fetch(daemon_->http_address(),
                     ht::MakeRequest(ht::http::verb::get, "/v1/content?path=" + UrlEncode(path), "",
                                     "", headers));
  }

  std::string Path(const std::string& relative) const { return (corpus_ / relative).string(); }

  std::unique_ptr<testing::Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path corpus_;
};

TEST_F(ContentTest, FilesAndMembersComeBackByteForByteOverGrpcHttpAndTheCli) {
  Start();
  const std::string blob = Binary(300 * 1024 + 17, 1);  // several 64 KiB chunks
  const std::string inner = Binary(100 * 1024, 2);
  const std::string leaf = "the leaf at the bottom of two archives\n";
  const std::string page = "<html><body><script>alert(1)</script></body></html>\n";
  testing::WriteFile(corpus_ / "bin/blob.dat", blob);
  testing::WriteFile(corpus_ / "web/page.html", page);
  const std::string tgz = MakeArchive(ArchiveFormat::kTarGz, {{"deep/leaf.txt", leaf}});
  testing::WriteFile(corpus_ / "pack.zip",
                     MakeArchive(ArchiveFormat::kZip, {{"docs/inner.bin", inner},
                                                       {"nested.tar.gz", tgz},
                                                       {"docs/other.txt", "another member\n"}}));
  Ingest();

  // A file, over gRPC: the header (as cataloged), then the bytes in several messages.
  const pb::Document blob_doc = Get(Path("bin/blob.dat"));
  Download d = GrpcContent(Path("bin/blob.dat"));
  ASSERT_TRUE(d.status.ok()) << d.status.error_message();
  EXPECT_EQ(d.header.path(), Path("bin/blob.dat"));
  EXPECT_EQ(d.header.size(), blob.size());
  EXPECT_EQ(d.header.mime(), blob_doc.mime());
  EXPECT_EQ(d.header.sha256(), blob_doc.sha256());
  EXPECT_EQ(d.header.sha256().size(), 64u);
  EXPECT_GT(d.data_messages, 1u);
  EXPECT_TRUE(d.bytes == blob) << "got " << d.bytes.size() << " bytes";

  // The same over HTTP, as a download.
  ht::Response r = HttpContent(Path("bin/blob.dat"));
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_TRUE(r.body() == blob) << "got " << r.body().size() << " bytes";
  EXPECT_EQ(r[ht::http::field::content_length], std::to_string(blob.size()));
  EXPECT_EQ(r[ht::http::field::content_disposition],
            "attachment; filename=\"blob.dat\"; filename*=UTF-8''blob.dat");
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r["Content-Security-Policy"], "default-src 'none'; sandbox");
  EXPECT_EQ(r[ht::http::field::cache_control], "no-store");
  EXPECT_FALSE(r[ht::http::field::content_type].empty());

  // A download leaves the connection ready for the next request.
  {
    ht::HttpConnection conn(daemon_->http_address());
    ASSERT_TRUE(conn.ok());
    for (int i = 0; i < 2; ++i) {
      beast_error ec;
      ht::Response again = conn.RoundTrip(
          ht::MakeRequest(ht::http::verb::get,
                          "/v1/content?path=" + UrlEncode(Path("bin/blob.dat")), "", ""),
          &ec);
      ASSERT_FALSE(ec) << ec.message();
      EXPECT_EQ(again.result_int(), 200);
      EXPECT_TRUE(again.body() == blob) << "got " << again.body().size() << " bytes";
    }
  }

  // HTML is saved, never rendered from the daemon's origin.
  EXPECT_EQ(Get(Path("web/page.html")).mime(), "text/html");
  r = HttpContent(Path("web/page.html"));
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(r.body(), page);
  EXPECT_EQ(r[ht::http::field::content_type], "application/octet-stream");
  EXPECT_EQ(r[ht::http::field::content_disposition],
            "attachment; filename=\"page.html\"; filename*=UTF-8''page.html");

  // A ZIP member, and a member of a tar.gz inside the ZIP, extracted on demand.
  const std::string inner_path = Path("pack.zip") + "!/docs/inner.bin";
  const std::string leaf_path = Path("pack.zip") + "!/nested.tar.gz!/deep/leaf.txt";
  EXPECT_EQ(Get(inner_path).size(), inner.size());
  EXPECT_EQ(Get(leaf_path).parent(), Path("pack.zip") + "!/nested.tar.gz");
  d = GrpcContent(inner_path);
  ASSERT_TRUE(d.status.ok()) << d.status.error_message();
  EXPECT_TRUE(d.bytes == inner) << "got " << d.bytes.size() << " bytes";
  EXPECT_EQ(d.header.sha256(), Get(inner_path).sha256());
  r = HttpContent(leaf_path);
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(r.body(), leaf);
  EXPECT_EQ(r[ht::http::field::content_type], "text/plain");
  EXPECT_EQ(r[ht::http::field::content_disposition],
            "attachment; filename=\"leaf.txt\"; filename*=UTF-8''leaf.txt");

  // The CLI writes the bytes to a file.
  const fs::path out = daemon_->dir() / "out.bin";
  std::string output;
  ASSERT_EQ(testing::RunProcess({ARCHIVUM_CLI_PATH, "--server", daemon_->grpc_address(), "get",
                                 inner_path, "--content", out.string()},
                                &output),
            0)
      << output;
  EXPECT_TRUE(Slurp(out) == inner);

  // Not cataloged: NOT_FOUND, 404 with the gateway's JSON error; the CLI leaves no file behind.
  d = GrpcContent(Path("no/such.txt"));
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::NOT_FOUND) << d.status.error_message();
  EXPECT_TRUE(d.bytes.empty());
  r = HttpContent(Path("pack.zip") + "!/docs/missing.bin");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(json::parse(r.body())["code"], 5);
  const fs::path missing_out = daemon_->dir() / "missing.bin";
  EXPECT_EQ(testing::RunProcess({ARCHIVUM_CLI_PATH, "--server", daemon_->grpc_address(), "get",
                                 Path("no/such.txt"), "--content", missing_out.string()},
                                &output),
            1)
      << output;
  EXPECT_FALSE(fs::exists(missing_out));

  // An upload's bytes are not kept.
  {
    grpc::ClientContext ctx;
    pb::IngestSummary s;
    auto writer = stub_->Upload(&ctx, &s);
    pb::UploadChunk chunk;
    chunk.mutable_header()->set_name("sent.txt");
    ASSERT_TRUE(writer->Write(chunk));
    chunk.set_data("uploaded words");
    ASSERT_TRUE(writer->Write(chunk));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
  }
  d = GrpcContent("upload:sent.txt");
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << d.status.error_message();
  EXPECT_NE(d.status.error_message().find("uploaded"), std::string::npos)
      << d.status.error_message();
  r = HttpContent("upload:sent.txt");
  EXPECT_EQ(r.result_int(), 400) << r.body();
  EXPECT_EQ(json::parse(r.body())["code"], 9);
}

TEST_F(ContentTest, ChangedMovedOrCorruptedContentIsRefused) {
  Start();
  const std::string blob = Binary(200 * 1024, 3);
  testing::WriteFile(corpus_ / "grows.bin", "short");
  testing::WriteFile(corpus_ / "swap/kept.txt", "kept inside the roots\n");
  testing::WriteFile(corpus_ / "rot.bin", blob);
  testing::WriteFile(corpus_ / "rot.zip", MakeArchive(ArchiveFormat::kZip, {{"m.bin", blob}}));
  Ingest();

  // Rewritten since it was cataloged: ingest it again.
  testing::WriteFile(corpus_ / "grows.bin", "longer than before");
  Download d = GrpcContent(Path("grows.bin"));
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << d.status.error_message();
  EXPECT_NE(d.status.error_message().find("ingest it again"), std::string::npos);
  ht::Response r = HttpContent(Path("grows.bin"));
  EXPECT_EQ(r.result_int(), 400) << r.body();

  // Deleted: NOT_FOUND.
  fs::remove(corpus_ / "grows.bin");
  EXPECT_EQ(GrpcContent(Path("grows.bin")).status.error_code(), grpc::StatusCode::NOT_FOUND);

  // Its directory swapped for a link to one outside the ingest roots: refused, 403.
  testing::TempDir outside;
  outside.Write("kept.txt", "kept inside the roots\n");
  fs::rename(corpus_ / "swap", corpus_ / "swap.old");
  fs::create_directory_symlink(outside.path(), corpus_ / "swap");
  d = GrpcContent(Path("swap/kept.txt"));
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << d.status.error_message();
  EXPECT_TRUE(d.bytes.empty());
  r = HttpContent(Path("swap/kept.txt"));
  EXPECT_EQ(r.result_int(), 403) << r.body();

  // Same size and modification time, other bytes (a corrupted disk, a tool that restores
  // times): the SHA-256 check fails the call before the content is complete.
  const pb::Document rot = Get(Path("rot.bin"));
  std::string corrupted = blob;
  corrupted[corrupted.size() - 1] ^= 0x5a;
  testing::WriteFile(corpus_ / "rot.bin", corrupted);
  const timespec times[2] = {{0, UTIME_OMIT},
                             {static_cast<time_t>(rot.mtime_ns() / 1'000'000'000),
                              static_cast<long>(rot.mtime_ns() % 1'000'000'000)}};
  ASSERT_EQ(::utimensat(AT_FDCWD, Path("rot.bin").c_str(), times, 0), 0);
  d = GrpcContent(Path("rot.bin"));
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::DATA_LOSS) << d.status.error_message();
  EXPECT_LT(d.bytes.size(), blob.size());
  // Over HTTP the head is already out: the connection ends with the body cut short.
  ht::HttpConnection conn(daemon_->http_address());
  ASSERT_TRUE(conn.ok());
  ht::Request req = ht::MakeRequest(ht::http::verb::get,
                                    "/v1/content?path=" + UrlEncode(Path("rot.bin")), "", "");
  ASSERT_FALSE(conn.Write(req));
  const std::string raw = conn.ReadUntilClosed();
  ASSERT_NE(raw.find("HTTP/1.1 200"), std::string::npos) << raw.substr(0, 200);
  ASSERT_NE(raw.find("Content-Length: " + std::to_string(blob.size())), std::string::npos);
  const size_t body_at = raw.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_LT(raw.size() - body_at - 4, blob.size());

  // A container that changed fails its members the same way as a file.
  testing::WriteFile(corpus_ / "rot.zip", MakeArchive(ArchiveFormat::kZip, {{"m.bin", "x"}}));
  d = GrpcContent(Path("rot.zip") + "!/m.bin");
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << d.status.error_message();
}

TEST_F(ContentTest, TokensGuardTheDownload) {
  testing::TempDir secrets;
  const fs::path tokens = secrets.Write("tokens.txt", std::string(kToken) + "\n");
  Start("auth:\n  tokens_file: \"" + tokens.string() + "\"\n");
  testing::WriteFile(corpus_ / "secret.txt", "only for token holders\n");
  Ingest(kToken);

  ht::Response r = HttpContent(Path("secret.txt"));
  EXPECT_EQ(r.result_int(), 401) << r.body();
  EXPECT_EQ(r.body().find("only for token holders"), std::string::npos);
  Download d = GrpcContent(Path("secret.txt"));
  EXPECT_EQ(d.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(d.bytes.empty());

  r = HttpContent(Path("secret.txt"), kToken);
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(r.body(), "only for token holders\n");
  d = GrpcContent(Path("secret.txt"), kToken);
  ASSERT_TRUE(d.status.ok()) << d.status.error_message();
  EXPECT_EQ(d.bytes, "only for token holders\n");
}

}  // namespace
}  // namespace archivum::content_test
