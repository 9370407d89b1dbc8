// Hostile input, paths and files: paths and files a client or a hostile tree can throw
// at path ingest, over real gRPC and HTTP. Each case asserts the exact status (and HTTP status
// where the gateway applies) and that the daemon still serves afterwards.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "hostile_input/hostile_input_fixture.h"

namespace archivum::hostile_input {
namespace {

using grpc::StatusCode;
using testing::WriteFile;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_F(HostileInputTest, DotDotTraversalIsPermissionDenied) {
  WriteFile(corpus() / "docs/a.txt", "a");
  const std::string escape = P("docs/../../../../../etc");
  pb::IngestSummary s;
  grpc::Status st = Ingest(escape, &s);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(Contains(st.error_message(), "(resolves to /etc)")) << st.error_message();
  EXPECT_TRUE(Contains(st.error_message(), "ingest roots [" + corpus().string() + ", /dev, /proc]"))
      << "names the roots: " << st.error_message();
  // Resolving ".." stays inside the roots: allowed.
  EXPECT_TRUE(Ingest(P("docs/../docs"), &s).ok());
  // A relative path is refused before anything is resolved.
  EXPECT_EQ(Ingest("../etc", &s).error_code(), StatusCode::INVALID_ARGUMENT);

  const ht::Response res = HttpIngest(escape);
  EXPECT_EQ(res.result_int(), 403u) << res.body();
  EXPECT_EQ(BodyJson(res)["code"], 7);
  ExpectStillServing();
}

TEST_F(HostileInputTest, AbsolutePathOutsideTheRootsIsPermissionDenied) {
  pb::IngestSummary s;
  grpc::Status st = Ingest("/etc/passwd", &s);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Contains(st.error_message(), "outside the ingest roots")) << st.error_message();
  // What does not exist outside the roots is refused the same way: no probing for files.
  st = Ingest("/nonexistent-archivum-hostile-input/x", &s);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << st.error_message();
  // Inside a root, a missing path is NOT_FOUND.
  EXPECT_EQ(Ingest(P("missing.txt"), &s).error_code(), StatusCode::NOT_FOUND);

  EXPECT_EQ(HttpIngest("/etc/passwd").result_int(), 403u);
  EXPECT_EQ(HttpIngest(P("missing.txt")).result_int(), 404u);
  ExpectStillServing();
}

TEST_F(HostileInputTest, SymlinkEscapeIsRefusedAtTheTopAndSkippedInTheWalk) {
  WriteFile(corpus() / "tree/inside.txt", "inside");
  fs::create_symlink("/etc", corpus() / "tree/etc-dir");
  fs::create_symlink("/etc/passwd", corpus() / "tree/passwd");
  fs::create_symlink("/etc", corpus() / "escape");

  pb::IngestSummary s;
  grpc::Status st = Ingest(P("escape"), &s);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Contains(st.error_message(), "(resolves to /etc)")) << st.error_message();
  EXPECT_EQ(HttpIngest(P("escape")).result_int(), 403u);

  grpc::Status stream_status;
  const auto events = IngestStream(P("tree"), &stream_status);
  ASSERT_TRUE(stream_status.ok()) << stream_status.error_message();
  size_t skipped = 0;
  for (const auto& ev : events) {
    if (ev.outcome() != pb::IngestEvent::SKIPPED) continue;
    ++skipped;
    EXPECT_EQ(ev.message(), "symbolic link (not followed)") << ev.path();
  }
  EXPECT_EQ(skipped, 2u);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().totals().files_ingested(), 1u);

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("passwd", &r).ok());
  EXPECT_EQ(r.results_size(), 0) << "nothing outside the roots was cataloged";
  ExpectStillServing();
}

TEST_F(HostileInputTest, SymlinkLoopIsInvalidArgumentAtTheTopAndSkippedInTheWalk) {
  fs::create_directories(corpus() / "loops");
  fs::create_symlink("b", corpus() / "loops/a");
  fs::create_symlink("a", corpus() / "loops/b");
  fs::create_symlink(".", corpus() / "loops/self");
  WriteFile(corpus() / "loops/real.txt", "real");

  pb::IngestSummary s;
  grpc::Status st = Ingest(P("loops/a"), &s);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(st.error_message(), "too many symbolic links")) << st.error_message();
  EXPECT_EQ(HttpIngest(P("loops/a")).result_int(), 400u);

  ASSERT_TRUE(Ingest(P("loops"), &s).ok());
  EXPECT_EQ(s.files_seen(), 1u);
  EXPECT_EQ(s.files_skipped(), 3u);  // a, b and self: never followed
  ExpectStillServing();
}

TEST_F(HostileInputTest, FifoIsSkippedWithoutBlocking) {
  fs::create_directories(corpus() / "pipes");
  ASSERT_EQ(::mkfifo((corpus() / "pipes/fifo").c_str(), 0600), 0) << std::strerror(errno);
  WriteFile(corpus() / "pipes/file.txt", "x");

  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(P("pipes/fifo"), &s).ok());  // returns: nobody writes to the FIFO
  EXPECT_EQ(s.files_skipped(), 1u);
  EXPECT_EQ(s.files_seen(), 0u);
  ASSERT_TRUE(Ingest(P("pipes"), &s).ok());
  EXPECT_EQ(s.files_skipped(), 1u);
  EXPECT_EQ(s.files_seen(), 1u);

  const ht::Response res = HttpIngest(P("pipes/fifo"));
  EXPECT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(BodyJson(res)["filesSkipped"], "1");
  ExpectStillServing();
}

