#include "office/encrypted_ooxml.h"

#include <cstdint>
#include <cstring>
#include <optional>

namespace archivum::bundled::office {
namespace {

constexpr char kSignature[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
constexpr size_t kHeaderSize = 512;
constexpr size_t kEntrySize = 128;
constexpr uint32_t kLastRegularSector = 0xFFFFFFFA;  // larger values mark chain ends and the like
constexpr size_t kHeaderDifatEntries = 109;

uint32_t Le32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 4; i > 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i - 1]);
  return v;
}

uint16_t Le16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) |
                               (static_cast<uint8_t>(b[at + 1]) << 8));
}

class CompoundFile {
 public:
  explicit CompoundFile(std::string_view bytes) : b_(bytes) {}

  bool Init() {
    if (!IsCompoundFile(b_) || b_.size() < kHeaderSize) return false;
    const uint16_t shift = Le16(b_, 0x1E);
    if (shift != 9 && shift != 12) return false;
    sector_size_ = size_t{1} << shift;
    first_directory_ = Le32(b_, 0x30);
    first_difat_ = Le32(b_, 0x44);
    return true;
  }

  uint32_t first_directory() const { return first_directory_; }
  size_t sector_size() const { return sector_size_; }

  // The bytes of sector `n`, or nullopt if it lies outside the file.
  std::optional<std::string_view> Sector(uint32_t n) const {
    if (n > kLastRegularSector) return std::nullopt;
    const uint64_t at = (uint64_t{n} + 1) * sector_size_;
    if (at > b_.size() || b_.size() - at < sector_size_) return std::nullopt;
    return b_.substr(static_cast<size_t>(at), sector_size_);
  }

  // The FAT entry of sector `n`: the next sector of its chain.
  std::optional<uint32_t> Next(uint32_t n) const {
    const size_t per_sector = sector_size_ / 4;
    const std::optional<uint32_t> fat_sector = FatSector(n / per_sector);
    if (!fat_sector) return std::nullopt;
    const std::optional<std::string_view> fat = Sector(*fat_sector);
    if (!fat) return std::nullopt;
    return Le32(*fat, (n % per_sector) * 4);
  }

 private:
  // Where the `i`-th sector of the FAT is: the header lists the first 109, DIFAT sectors the rest
  // (each holds sector_size / 4 - 1 locations and the next DIFAT sector).
  std::optional<uint32_t> FatSector(uint64_t i) const {
    if (i < kHeaderDifatEntries) return Le32(b_, 0x4C + static_cast<size_t>(i) * 4);
    i -= kHeaderDifatEntries;
    const size_t per_difat = sector_size_ / 4 - 1;
    uint32_t difat = first_difat_;
    for (size_t hops = 0; hops < kMaxDirectorySectors; ++hops) {
      const std::optional<std::string_view> sector = Sector(difat);
      if (!sector) return std::nullopt;
      if (i < per_difat) return Le32(*sector, static_cast<size_t>(i) * 4);
      i -= per_difat;
      difat = Le32(*sector, per_difat * 4);
    }
    return std::nullopt;
  }

  std::string_view b_;
  size_t sector_size_ = 512;
  uint32_t first_directory_ = 0;
  uint32_t first_difat_ = 0;
};

// Whether the directory entry `entry` names the stream `name` (ASCII, stored as UTF-16LE).
bool Names(std::string_view entry, std::string_view name) {
  const size_t length = Le16(entry, 0x40);  // in bytes, with the terminating NUL
  if (length != (name.size() + 1) * 2 || entry[0x42] != 2) return false;  // 2: a stream
  for (size_t i = 0; i < name.size(); ++i) {
    if (entry[2 * i] != name[i] || entry[2 * i + 1] != '\0') return false;
  }
  return true;
}

}  // namespace

bool IsCompoundFile(std::string_view bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kSignature, 8) == 0;
}

bool IsEncryptedOoxml(std::string_view bytes) {
  CompoundFile file(bytes);
  if (!file.Init()) return false;
  bool info = false;
  bool package = false;
  uint32_t sector = file.first_directory();
  for (size_t visited = 0; visited < kMaxDirectorySectors; ++visited) {
    const std::optional<std::string_view> data = file.Sector(sector);
    if (!data) break;
    for (size_t at = 0; at + kEntrySize <= data->size(); at += kEntrySize) {
      const std::string_view entry = data->substr(at, kEntrySize);
      info = info || Names(entry, "EncryptionInfo");
      package = package || Names(entry, "EncryptedPackage");
    }
    if (info && package) return true;
    const std::optional<uint32_t> next = file.Next(sector);
    if (!next) break;
    sector = *next;
  }
  return false;
}

}  // namespace archivum::bundled::office
