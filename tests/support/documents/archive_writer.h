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
  kZipStored,  // members stored uncompressed (office packages: office_writer.h)
  kTar,        // POSIX pax tar
  kTarGz,
  kTarBz2,
  kTarXz,
  kTarZst,
  kCpio,
  kSevenZip,
  kAr,
  kTarLz4,
  kIso9660,  // ISO 9660 with Rock Ridge and Joliet (libarchive's writer spools to a temp file)
};

// The archive holding `entries` in order. Aborts the test program on a libarchive failure (a
// broken fixture is a bug in the test).
std::string MakeArchive(ArchiveFormat format, const std::vector<ArchiveEntry>& entries);

enum class Compression { kGzip, kBzip2, kXz, kZstd, kLz4, kLzma, kLzip, kCompress };
// `bytes` compressed as a single-file stream (.gz, .bz2, .xz, .zst, .lz4, .lzma, .lz, .Z) with the
// raw filter.
std::string Compress(Compression compression, std::string_view bytes);

// A ZIP whose members are encrypted with `passphrase`. `encryption` is libarchive's zip option
// value: "traditional" (PKWARE ZipCrypto), "aes128" or "aes256" (WinZip AES).
std::string MakeEncryptedZip(const std::vector<ArchiveEntry>& entries, std::string_view passphrase,
                             std::string_view encryption = "traditional");

// An archive whose first member, `name`, holds `size` zero bytes, followed by `after`. The member
// goes through libarchive's writer in 1 MiB pieces, so no buffer of `size` bytes ever exists: only
// the archive itself is held, which for a compressed format is small (ZIP and .tar.gz use the
// fastest deflate level, which shrinks zeros about 220:1: 2.5 GiB make a ZIP of about 12 MB in
// about 6 s). Meant for kZip and the compressed tars; an uncompressed format would hold all
// `size` bytes.
std::string MakeArchiveWithZeros(ArchiveFormat format, std::string_view name, uint64_t size,
                                 const std::vector<ArchiveEntry>& after = {});

// A pax tar holding one sparse member `name` of `size` bytes: `data` at `offset` (which must fit)
// and zeros elsewhere, the zeros stored as holes (GNU sparse 1.0), not as bytes.
std::string MakeSparseTar(std::string_view name, uint64_t size, uint64_t offset,
                          std::string_view data);

}  // namespace archivum::testing