TEST_F(HostileInputTest, DevZeroIsSkippedAsACharacterDevice) {
  grpc::Status st;
  const auto events = IngestStream("/dev/zero", &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].outcome(), pb::IngestEvent::SKIPPED);
  EXPECT_EQ(events[0].message(), "character device");

  // Also when reached through a link inside the corpus.
  fs::create_symlink("/dev/zero", corpus() / "zero");
  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(P("zero"), &s).ok());
  EXPECT_EQ(s.files_skipped(), 1u);
  EXPECT_EQ(s.files_seen(), 0u);

  const ht::Response res = HttpIngest("/dev/zero");
  EXPECT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(BodyJson(res)["filesSkipped"], "1");
  ExpectStillServing();
}

TEST_F(HostileInputTest, ProcFileIsReadAsTheRegularFileItClaimsToBe) {
  // /proc files are regular files of size 0: cataloged as empty, never read past that.
  pb::IngestSummary s;
  grpc::Status st = Ingest("/proc/version", &s);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.files_seen(), 1u);
  EXPECT_EQ(s.files_ingested(), 1u);
  EXPECT_EQ(s.bytes_ingested(), 0u);
  EXPECT_EQ(s.files_failed(), 0u);

  const ht::Response res = HttpIngest("/proc/self/status");
  EXPECT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(BodyJson(res)["filesIngested"], "1");
  ExpectStillServing();
}

TEST_F(HostileInputTest, UnreadableFileIsPermissionDeniedOrCountedAsFailed) {
  WriteFile(corpus() / "locked/secret.txt", "secret");
  WriteFile(corpus() / "locked/open.txt", "open");
  fs::permissions(corpus() / "locked/secret.txt", fs::perms::none);

  pb::IngestSummary s;
  grpc::Status st = Ingest(P("locked/secret.txt"), &s);
  EXPECT_EQ(st.error_code(), StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(Contains(st.error_message(), "secret.txt")) << st.error_message();
  EXPECT_EQ(HttpIngest(P("locked/secret.txt")).result_int(), 403u);

  ASSERT_TRUE(Ingest(P("locked"), &s).ok());
  EXPECT_EQ(s.files_seen(), 1u);
  EXPECT_EQ(s.files_failed(), 1u);
  ASSERT_EQ(s.errors_size(), 1);
  EXPECT_EQ(s.errors(0).path(), P("locked/secret.txt"));
  EXPECT_EQ(s.errors(0).code(), static_cast<int>(StatusCode::PERMISSION_DENIED));
  ExpectStillServing();
}

TEST_F(HostileInputTest, NamesThatAreNotUtf8AreSkippedAndShownEscaped) {
  const fs::path dir = corpus() / "names";
  WriteFile(dir / "ok.txt", "fine");
  WriteFile(dir / "bad-\xff\xfe.txt", "not utf-8");
  WriteFile(dir / "dir-\xc3\x28/inner.txt", "below a bad directory name");
  fs::create_symlink(dir / "dir-\xc3\x28", corpus() / "utf8-link");

  grpc::Status st;
  const auto events = IngestStream(dir.string(), &st);
  ASSERT_TRUE(st.ok()) << "every event must parse as proto3 (UTF-8): " << st.error_message();
  std::map<std::string, std::string> skipped;
  for (const auto& ev : events) {
    if (ev.outcome() == pb::IngestEvent::SKIPPED) skipped[ev.path()] = ev.message();
  }
  EXPECT_EQ(skipped,
            (std::map<std::string, std::string>{
                {P("names/bad-\\xFF\\xFE.txt"), "name is not valid UTF-8"},
                {P("names/dir-\\xC3("), "name is not valid UTF-8; nothing below it was read"}}));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().totals().files_ingested(), 1u);

  pb::IngestSummary s;
  ASSERT_TRUE(Ingest(dir.string(), &s).ok());
  EXPECT_EQ(s.files_skipped(), 2u);
  EXPECT_EQ(s.files_unchanged(), 1u);
  const ht::Response res = HttpIngest(dir.string());
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(BodyJson(res)["filesSkipped"], "2");

  // A UTF-8 name that resolves to one that is not: refused, message escaped.
  st = Ingest(P("utf8-link"), &s);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(st.error_message(), "dir-\\xC3(, which is not valid UTF-8"))
      << st.error_message();
  EXPECT_EQ(HttpIngest(P("utf8-link")).result_int(), 400u);

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("path:" + dir.string(), &r).ok()) << "the catalog holds UTF-8 only";
  EXPECT_EQ(r.results_size(), 1);
  ExpectStillServing();
}

TEST_F(HostileInputTest, NulInANameIsInvalidArgument) {
  const std::string with_nul = P("a") + std::string(1, '\0') + "b";
  pb::IngestSummary s;
  grpc::Status st = Ingest(with_nul, &s);
  EXPECT_EQ(st.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "path contains a NUL byte");
  const ht::Response res = HttpIngest(with_nul);  // JSON "\u0000"
  EXPECT_EQ(res.result_int(), 400u) << res.body();
  EXPECT_EQ(BodyJson(res)["message"], "path contains a NUL byte");

  // An upload's name becomes a path too.
  const ht::Response up =
      Http(ht::http::verb::post, "/v1/upload?name=a%00b", "bytes", "application/octet-stream");
  EXPECT_EQ(up.result_int(), 400u) << up.body();
  const ht::Response bad_utf8 =
      Http(ht::http::verb::post, "/v1/upload?name=a%FFb", "bytes", "application/octet-stream");
  EXPECT_EQ(bad_utf8.result_int(), 400u) << bad_utf8.body();
  EXPECT_EQ(BodyJson(bad_utf8)["message"], "upload header: name is not valid UTF-8");
  ExpectStillServing();
}

}  // namespace
}  // namespace archivum::hostile_input
