#include "office/zip_package.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "archivum/plugin.hpp"

namespace archivum::bundled::office {
namespace {

constexpr size_t kPiece = size_t{64} << 10;
// Headers listed between two polls of the cancellation check.
constexpr size_t kPollEvery = 256;

struct ReaderDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Reader = std::unique_ptr<archive, ReaderDeleter>;

uint32_t Le32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t Le64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// An upper bound of the bytes libarchive's seekable ZIP reader walks as central directory: it
// takes the last end-of-central-directory record in the file's last 16 KiB (or the ZIP64 record
// it points to) and reads from the start of the directory it states to the end of the file.
// Every candidate record counts, so the bound holds whichever one libarchive settles on.
uint64_t CentralDirectorySpan(std::string_view b) {
  const size_t tail = std::min<size_t>(size_t{16} << 10, b.size());
  uint64_t span = 0;
  for (size_t i = b.size() - tail; i + 22 <= b.size(); ++i) {
    if (std::memcmp(b.data() + i, "PK\5\6", 4) != 0) continue;
    const uint64_t cd_size = Le32(b.data() + i + 12);
    uint64_t start = cd_size <= i ? i - cd_size : 0;
    if (i >= 20 && std::memcmp(b.data() + i - 20, "PK\6\7", 4) == 0) {
      const uint64_t record = Le64(b.data() + i - 20 + 8);
      if (b.size() >= 56 && record <= b.size() - 56 &&
          std::memcmp(b.data() + record, "PK\6\6", 4) == 0) {
        start = std::min(start, std::min<uint64_t>(Le64(b.data() + record + 48), b.size()));
      }
    }
    span = std::max<uint64_t>(span, b.size() - start);
  }
  return span;
}

std::string ErrorOf(archive* a, std::string_view fallback) {
  const char* message = archive_error_string(a);
  return message != nullptr && *message != '\0' ? message : std::string(fallback);
}

Reader Open(std::string_view bytes) {
  Reader a(archive_read_new());
  if (a == nullptr) throw PackageError("cannot create a ZIP reader");
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    throw PackageError("not a ZIP archive (" + ErrorOf(a.get(), "unrecognized format") + ")");
  }
  return a;
}

std::string Fold(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

[[noreturn]] void ThrowCancelled() {
  throw sdk::Error(ARCHIVUM_CANCELLED, "cancelled");
}

}  // namespace

ZipPackage::ZipPackage(std::string_view bytes, PackageLimits limits,
                       std::function<bool()> cancelled)
    : bytes_(bytes), limits_(limits), cancelled_(std::move(cancelled)) {
  if (CentralDirectorySpan(bytes_) > kMaxCentralDirectory) {
    throw PackageError("its ZIP central directory may span more than " +
                       std::to_string(kMaxCentralDirectory >> 20) + " MiB");
  }
  Reader a = Open(bytes_);
  for (;;) {
    if (members_.size() % kPollEvery == 0 && cancelled_ && cancelled_()) ThrowCancelled();
    archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      throw PackageError("damaged ZIP archive (" + ErrorOf(a.get(), "unreadable header") + ")");
    }
    Member m;
    const char* name = archive_entry_pathname_utf8(entry);
    if (name == nullptr) name = archive_entry_pathname(entry);
    m.name = name != nullptr ? name : "";
    m.encrypted = archive_entry_is_data_encrypted(entry) != 0;
    m.directory =
        archive_entry_filetype(entry) == AE_IFDIR || (!m.name.empty() && m.name.back() == '/');
    if (!m.directory && !m.name.empty()) {
      exact_.emplace(m.name, members_.size());
      folded_.emplace(Fold(m.name), members_.size());
    }
    members_.push_back(std::move(m));
  }
}

std::optional<size_t> ZipPackage::Find(std::string_view name) const {
  if (auto it = exact_.find(std::string(name)); it != exact_.end()) return it->second;
  if (auto it = folded_.find(Fold(name)); it != folded_.end()) return it->second;
  return std::nullopt;
}

void ZipPackage::Read(const std::vector<size_t>& indices, const Consumer& consume,
                      const EndFn& end) {
  std::unordered_map<size_t, size_t> wanted;  // member index -> k
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] < members_.size()) wanted.emplace(indices[k], k);
  }
  if (wanted.empty()) return;

  Reader a = Open(bytes_);
  size_t left = wanted.size();
  for (size_t index = 0; left > 0; ++index) {
    if (index % kPollEvery == 0 && cancelled_ && cancelled_()) ThrowCancelled();
    archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      throw PackageError("damaged ZIP archive (" + ErrorOf(a.get(), "unreadable header") + ")");
    }
    const auto it = wanted.find(index);
    if (it == wanted.end()) continue;
    const size_t k = it->second;
    --left;
    if (archive_entry_is_data_encrypted(entry) != 0) {
      end(k, End::kEncrypted);
      continue;
    }
    End how = End::kComplete;
    uint64_t member_read = 0;
    for (bool reading = true; reading;) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      const int data_rc = archive_read_data_block(a.get(), &block, &size, &offset);
      if (data_rc == ARCHIVE_EOF) break;
      if (data_rc != ARCHIVE_OK) {
        throw PackageError("damaged member " + members_[index].name + " (" +
                           ErrorOf(a.get(), "unreadable data") + ")");
      }
      std::string_view data(static_cast<const char*>(block), size);
      while (!data.empty()) {
        if (cancelled_ && cancelled_()) ThrowCancelled();
        size_t n = std::min(data.size(), kPiece);
        const uint64_t room =
            std::min(limits_.max_member_bytes - member_read, limits_.max_total_bytes - total_read_);
        if (n > room) n = static_cast<size_t>(room);
        if (n == 0) {
          how = End::kLimit;
          limited_ = true;
          reading = false;
          break;
        }
        member_read += n;
        total_read_ += n;
        if (!consume(k, data.substr(0, n))) {
          how = End::kStopped;
          reading = false;
          break;
        }
        data.remove_prefix(n);
      }
    }
    end(k, how);
  }
}

}  // namespace archivum::bundled::office
