// The hash plugin's SHA-256 against known vectors, a large mapped file and cancellation.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "hash/hash_analyzer.h"
#include "plugins_bundled/test_util.h"
#include "support/temp_dir.h"

namespace archivum::bundled::hash {
namespace {

const std::function<bool()> kNeverCancelled = [] { return false; };

TEST(HashTest, KnownVectors) {
  const Sha256 sha;
  EXPECT_EQ(sha.HexDigest("", kNeverCancelled),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha.HexDigest("abc", kNeverCancelled),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      sha.HexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", kNeverCancelled),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, ChunkBoundariesDoNotChangeTheDigest) {
  const Sha256 sha;
  const std::string million_a(1000000, 'a');
  for (size_t chunk : {size_t{1} << 20, size_t{4096}, size_t{999}, size_t{7}}) {
    EXPECT_EQ(sha.HexDigest(million_a, kNeverCancelled, chunk),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        << "chunk " << chunk;
  }
}

// A 64 MiB sparse file mapped read-only, as the host maps files.
class MappedZeros {
 public:
  explicit MappedZeros(size_t size) : size_(size) {
    const std::string path = (dir_.path() / "zeros").string();
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return;
    if (ftruncate(fd, static_cast<off_t>(size)) == 0) {
      void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) data_ = p;
    }
    close(fd);
  }
  ~MappedZeros() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  MappedZeros(const MappedZeros&) = delete;
  MappedZeros& operator=(const MappedZeros&) = delete;
  std::string_view view() const {
    return data_ == nullptr ? std::string_view()
                            : std::string_view(static_cast<char*>(data_), size_);
  }

 private:
  archivum::testing::TempDir dir_;
  size_t size_;
  void* data_ = nullptr;
};

TEST(HashTest, LargeMappedFile) {
  const MappedZeros zeros(size_t{64} << 20);
  ASSERT_EQ(zeros.view().size(), size_t{64} << 20);
  int polls = 0;
  // Expected value from `head -c 67108864 /dev/zero | sha256sum`.
  EXPECT_EQ(Sha256().HexDigest(zeros.view(), [&] { return ++polls, false; }),
            "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351");
  EXPECT_EQ(polls, 64);  // once per MiB
}

TEST(HashTest, CancellationStopsBetweenChunks) {
  const std::string data(size_t{16} << 20, 'x');
  int polls = 0;
  const auto digest = Sha256().HexDigest(data, [&] { return ++polls > 3; });
  EXPECT_FALSE(digest.has_value());
  EXPECT_EQ(polls, 4);  // stopped at the first check that reported cancellation
}

TEST(HashTest, ConcurrentDigests) {
  const Sha256 sha;
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (sha.HexDigest("abc", kNeverCancelled) !=
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
          ++wrong[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0);
}

}  // namespace
}  // namespace archivum::bundled::hash
