#include "archive/archive_extractor.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "archive/member_info.h"
#include "common/thread_locale.h"
#include "common/utf8.h"

namespace archivum::bundled::archives {
namespace {

// Input handed to libarchive per read callback: small enough that File::Release can follow the
// reader closely, large enough that few headers straddle two blocks (libarchive copies those).
constexpr size_t kReadBlock = size_t{1} << 20;
// The input behind the read position is released in steps of this size, one block behind.
constexpr uint64_t kReleaseStep = uint64_t{4} << 20;
// How often in a row libarchive may ask to retry a read, or fail one entry's header, before
// the archive counts as damaged there (each failure normally advances to the next entry; the
// bound only guards against a reader that would not).
constexpr int kMaxRetries = 16;
constexpr int kMaxFailedHeaders = 64;

struct ReaderDeleter {
  void operator()(::archive* a) const { archive_read_free(a); }
};
using Reader = std::unique_ptr<::archive, ReaderDeleter>;

std::string ErrorOf(::archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr && *message != '\0' ? SanitizeUtf8(message)
                                                : std::string("unknown libarchive error");
}

// A reader with the formats and filters this plugin reads. Filters are registered one by one
// (not archive_read_support_filter_all, which includes decoders that only exist as external
// programs); one that reports ARCHIVE_WARN would run an external program, which is refused.
Reader NewReader() {
  Reader a(archive_read_new());
  if (a == nullptr) throw sdk::Error(ARCHIVUM_ERROR, "libarchive: out of memory");
  struct Support {
    const char* name;
    int (*enable)(::archive*);
  };
  static constexpr Support kFormats[] = {
      {"zip", archive_read_support_format_zip},         {"tar", archive_read_support_format_tar},
      {"7z", archive_read_support_format_7zip},         {"rar", archive_read_support_format_rar},
      {"rar5", archive_read_support_format_rar5},       {"cpio", archive_read_support_format_cpio},
      {"iso9660", archive_read_support_format_iso9660}, {"ar", archive_read_support_format_ar},
      {"raw", archive_read_support_format_raw},
  };
  static constexpr Support kFilters[] = {
      {"gzip", archive_read_support_filter_gzip},
      {"bzip2", archive_read_support_filter_bzip2},
      {"xz", archive_read_support_filter_xz},
      {"lzma", archive_read_support_filter_lzma},
      {"lzip", archive_read_support_filter_lzip},
      {"zstd", archive_read_support_filter_zstd},
      {"lz4", archive_read_support_filter_lz4},
      {"compress", archive_read_support_filter_compress},
  };
  for (const Support& s : kFormats) {
    if (s.enable(a.get()) != ARCHIVE_OK) {
      throw sdk::Error(ARCHIVUM_ERROR, std::string("libarchive cannot read the ") + s.name +
                                           " format: " + ErrorOf(a.get()));
    }
  }
  for (const Support& s : kFilters) {
    if (s.enable(a.get()) != ARCHIVE_OK) {
      throw sdk::Error(ARCHIVUM_ERROR, std::string("libarchive has no built-in ") + s.name +
                                           " decoder: " + ErrorOf(a.get()));
    }
  }
  return a;
}

// The file's bytes as libarchive's input: handed out in place, block by block, with seeking for
// the formats that read an index first (ZIP's central directory, 7z's header). Releases the
// input behind the read position so that a huge archive does not stay resident.
class Input {
 public:
  explicit Input(const sdk::File& file) : file_(file), bytes_(file.bytes()) {}

  static la_ssize_t Read(::archive*, void* ctx, const void** buffer) {
    auto* self = static_cast<Input*>(ctx);
    const uint64_t start = self->position_;
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(kReadBlock, self->bytes_.size() - start));
    *buffer = self->bytes_.data() + start;
    self->position_ = start + n;
    self->ReleaseBefore(start);
    return static_cast<la_ssize_t>(n);
  }

