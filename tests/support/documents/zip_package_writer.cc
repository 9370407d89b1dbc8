#include "support/documents/zip_package_writer.h"

#include <zlib.h>

#include <cstdio>
#include <cstdlib>

#include "support/documents/office_writer.h"

namespace archivum::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "zip_package_writer: %s\n", what);
  std::abort();
}

// 2024-01-01 00:00 in MS-DOS form.
constexpr uint32_t kDosDate = ((2024 - 1980) << 9) | (1 << 5) | 1;
constexpr uint32_t kDosTime = 0;

}  // namespace

void PutLe16(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

void PutLe32(std::string& out, uint32_t v) {
  PutLe16(out, v & 0xFFFF);
  PutLe16(out, v >> 16);
}

void PackageWriter::Add(const std::string& name, bool stored, const Producer& produce) {
  uint32_t crc = crc32(0, nullptr, 0);
  uint64_t size = 0;
  std::string data;
  z_stream z{};
  if (!stored &&
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    Die("deflateInit2");
  }
  const auto deflate_all = [&](std::string_view piece, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    z.avail_in = static_cast<uInt>(piece.size());
    char buffer[65536];
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof(buffer);
      rc = deflate(&z, flush);
      if (rc == Z_STREAM_ERROR) Die("deflate");
      data.append(buffer, sizeof(buffer) - z.avail_out);
    } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  };
  produce([&](std::string_view piece) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size()));
    size += piece.size();
    if (stored) {
      data.append(piece);
    } else {
      deflate_all(piece, Z_NO_FLUSH);
    }
  });
  if (!stored) {
    deflate_all({}, Z_FINISH);
    deflateEnd(&z);
  }
  if (size > 0xFFFFFFFFu || data.size() > 0xFFFFFFFFu) Die("member over 4 GiB");

  Record r{name,
           stored,
           crc,
           static_cast<uint32_t>(data.size()),
           static_cast<uint32_t>(size),
           static_cast<uint32_t>(out_.size())};
  PutLe32(out_, 0x04034b50);
  Header(out_, r);
  out_.append(name);
  out_.append(data);
  records_.push_back(std::move(r));
}

std::string PackageWriter::Finish() {
  const auto cd_offset = static_cast<uint32_t>(out_.size());
  for (const Record& r : records_) {
    PutLe32(out_, 0x02014b50);
    PutLe16(out_, 20);  // made by: MS-DOS, ZIP 2.0
    Header(out_, r);
    PutLe16(out_, 0);  // comment length
    PutLe16(out_, 0);  // disk number
    PutLe16(out_, 0);  // internal attributes
    PutLe32(out_, 0);  // external attributes
    PutLe32(out_, r.offset);
    out_.append(r.name);
  }
  const auto cd_size = static_cast<uint32_t>(out_.size() - cd_offset);
  PutLe32(out_, 0x06054b50);
  PutLe16(out_, 0);
  PutLe16(out_, 0);
  PutLe16(out_, static_cast<uint32_t>(records_.size()));
  PutLe16(out_, static_cast<uint32_t>(records_.size()));
  PutLe32(out_, cd_size);
  PutLe32(out_, cd_offset);
  PutLe16(out_, 0);
  return std::move(out_);
}

// The fields local and central headers share, from "version needed" to "extra length".
void PackageWriter::Header(std::string& out, const Record& r) {
  bool ascii = true;
  for (const char c : r.name) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  PutLe16(out, r.stored ? 10 : 20);
  PutLe16(out, ascii ? 0 : 0x0800);  // bit 11: the name is UTF-8
  PutLe16(out, r.stored ? 0 : 8);
  PutLe16(out, kDosTime);
  PutLe16(out, kDosDate);
  PutLe32(out, r.crc);
  PutLe32(out, r.compressed);
  PutLe32(out, r.size);
  PutLe16(out, static_cast<uint32_t>(r.name.size()));
  PutLe16(out, 0);  // no extra field
}

std::string WritePackage(const std::vector<PackageMember>& members) {
  PackageWriter zip;
  for (const PackageMember& m : members) {
    zip.Add(m.name, m.stored, [&m](const auto& sink) { sink(m.bytes); });
  }
  return zip.Finish();
}

void SetMember(std::vector<PackageMember>& members, std::string_view name, std::string bytes) {
  for (PackageMember& m : members) {
    if (m.name == name) {
      m.bytes = std::move(bytes);
      return;
    }
  }
  members.push_back({std::string(name), std::move(bytes)});
}

}  // namespace archivum::testing
