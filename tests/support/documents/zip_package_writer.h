// Writes ZIP packages the way office producers do: no extra fields, sizes and CRC in the local
// headers (no data descriptors), members deflated or stored. office_writer.h says why office
// documents are not written with libarchive's writer. Test support only.
//
// Thread safety: a PackageWriter is used by one thread; the functions are reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::testing {

// Appends `v` in little-endian order, as ZIP and compound files store integers.
void PutLe16(std::string& out, uint32_t v);
void PutLe32(std::string& out, uint32_t v);

class PackageWriter {
 public:
  // Produces a member's bytes: calls its argument with each piece, in order.
  using Producer = std::function<void(const std::function<void(std::string_view)>&)>;

  // Adds a member; only its compressed form is kept in memory, so a member of any size can be
  // generated. Aborts the test program on a zlib failure or a member over 4 GiB (no ZIP64).
  void Add(const std::string& name, bool stored, const Producer& produce);
  // The archive: the members, their central directory and its end record.
  std::string Finish();

 private:
  struct Record {
    std::string name;
    bool stored;
    uint32_t crc;
    uint32_t compressed;
    uint32_t size;
    uint32_t offset;
  };
  // The fields local and central headers share, from "version needed" to "extra length".
  static void Header(std::string& out, const Record& r);

  std::string out_;
  std::vector<Record> records_;
};

}  // namespace archivum::testing