  static la_int64_t Skip(::archive*, void* ctx, la_int64_t request) {
    auto* self = static_cast<Input*>(ctx);
    if (request <= 0) return 0;
    const uint64_t n =
        std::min<uint64_t>(static_cast<uint64_t>(request), self->bytes_.size() - self->position_);
    self->position_ += n;
    return static_cast<la_int64_t>(n);
  }

  static la_int64_t Seek(::archive*, void* ctx, la_int64_t offset, int whence) {
    auto* self = static_cast<Input*>(ctx);
    const auto size = static_cast<la_int64_t>(self->bytes_.size());
    la_int64_t base = 0;
    switch (whence) {
      case SEEK_SET: base = 0; break;
      case SEEK_CUR: base = static_cast<la_int64_t>(self->position_); break;
      case SEEK_END: base = size; break;
      default: return ARCHIVE_FATAL;
    }
    // Offsets come from the archive's own headers: refuse any outside the input (and overflow).
    if ((offset > 0 && base > size - offset) || base + offset < 0 || base + offset > size) {
      return ARCHIVE_FATAL;
    }
    self->position_ = static_cast<uint64_t>(base + offset);
    return base + offset;
  }

 private:
  // Releases what lies more than one block before `block_start`, in kReleaseStep steps.
  void ReleaseBefore(uint64_t block_start) {
    if (block_start < kReadBlock) return;
    const uint64_t end = (block_start - kReadBlock) / kReleaseStep * kReleaseStep;
    if (end <= released_) return;
    file_.Release(released_, end - released_);
    released_ = end;
  }

  const sdk::File& file_;
  std::string_view bytes_;
  uint64_t position_ = 0;
  uint64_t released_ = 0;
};

// One pass over the archive. Holds the counters of the container's findings.
class Walk {
 public:
  Walk(const sdk::File& file, sdk::Sink& sink, ::archive* a) : file_(file), sink_(sink), a_(a) {}

  archivum_rc Run() {
    int retries = 0;
    int failed_headers = 0;
    for (;;) {
      if (file_.cancelled()) return ARCHIVUM_CANCELLED;
      archive_entry* entry = nullptr;
      const int r = archive_read_next_header(a_, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_RETRY) {
        if (++retries > kMaxRetries) {
          NoteDamage(ErrorOf(a_));
          break;
        }
        continue;
      }
      retries = 0;
      if (r == ARCHIVE_FATAL) {
        // Formats with encrypted headers (7z -mhe, RAR) fail before the first entry and say
        // that the archive has encrypted entries: nothing can be listed without the password.
        if (entries_ == 0 && archive_read_has_encrypted_entries(a_) > 0) {
          headers_encrypted_ = true;
        } else {
          NoteDamage(ErrorOf(a_));
        }
        break;
      }
      ++entries_;
      if (r == ARCHIVE_FAILED) {
        NoteDamage(ErrorOf(a_));
        if (++failed_headers > kMaxFailedHeaders) break;
        continue;
      }
      failed_headers = 0;
      if (entries_ == 1) RefuseUncompressedRaw();
      const Outcome outcome = Member(entry);
      if (outcome == Outcome::kCancelled) return ARCHIVUM_CANCELLED;
      if (outcome == Outcome::kStop) break;
    }
    return Finish();
  }

 private:
  enum class Outcome { kNext, kStop, kCancelled };

  // The raw format takes any input; it is wanted only under a compression filter (a .gz that
  // holds no archive), never for bytes that are neither an archive nor compressed.
  void RefuseUncompressedRaw() {
    if (archive_format(a_) == ARCHIVE_FORMAT_RAW &&
        archive_filter_code(a_, 0) == ARCHIVE_FILTER_NONE) {
      throw sdk::Error(ARCHIVUM_ERROR,
                       "not a readable archive: no archive format or compression recognized");
    }
  }

  void NoteDamage(std::string message) {
    if (damage_.empty()) damage_ = std::move(message);
  }

