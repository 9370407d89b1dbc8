#include "support/documents/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

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

void WriteEntry(archive* a, const ArchiveEntry& e) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      &archive_entry_free);
  archive_entry_set_pathname(entry.get(), e.name.c_str());
  archive_entry_set_filetype(entry.get(), e.directory ? AE_IFDIR : AE_IFREG);
  archive_entry_set_perm(entry.get(), e.directory ? 0755 : 0644);
  archive_entry_set_size(entry.get(), e.directory ? 0 : static_cast<la_int64_t>(e.bytes.size()));
  archive_entry_set_mtime(entry.get(), e.mtime, 0);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) Die(a, "header");
  if (!e.directory && !e.bytes.empty() &&
      archive_write_data(a, e.bytes.data(), e.bytes.size()) < 0) {
    Die(a, "data");
  }
}

}  // namespace

std::string MakeArchive(ArchiveFormat format, const std::vector<ArchiveEntry>& entries) {
  if (format == ArchiveFormat::kZip || format == ArchiveFormat::kZipStored) {
    return MakeZip(entries, std::vector<bool>(entries.size(), format == ArchiveFormat::kZipStored));
  }
  Writer a(archive_write_new());
  switch (format) {
    case ArchiveFormat::kTar:
    case ArchiveFormat::kTarGz:
    case ArchiveFormat::kTarBz2:
    case ArchiveFormat::kTarXz:
    case ArchiveFormat::kTarZst:
      archive_write_set_format_pax_restricted(a.get());
      break;
    case ArchiveFormat::kCpio:
      archive_write_set_format_cpio_newc(a.get());
      break;
    case ArchiveFormat::kSevenZip:
      archive_write_set_format_7zip(a.get());
      break;
    case ArchiveFormat::kAr:
      archive_write_set_format_ar_svr4(a.get());
      break;
    default:
      break;
  }
  switch (format) {
    case ArchiveFormat::kTarGz:
      archive_write_add_filter_gzip(a.get());
      break;
    case ArchiveFormat::kTarBz2:
      archive_write_add_filter_bzip2(a.get());
      break;
    case ArchiveFormat::kTarXz:
      archive_write_add_filter_xz(a.get());
      break;
    case ArchiveFormat::kTarZst:
      if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK) Die(a.get(), "zstd filter");
      break;
    default:
      break;
  }
  std::string out;
  Open(a.get(), &out);
  for (const auto& e : entries) WriteEntry(a.get(), e);
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

std::string MakeZip(const std::vector<ArchiveEntry>& entries, const std::vector<bool>& stored) {
  Writer a(archive_write_new());
  archive_write_set_format_zip(a.get());
  std::string out;
  Open(a.get(), &out);
  for (size_t i = 0; i < entries.size(); ++i) {
    const bool store = i < stored.size() && stored[i];
    if (archive_write_set_options(a.get(), store ? "zip:compression=store"
                                                 : "zip:compression=deflate") != ARCHIVE_OK) {
      Die(a.get(), "zip compression option");
    }
    WriteEntry(a.get(), entries[i]);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) Die(a.get(), "close");
  return out;
}

std::string Compress(Compression compression, std::string_view bytes) {
  Writer a(archive_write_new());
  archive_write_set_format_raw(a.get());
  switch (compression) {
    case Compression::kGzip:
      archive_write_add_filter_gzip(a.get());
      break;
    case Compression::kBzip2:
      archive_write_add_filter_bzip2(a.get());
      break;
    case Compression::kXz:
      archive_write_add_filter_xz(a.get());
      break;
    case Compression::kZstd:
      if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK) Die(a.get(), "zstd filter");
      break;
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

}  // namespace archivum::testing
