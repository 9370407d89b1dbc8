// Builds archives in memory for tests (libarchive's writer): the ZIP, TAR and compressed files
// the archive, office and mail tests feed to plugins and to the daemon. Test support only; the
// plugins never write archives.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::testing {

// One entry of an archive: a regular file (or a directory when `directory` is set) named `name`
// exactly as given (no sanitizing: tests build hostile names on purpose).
struct ArchiveEntry {
  std::string name;
  std::string bytes;
  bool directory = false;
  int64_t mtime = 1700000000;  // seconds since the Unix epoch
};

enum class ArchiveFormat {
  kZip,        // deflate-compressed members
  kZipStored,  // members stored uncompressed (OOXML/ODF/EPUB "mimetype" must be stored first)
  kTar,        // POSIX pax tar
  kTarGz,
  kTarBz2,
  kTarXz,
  kTarZst,
  kCpio,
  kSevenZip,
  kAr,
};

// The archive holding `entries` in order. Aborts the test program on a libarchive failure (a
// broken fixture is a bug in the test).
std::string MakeArchive(ArchiveFormat format, const std::vector<ArchiveEntry>& entries);

// A ZIP in which each entry chooses stored or deflated: OOXML, ODF and EPUB packages put an
// uncompressed "mimetype" first. `stored[i]` applies to entries[i] (missing means deflated).
std::string MakeZip(const std::vector<ArchiveEntry>& entries, const std::vector<bool>& stored);

enum class Compression { kGzip, kBzip2, kXz, kZstd };
// `bytes` compressed as a single-file stream (.gz, .bz2, .xz, .zst) with the raw filter.
std::string Compress(Compression compression, std::string_view bytes);

}  // namespace archivum::testing