  std::string NameOf(archive_entry* entry) const {
    std::string name;
    if (archive_format(a_) == ARCHIVE_FORMAT_RAW) return SingleFileMemberName(file_.display_name());
    if (const char* utf8 = archive_entry_pathname_utf8(entry); utf8 != nullptr) {
      name = SanitizeUtf8(utf8);
    } else if (const char* raw = archive_entry_pathname(entry); raw != nullptr) {
      // Not convertible from the archive's charset: keep the bytes, repaired to UTF-8.
      name = SanitizeUtf8(raw);
    }
    return name.empty() ? FallbackName() : name;
  }
  std::string FallbackName() const { return "member-" + std::to_string(entries_); }

  Outcome Member(archive_entry* entry) {
    if (archive_entry_filetype(entry) != AE_IFREG) return Outcome::kNext;
    // A tar hard link repeats an earlier member by reference and carries no data of its own.
    if (archive_entry_hardlink(entry) != nullptr && archive_entry_size(entry) == 0) {
      return Outcome::kNext;
    }
    archivum_rc rc = sink_.BeginChild(NameOf(entry));
    if (rc == ARCHIVUM_INVALID_ARGUMENT) rc = sink_.BeginChild(FallbackName());
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) return Outcome::kStop;
    if (rc != ARCHIVUM_OK) {
      throw sdk::Error(ARCHIVUM_ERROR,
                       "the host refused a member (code " + std::to_string(rc) + ")");
    }
    if (archive_entry_mtime_is_set(entry)) {
      if (auto when = FormatUtcTime(archive_entry_mtime(entry)))
        sink_.ChildFinding("modified", *when);
    }
    Outcome outcome = Outcome::kNext;
    if (archive_entry_is_data_encrypted(entry)) {
      sink_.ChildTag("encrypted");
    } else {
      outcome = Data(entry);
      if (outcome == Outcome::kCancelled) return outcome;
    }
    rc = sink_.EndChild();
    if (rc == ARCHIVUM_OK) {
      ++members_;
    } else if (rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
      throw sdk::Error(ARCHIVUM_ERROR,
                       "the host refused to close a member (code " + std::to_string(rc) + ")");
    }
    return outcome;
  }

  // Streams the open member's data. Sparse members (tar) arrive as blocks at offsets with holes
  // between them; the holes are written as zeros.
  Outcome Data(archive_entry* entry) {
    uint64_t written = 0;
    int retries = 0;
    for (;;) {
      if (file_.cancelled()) return Outcome::kCancelled;
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      const int r = archive_read_data_block(a_, &block, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_RETRY) {
        if (++retries <= kMaxRetries) continue;
        return Unreadable(entry, ARCHIVE_FATAL);
      }
      if (r < ARCHIVE_WARN) return Unreadable(entry, r);
      retries = 0;
      std::string_view data(static_cast<const char*>(block), block == nullptr ? 0 : size);
      if (offset > 0 && static_cast<uint64_t>(offset) > written) {
        const Step gap = Zeros(static_cast<uint64_t>(offset) - written);
        if (gap != Step::kWritten) return AfterStep(gap);
        written = static_cast<uint64_t>(offset);
      } else if (offset >= 0 && static_cast<uint64_t>(offset) < written) {
        // Overlaps what was written (a broken sparse map): keep only what is new.
        const uint64_t overlap = written - static_cast<uint64_t>(offset);
        data.remove_prefix(static_cast<size_t>(std::min<uint64_t>(overlap, data.size())));
      }
      const Step step = Write(data);
      if (step != Step::kWritten) return AfterStep(step);
      written += data.size();
    }
    // A sparse member may end in a hole.
    if (archive_entry_sparse_count(entry) > 0 && archive_entry_size_is_set(entry) &&
        archive_entry_size(entry) > 0 &&
        static_cast<uint64_t>(archive_entry_size(entry)) > written) {
      const Step gap = Zeros(static_cast<uint64_t>(archive_entry_size(entry)) - written);
      if (gap != Step::kWritten) return AfterStep(gap);
    }
    return Outcome::kNext;
  }

