#include "support/documents/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "common/thread_locale.h"

namespace archivum::testing {
namespace {

[[noreturn]] void Die(archive* a, const char* what) {
  std::fprintf(stderr, "archive_writer: %s: %s\n", what,
               a != nullptr && archive_error_string(a) ? archive_error_string(a) : "?");
  std::abort();
}

struct WriterDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using Writer = std::unique_ptr<archive, WriterDeleter>;

la_ssize_t Append(archive*, void* ctx, const void* data, size_t size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

void Open(archive* a, std::string* out) {
  // Byte-exact output: no padding of the last block beyond what the format needs.
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, out, nullptr, &Append, nullptr) != ARCHIVE_OK) Die(a, "open");
}

void WriteHeader(archive* a, const std::string& name, bool directory, int64_t size, int64_t mtime) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      &archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), directory ? AE_IFDIR : AE_IFREG);
  archive_entry_set_perm(entry.get(), directory ? 0755 : 0644);
  archive_entry_set_size(entry.get(), directory ? 0 : size);
  archive_entry_set_mtime(entry.get(), mtime, 0);
  // ARCHIVE_WARN: written, e.g. a name that is not UTF-8 stored as raw bytes (tests want those).
  if (archive_write_header(a, entry.get()) < ARCHIVE_WARN) Die(a, "header");
}

void WriteEntry(archive* a, const ArchiveEntry& e) {
  WriteHeader(a, e.name, e.directory, static_cast<la_int64_t>(e.bytes.size()), e.mtime);
  if (!e.directory && !e.bytes.empty() &&
      archive_write_data(a, e.bytes.data(), e.bytes.size()) < 0) {
    Die(a, "data");
  }
}

// The LZMA family's default preset (6) costs about 90 MB of encoder memory and an 8 MiB
// dictionary for the reader; level 1 (1 MiB dictionary) keeps tests that build and read many such
// archives, several at once, small.
void LightLzma(archive* a) {
  if (archive_write_set_filter_option(a, nullptr, "compression-level", "1") != ARCHIVE_OK) {
    Die(a, "compression level");
  }
}

// The gzip filter, without the time of writing in its header (as `gzip -n`), so that the same
// entries always give the same bytes.
void AddGzip(archive* a) {
  if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_filter_option(a, "gzip", "timestamp", nullptr) != ARCHIVE_OK) {
    Die(a, "gzip filter");
  }
}

// A writer for `format` with its compression filter; ZIP members are deflated.
Writer NewWriter(ArchiveFormat format) {
  Writer a(archive_write_new());
  switch (format) {
    case ArchiveFormat::kZip:
    case ArchiveFormat::kZipStored:
      archive_write_set_format_zip(a.get());
      if (archive_write_set_options(a.get(), format == ArchiveFormat::kZipStored
                                                 ? "zip:compression=store"
                                                 : "zip:compression=deflate") != ARCHIVE_OK) {
        Die(a.get(), "zip compression option");
      }
      break;
    case ArchiveFormat::kTar:
    case ArchiveFormat::kTarGz:
    case ArchiveFormat::kTarBz2:
    case ArchiveFormat::kTarXz:
    case ArchiveFormat::kTarZst:
    case ArchiveFormat::kTarLz4: archive_write_set_format_pax_restricted(a.get()); break;
    case ArchiveFormat::kCpio: archive_write_set_format_cpio_newc(a.get()); break;
    case ArchiveFormat::kSevenZip: archive_write_set_format_7zip(a.get()); break;
    case ArchiveFormat::kAr: archive_write_set_format_ar_svr4(a.get()); break;
    case ArchiveFormat::kIso9660: archive_write_set_format_iso9660(a.get()); break;
  }
  switch (format) {
    case ArchiveFormat::kTarGz: AddGzip(a.get()); break;
    case ArchiveFormat::kTarBz2: archive_write_add_filter_bzip2(a.get()); break;
    case ArchiveFormat::kTarXz:
      archive_write_add_filter_xz(a.get());
      LightLzma(a.get());
      break;
    case ArchiveFormat::kTarZst:
      if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK) Die(a.get(), "zstd filter");
      break;
    case ArchiveFormat::kTarLz4:
      if (archive_write_add_filter_lz4(a.get()) != ARCHIVE_OK) Die(a.get(), "lz4 filter");
      break;
    default: break;
  }
  return a;
}

}  // namespace

