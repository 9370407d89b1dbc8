// Hostile input, tree shapes: a directory chain 10,000 levels deep (far past PATH_MAX)
// and a directory with 100,000 entries. Both are built with *at() calls, relative to an open
// directory, because the deep one cannot be reached by path at all.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "hostile_input/hostile_input_fixture.h"

namespace archivum::hostile_input {
namespace {

using grpc::StatusCode;

// A chain of `depth` directories named "d" below `base`, with "bottom.txt" in the deepest.
// Removes itself on destruction (bottom up, through ".."), since no path reaches its lower half.
class DeepChain {
 public:
  DeepChain(const fs::path& base, int depth) : base_(base), depth_(depth) {
    int fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; fd >= 0 && i < depth; ++i) {
      if (::mkdirat(fd, "d", 0755) != 0) break;
      const int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = next;
      ++built_;
    }
    if (fd < 0) return;
    const int file = ::openat(fd, "bottom.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (file >= 0) {
      ok_ = ::write(file, "deep", 4) == 4 && built_ == depth;
      ::close(file);
    }
    ::close(fd);
  }
  ~DeepChain() {
    int fd = ::open(base_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int level = 0;
    for (; fd >= 0 && level < built_; ++level) {
      const int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (next < 0) break;
      ::close(fd);
      fd = next;
    }
    if (fd < 0) return;
    ::unlinkat(fd, "bottom.txt", 0);
    for (; level > 0; --level) {
      const int parent = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      if (parent < 0) return;
      ::unlinkat(parent, "d", AT_REMOVEDIR);
      fd = parent;
    }
    ::close(fd);
  }
  DeepChain(const DeepChain&) = delete;
  DeepChain& operator=(const DeepChain&) = delete;
  bool ok() const { return ok_; }

 private:
  fs::path base_;
  int depth_;
  int built_ = 0;
  bool ok_ = false;
};

TEST_F(HostileInputTest, TenThousandDeepTreeReportsThePathLimitAndKeepsServing) {
  constexpr int kDepth = 10000;
  const fs::path base = corpus() / "deep";
  testing::WriteFile(base / "top.txt", "top");
  DeepChain chain(base, kDepth);
  ASSERT_TRUE(chain.ok()) << std::strerror(errno);

  pb::IngestSummary s;
  const grpc::Status st = Ingest(base.string(), &s);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.files_seen(), 1u) << "top.txt; bottom.txt is beyond any path";
  EXPECT_EQ(s.files_ingested(), 1u);
  EXPECT_EQ(s.files_failed(), 1u) << "the first directory whose children no path can name";
  ASSERT_EQ(s.errors_size(), 1);
  EXPECT_EQ(s.errors(0).code(), static_cast<int>(StatusCode::OUT_OF_RANGE));
  EXPECT_GE(s.errors(0).path().size(), static_cast<size_t>(PATH_MAX - 2));
  EXPECT_NE(s.errors(0).message().find("longer than the system's limit of 4095 bytes (PATH_MAX)"),
            std::string::npos)
      << s.errors(0).message().substr(s.errors(0).message().size() - 200);

  const ht::Response res = HttpIngest(base.string());
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(BodyJson(res)["filesFailed"], "1");
  ExpectStillServing();
}

// Where to put 100,000 files: a directory on /dev/shm (under the /dev root) when that is tmpfs,
// since creating and removing that many files on a busy disk takes minutes; else the corpus.
// Removed on destruction.
class ManyFilesDir {
 public:
  explicit ManyFilesDir(const fs::path& fallback) {
    struct statfs sfs {};
    std::string tmpl = "/dev/shm/archivum-hostile-input-XXXXXX";
    if (::statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC &&
        ::mkdtemp(tmpl.data()) != nullptr) {
      owned_ = tmpl;
      path_ = owned_ / "wide";
    } else {
      path_ = fallback / "wide";
    }
    fs::create_directory(path_);
  }
  ~ManyFilesDir() {
    std::error_code ec;
    if (!owned_.empty()) fs::remove_all(owned_, ec);
  }
  ManyFilesDir(const ManyFilesDir&) = delete;
  ManyFilesDir& operator=(const ManyFilesDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path owned_;
  fs::path path_;
};

TEST_F(HostileInputTest, HundredThousandEntriesAreAllCataloged) {
  constexpr int kFiles = 100000;
  const ManyFilesDir scratch(corpus());
  const fs::path& wide = scratch.path();
  const int dir = ::open(wide.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  int created = 0;
  for (int i = 0; i < kFiles; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "f%06d.txt", i);
    // Empty: tmpfs keeps file contents in memory, and a small /dev/shm (64M in containers)
    // would not hold 100,000 pages.
    const int fd = ::openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) break;
    ::close(fd);
    ++created;
  }
  ::close(dir);
  ASSERT_EQ(created, kFiles) << std::strerror(errno);

  pb::IngestSummary s;
  const grpc::Status st = Ingest(wide.string(), &s);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.files_seen(), static_cast<uint64_t>(kFiles));
  EXPECT_EQ(s.files_ingested(), static_cast<uint64_t>(kFiles));
  EXPECT_EQ(s.files_failed(), 0u);
  EXPECT_EQ(s.bytes_ingested(), 0u);

  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("path:" + wide.string(), &r).ok());
  EXPECT_EQ(r.total(), static_cast<uint64_t>(kFiles));
  ASSERT_GT(r.results_size(), 0);
  EXPECT_EQ(r.results(0), (wide / "f000000.txt").string()) << "filters only: ordered by path";
  ExpectStillServing();
}

}  // namespace
}  // namespace archivum::hostile_input