  enum class Step { kWritten, kDropped, kCancelled };

  Step Write(std::string_view data) {
    while (!data.empty()) {
      const std::string_view piece = data.substr(0, kMaxChildWrite);
      const archivum_rc rc = sink_.WriteChild(piece);
      if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) return Step::kDropped;
      if (rc != ARCHIVUM_OK) {
        throw sdk::Error(ARCHIVUM_ERROR,
                         "the host refused member data (code " + std::to_string(rc) + ")");
      }
      data.remove_prefix(piece.size());
    }
    return Step::kWritten;
  }

  Step Zeros(uint64_t count) {
    if (zeros_.empty()) zeros_.assign(kMaxChildWrite, '\0');
    while (count > 0) {
      if (file_.cancelled()) return Step::kCancelled;
      const size_t piece = static_cast<size_t>(std::min<uint64_t>(count, zeros_.size()));
      const Step step = Write(std::string_view(zeros_).substr(0, piece));
      if (step != Step::kWritten) return step;
      count -= piece;
    }
    return Step::kWritten;
  }

  // After the host dropped the member (over its size budget), the reader moves past the rest of
  // its data; a format that knows the compressed size seeks over it instead of decompressing.
  Outcome AfterStep(Step step) {
    if (step == Step::kCancelled) return Outcome::kCancelled;
    if (archive_read_data_skip(a_) == ARCHIVE_FATAL) {
      NoteDamage(ErrorOf(a_));
      return Outcome::kStop;
    }
    return Outcome::kNext;
  }

  // The member's data cannot be read: encrypted (some formats tell only now), or damaged. The
  // bytes read so far stay with the member; a fatal error ends the archive there.
  Outcome Unreadable(archive_entry* entry, int r) {
    const std::string message = ErrorOf(a_);
    if (archive_entry_is_encrypted(entry)) {
      sink_.ChildTag("encrypted");
    } else {
      sink_.ChildFinding("damaged", message);
    }
    if (r == ARCHIVE_FATAL) {
      NoteDamage(message);
      return Outcome::kStop;
    }
    return Outcome::kNext;
  }

  archivum_rc Finish() {
    if (!damage_.empty() && members_ == 0 && !headers_encrypted_) {
      throw sdk::Error(ARCHIVUM_ERROR, "not a readable archive: " + damage_);
    }
    if (headers_encrypted_) sink_.Tag("encrypted");
    sink_.Finding("members", members_);
    if (!damage_.empty()) sink_.Finding("damaged", damage_);
    return ARCHIVUM_OK;
  }

  const sdk::File& file_;
  sdk::Sink& sink_;
  ::archive* a_;
  uint64_t entries_ = 0;  // headers read, of any type
  uint64_t members_ = 0;  // children the host accepted
  std::string damage_;    // libarchive's first message about damage
  bool headers_encrypted_ = false;
  std::string zeros_;  // a block of zeros for sparse holes, allocated on first use
};

}  // namespace

void CheckLibarchive() {
  NewReader();
}

archivum_rc ExtractMembers(const sdk::File& file, sdk::Sink& sink) {
  const ThreadUtf8Locale locale;  // before the reader, which takes the locale's charset
  Reader a = NewReader();
  Input input(file);
  archive_read_set_read_callback(a.get(), &Input::Read);
  archive_read_set_skip_callback(a.get(), &Input::Skip);
  archive_read_set_seek_callback(a.get(), &Input::Seek);
  archive_read_set_callback_data(a.get(), &input);
  if (archive_read_open1(a.get()) != ARCHIVE_OK) {
    throw sdk::Error(ARCHIVUM_ERROR, "not a readable archive: " + ErrorOf(a.get()));
  }
  return Walk(file, sink, a.get()).Run();
}

}  // namespace archivum::bundled::archives