std::string MakeArchive(ArchiveFormat format, const std::vector<ArchiveEntry>& entries) {
  const bundled::ThreadUtf8Locale locale;
  Writer a = NewWriter(format);
  std::string out;
  Open(a.get(), &out);
  for (const auto& e : entries) WriteEntry(a.get(), e);
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

std::string Compress(Compression compression, std::string_view bytes) {
  const bundled::ThreadUtf8Locale locale;
  Writer a(archive_write_new());
  archive_write_set_format_raw(a.get());
  switch (compression) {
    case Compression::kGzip: AddGzip(a.get()); break;
    case Compression::kBzip2: archive_write_add_filter_bzip2(a.get()); break;
    case Compression::kXz:
      archive_write_add_filter_xz(a.get());
      LightLzma(a.get());
      break;
    case Compression::kZstd:
      if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK) Die(a.get(), "zstd filter");
      break;
    case Compression::kLz4:
      if (archive_write_add_filter_lz4(a.get()) != ARCHIVE_OK) Die(a.get(), "lz4 filter");
      break;
    case Compression::kLzma:
      archive_write_add_filter_lzma(a.get());
      LightLzma(a.get());
      break;
    case Compression::kLzip:
      archive_write_add_filter_lzip(a.get());
      LightLzma(a.get());
      break;
    case Compression::kCompress: archive_write_add_filter_compress(a.get()); break;
  }
  std::string out;
  Open(a.get(), &out);
  ArchiveEntry e;
  e.name = "data";
  e.bytes = std::string(bytes);
  WriteEntry(a.get(), e);
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

std::string MakeEncryptedZip(const std::vector<ArchiveEntry>& entries, std::string_view passphrase,
                             std::string_view encryption) {
  const bundled::ThreadUtf8Locale locale;
  Writer a = NewWriter(ArchiveFormat::kZip);
  const std::string option = "zip:encryption=" + std::string(encryption);
  if (archive_write_set_options(a.get(), option.c_str()) != ARCHIVE_OK) {
    Die(a.get(), "zip encryption option");
  }
  if (archive_write_set_passphrase(a.get(), std::string(passphrase).c_str()) != ARCHIVE_OK) {
    Die(a.get(), "passphrase");
  }
  std::string out;
  Open(a.get(), &out);
  for (const auto& e : entries) WriteEntry(a.get(), e);
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

std::string MakeArchiveWithZeros(ArchiveFormat format, std::string_view name, uint64_t size,
                                 const std::vector<ArchiveEntry>& after) {
  const bundled::ThreadUtf8Locale locale;
  Writer a = NewWriter(format);
  // The fastest deflate level: on zeros it compresses as well as the default, several times faster.
  if ((format == ArchiveFormat::kZip &&
       archive_write_set_options(a.get(), "zip:compression-level=1") != ARCHIVE_OK) ||
      (format == ArchiveFormat::kTarGz &&
       archive_write_set_options(a.get(), "gzip:compression-level=1") != ARCHIVE_OK)) {
    Die(a.get(), "compression level");
  }
  std::string out;
  Open(a.get(), &out);
  WriteHeader(a.get(), std::string(name), false, static_cast<la_int64_t>(size), 1700000000);
  const std::string zeros(size_t{1} << 20, '\0');
  for (uint64_t left = size; left > 0;) {
    const size_t piece = left < zeros.size() ? static_cast<size_t>(left) : zeros.size();
    if (archive_write_data(a.get(), zeros.data(), piece) < 0) Die(a.get(), "data");
    left -= piece;
  }
  for (const auto& e : after) WriteEntry(a.get(), e);
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

std::string MakeSparseTar(std::string_view name, uint64_t size, uint64_t offset,
                          std::string_view data) {
  if (offset + data.size() > size) {
    std::fprintf(stderr, "archive_writer: sparse data past the member's end\n");
    std::abort();
  }
  const bundled::ThreadUtf8Locale locale;
  Writer a = NewWriter(ArchiveFormat::kTar);
  std::string out;
  Open(a.get(), &out);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      &archive_entry_free);
  archive_entry_set_pathname(entry.get(), std::string(name).c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(entry.get(), 1700000000, 0);
  archive_entry_sparse_add_entry(entry.get(), static_cast<la_int64_t>(offset),
                                 static_cast<la_int64_t>(data.size()));
  archive_entry_sparse_add_entry(entry.get(), static_cast<la_int64_t>(size), 0);  // the end
  if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) Die(a.get(), "header");
  // The writer takes the member's whole logical content and drops what falls in the holes.
  std::string piece;
  for (uint64_t at = 0; at < size;) {
    const uint64_t n = std::min<uint64_t>(size - at, uint64_t{1} << 20);
    piece.assign(static_cast<size_t>(n), '\0');
    for (uint64_t i = 0; i < data.size(); ++i) {
      if (offset + i >= at && offset + i < at + n) piece[offset + i - at] = data[i];
    }
    if (archive_write_data(a.get(), piece.data(), piece.size()) < 0) Die(a.get(), "data");
    at += n;
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

}  // namespace archivum::testing
