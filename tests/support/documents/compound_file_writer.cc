// A password-protected OOXML document as Office writes it (office_writer.h: MakeEncryptedOoxml).
#include <cstdint>
#include <string>
#include <string_view>

#include "support/documents/office_writer.h"
#include "support/documents/zip_package_writer.h"

namespace archivum::testing {
namespace {

constexpr char kXmlDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

void PutName(std::string& entry, std::string_view name) {
  for (const char c : name) {
    entry.push_back(c);
    entry.push_back('\0');
  }
  entry.resize(64, '\0');
  PutLe16(entry, static_cast<uint32_t>((name.size() + 1) * 2));
}

// A 128-byte directory entry.
std::string DirectoryEntry(std::string_view name, uint8_t type, uint32_t right, uint32_t child,
                           uint32_t start, uint32_t size) {
  std::string e;
  if (type != 0) PutName(e, name);
  e.resize(0x42, '\0');
  e.push_back(static_cast<char>(type));
  e.push_back(type != 0 ? 1 : 0);  // black
  PutLe32(e, 0xFFFFFFFF);          // left sibling
  PutLe32(e, right);
  PutLe32(e, child);
  e.resize(0x74, '\0');  // CLSID, state bits, times
  PutLe32(e, start);
  PutLe32(e, size);
  PutLe32(e, 0);
  return e;
}

}  // namespace

std::string MakeEncryptedOoxml() {
  // Sectors: 0 the FAT, 1 the directory, 2-9 EncryptionInfo, 10-25 EncryptedPackage. Both streams
  // are 4096 bytes or more, so they live in regular sectors (no mini stream).
  constexpr uint32_t kEnd = 0xFFFFFFFE, kFatSector = 0xFFFFFFFD, kFree = 0xFFFFFFFF;
  constexpr uint32_t kInfoStart = 2, kInfoSectors = 8, kPackageStart = 10, kPackageSectors = 16;
  std::string header = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
  header.resize(24, '\0');  // + CLSID
  PutLe16(header, 0x003E);  // minor version
  PutLe16(header, 0x0003);  // major version 3
  PutLe16(header, 0xFFFE);  // byte order
  PutLe16(header, 9);       // 512-byte sectors
  PutLe16(header, 6);       // 64-byte mini sectors
  header.resize(0x2C, '\0');
  PutLe32(header, 1);       // FAT sectors
  PutLe32(header, 1);       // first directory sector
  PutLe32(header, 0);       // transaction signature
  PutLe32(header, 0x1000);  // mini stream cutoff
  PutLe32(header, kEnd);    // first mini FAT sector
  PutLe32(header, 0);       // mini FAT sectors
  PutLe32(header, kEnd);    // first DIFAT sector
  PutLe32(header, 0);       // DIFAT sectors
  PutLe32(header, 0);       // DIFAT[0]: the FAT is sector 0
  while (header.size() < 512) PutLe32(header, kFree);

  std::string fat;
  PutLe32(fat, kFatSector);
  PutLe32(fat, kEnd);  // the directory: one sector
  for (uint32_t s = kInfoStart; s < kInfoStart + kInfoSectors; ++s) {
    PutLe32(fat, s + 1 < kInfoStart + kInfoSectors ? s + 1 : kEnd);
  }
  for (uint32_t s = kPackageStart; s < kPackageStart + kPackageSectors; ++s) {
    PutLe32(fat, s + 1 < kPackageStart + kPackageSectors ? s + 1 : kEnd);
  }
  while (fat.size() < 512) PutLe32(fat, kFree);

  std::string directory =
      DirectoryEntry("Root Entry", 5, 0xFFFFFFFF, 1, kEnd, 0) +
      DirectoryEntry("EncryptionInfo", 2, 2, 0xFFFFFFFF, kInfoStart, kInfoSectors * 512) +
      DirectoryEntry("EncryptedPackage", 2, 0xFFFFFFFF, 0xFFFFFFFF, kPackageStart,
                     kPackageSectors * 512) +
      DirectoryEntry("", 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0);

  // Agile encryption (version 4.4): a version header, then an XML descriptor.
  std::string info;
  PutLe16(info, 4);
  PutLe16(info, 4);
  PutLe32(info, 0x40);
  info += std::string(kXmlDecl) +
          "<encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\">"
          "<keyData saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" hashSize=\"64\" "
          "cipherAlgorithm=\"AES\" cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\" "
          "saltValue=\"AAAAAAAAAAAAAAAAAAAAAA==\"/></encryption>";
  info.resize(kInfoSectors * 512, '\0');
  std::string package;
  PutLe32(package, 6000);  // the size of the plaintext package
  PutLe32(package, 0);
  uint32_t state = 0x2545F491;
  while (package.size() < kPackageSectors * 512) {
    state = state * 1664525u + 1013904223u;  // pseudo-random bytes for the ciphertext
    package.push_back(static_cast<char>(state >> 24));
  }
  return header + fat + directory + info + package;
}

}  // namespace archivum::testing