// The members of an office package (OOXML, ODF and EPUB are ZIP archives), read with libarchive
// straight from the file's bytes in memory (archive_read_open_memory: no copy) and streamed out
// of the decompressor in pieces, so that a member of any size, a zip bomb included, costs a
// constant amount of memory.
//
// libarchive's seekable ZIP reader keeps an entry (about 160 bytes) for every record of the
// central directory, which it walks to the end of the file; a hostile file made of tiny records
// would cost several times its own size. So a package whose central directory could span more
// than kMaxCentralDirectory bytes is refused before libarchive sees it (legitimate packages with
// 80,000 members stay below).
//
// Thread safety: a ZipPackage is used by one thread at a time. It only reads the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace archivum::bundled::office {

inline constexpr uint64_t kMaxCentralDirectory = uint64_t{8} << 20;

// The bytes are not a readable ZIP archive, or a member cannot be decompressed. The message
// says why ("not a ZIP archive", "damaged ZIP archive: Truncated ZIP file data").
class PackageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PackageLimits {
  uint64_t max_member_bytes = uint64_t{256} << 20;  // decompressed bytes read from one member
  uint64_t max_total_bytes = uint64_t{1} << 30;     // decompressed bytes read from the package
};

class ZipPackage {
 public:
  struct Member {
    std::string name;  // as stored (UTF-8 when the archive says so)
    bool encrypted = false;
    bool directory = false;
  };

  // How the read of one member ended.
  enum class End {
    kComplete,   // every byte was passed on
    kStopped,    // the consumer asked to stop
    kLimit,      // a PackageLimits bound cut it short (limited() is set)
    kEncrypted,  // the member is encrypted; nothing was read
  };

  // Receives the decompressed bytes of the k-th requested member in pieces of at most 64 KiB;
  // returns false to stop reading that member.
  using Consumer = std::function<bool(size_t k, std::string_view piece)>;
  using EndFn = std::function<void(size_t k, End end)>;

  // Lists the members of `bytes`, which must stay valid and unchanged while the package exists.
  // `cancelled` is polled while listing and reading. Throws PackageError if the bytes are not a
  // readable ZIP archive, or sdk::Error(ARCHIVUM_CANCELLED) once `cancelled` returns true.
  ZipPackage(std::string_view bytes, PackageLimits limits, std::function<bool()> cancelled);

  // In archive order; a member's index is its position here.
  const std::vector<Member>& members() const { return members_; }
  // The index of the file member named `name`: the exact name, else one that differs only in
  // ASCII case (OPC part names are case-insensitive). The first of duplicates wins.
  std::optional<size_t> Find(std::string_view name) const;

  // Reads members[indices[k]] for every k in one pass over the archive, in archive order (not
  // the order of `indices`), calling `consume` with their bytes and `end` once per member read.
  // Indices that repeat are read once. Throws PackageError if a member cannot be decompressed
  // (damaged, truncated, unsupported method), sdk::Error(ARCHIVUM_CANCELLED) when cancelled.
  void Read(const std::vector<size_t>& indices, const Consumer& consume, const EndFn& end);

  // True once any read was cut short by a limit.
  bool limited() const { return limited_; }

 private:
  std::string_view bytes_;
  PackageLimits limits_;
  std::function<bool()> cancelled_;
  std::vector<Member> members_;
  std::unordered_map<std::string, size_t> exact_;
  std::unordered_map<std::string, size_t> folded_;
  uint64_t total_read_ = 0;
  bool limited_ = false;
};

}  // namespace archivum::bundled::office
