#include "similar/minhash.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <string>

namespace archivum::bundled::similar {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // 2^64 / phi, SplitMix64's increment
constexpr uint64_t kSeedBase = 0x5EED0F5EED0F5EEDull;
// Seeds the one hash that places a shingle in a bin and ranks it there.
constexpr uint64_t kBinSeed = 0x0BE9E12A7E5EED02ull;
// Mixed with the distance when an empty bin borrows a neighbour's value.
constexpr uint64_t kRotationSeed = 0x207A7E0D15A9CE00ull;
constexpr size_t kPollEvery = 4096;  // shingles between cancellation checks

// Which bytes belong to words: ASCII letters and digits, and every non-ASCII byte.
constexpr std::array<bool, 256> kWordByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
  }
  return table;
}();

bool IsWordByte(unsigned char c) {
  return kWordByte[c];
}

// Up to 8 bytes as a little-endian number (missing bytes are zero), so hashes are the same on
// every machine.
uint64_t LoadLittleEndian(std::string_view bytes) {
  const size_t n = std::min<size_t>(bytes.size(), 8);
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t value = 0;
    if (n > 0) std::memcpy(&value, bytes.data(), n);  // data() may be null when empty
    return value;
  } else {
    uint64_t value = 0;
    for (size_t k = 0; k < n; ++k) {
      value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[k])) << (8 * k);
    }
    return value;
  }
}

// `value` (8 bytes as loaded above) with every byte in 'A'..'Z' turned into its lowercase
// letter and every other byte unchanged: FoldAsciiInto's folding, eight bytes at a time.
uint64_t FoldAscii8(uint64_t value) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t low7 = value & ~kHigh;               // each byte's low 7 bits: no carries below
  const uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;  // high bit set where low7 >= 'A'
  const uint64_t gt_z = low7 + (0x7F - 'Z') * kOnes;  // high bit set where low7 > 'Z'
  const uint64_t upper = (ge_a & ~gt_z & ~value) & kHigh;  // ...and the byte itself is ASCII
  return value | (upper >> 2);                             // 0x80 >> 2 == 0x20: 'A' -> 'a'
}

}  // namespace

uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  uint64_t h = Mix64(seed ^ (bytes.size() * kGolden));
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    h = Mix64(h ^ LoadLittleEndian(bytes.substr(i, 8))) + kGolden;
  }
  return Mix64(h ^ LoadLittleEndian(bytes.substr(i)));
}

namespace {

// The last 1-7 bytes of a word (`tail`, which ends at or before `end`) as LoadLittleEndian reads
// them. When 8 bytes from the tail's start lie in the buffer, one 8-byte load with the extra
// bytes masked off replaces a variable-length copy through memory (whose read-back after
// byte-wise stores stalls).
uint64_t LoadTail(std::string_view tail, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    if (tail.size() < 8 && end - tail.data() >= 8) {
      uint64_t value;
      std::memcpy(&value, tail.data(), 8);
      return tail.empty() ? 0 : value & (~uint64_t{0} >> (64 - 8 * tail.size()));
    }
  }
  uint64_t value = 0;
  for (size_t k = 0; k < tail.size() && k < 8; ++k) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(tail[k])) << (8 * k);
  }
  return value;
}

// Hash64(folded, seed) where `folded` is `word` with ASCII letters lowercased (FoldAsciiInto),
// without building the folded copy: folding commutes with the little-endian loads. `end` is the
// end of the buffer `word` lies in (bytes up to it may be read, not used).
uint64_t FoldedHash64(std::string_view word, const char* end, uint64_t seed) {
  uint64_t h = Mix64(seed ^ (word.size() * kGolden));
  size_t i = 0;
  for (; i + 8 <= word.size(); i += 8) {
    h = Mix64(h ^ FoldAscii8(LoadLittleEndian(word.substr(i, 8)))) + kGolden;
  }
  return Mix64(h ^ FoldAscii8(LoadTail(word.substr(i), end)));
}

// Calls visit(word) for each word of `text` (see Words()), before case folding.
template <typename Visit>
void ForEachWord(std::string_view text, Visit&& visit) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i != start) visit(text.substr(start, i - start));
  }
}

void FoldAsciiInto(std::string_view word, std::string* out) {
  out->assign(word);
  for (char& c : *out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  ForEachWord(text, [&](std::string_view word) {
    words.emplace_back();
    FoldAsciiInto(word, &words.back());
  });
  return words;
}

MinHasher::MinHasher(int num_hashes, int shingle)
    : num_hashes_(std::max(num_hashes, 1)), shingle_(std::max(shingle, 1)) {}

std::optional<MinHashResult> MinHasher::Compute(std::string_view text,
                                                const std::function<bool()>& cancelled) const {
  // One hash per word, of its folded form (computed without copying the word).
  std::vector<uint64_t> word_hashes;
  word_hashes.reserve(text.size() / 6 + 1);
  const char* const end = text.data() + text.size();
  ForEachWord(text, [&](std::string_view word) {
    word_hashes.push_back(FoldedHash64(word, end, kSeedBase));
  });
  if (word_hashes.empty()) return std::nullopt;

  const size_t bins = static_cast<size_t>(num_hashes_);
  constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();
  MinHashResult result;
  result.signature.assign(bins, kEmpty);
  const size_t n = static_cast<size_t>(shingle_);
  // A document shorter than one shingle is one shingle of all its words.
  const size_t positions = word_hashes.size() >= n ? word_hashes.size() - n + 1 : 1;
  for (size_t pos = 0; pos < positions; ++pos) {
    if (pos % kPollEvery == 0 && cancelled && cancelled()) return std::nullopt;
    // Order-sensitive combination of the shingle's word hashes.
    uint64_t shingle = kGolden;
    for (size_t k = pos; k < std::min(pos + n, word_hashes.size()); ++k) {
      shingle = Mix64(shingle ^ word_hashes[k]) + kGolden;
    }
    const uint64_t h = Mix64(shingle ^ kBinSeed);
    // The high 32 bits choose the bin (multiply-shift range reduction, no modulo bias worth
    // noting for bins <= 1024); the whole hash ranks the shingle within its bin. kEmpty is
    // reserved: a real hash of all ones counts as one less.
    const size_t bin = static_cast<size_t>(((h >> 32) * bins) >> 32);
    const uint64_t value = h == kEmpty ? kEmpty - 1 : h;
    result.signature[bin] = std::min(result.signature[bin], value);
  }
  result.shingles = positions;

  // Rotation densification: walk leftwards from a non-empty bin so the nearest non-empty bin
  // to the right of each empty one is known. At least one bin is non-empty (positions >= 1).
  size_t anchor = 0;
  while (result.signature[anchor] == kEmpty) ++anchor;
  uint64_t donor = result.signature[anchor];
  uint64_t distance = 0;
  for (size_t step = 1; step < bins; ++step) {
    const size_t j = (anchor + bins - step) % bins;
    if (result.signature[j] != kEmpty) {
      donor = result.signature[j];
      distance = 0;
      continue;
    }
    ++distance;
    // Empty bins are filled only after the walk passes them, so `donor` is always a value the
    // document's own shingles produced (never another filled bin).
    result.signature[j] = Mix64(donor ^ Mix64(kRotationSeed + distance));
  }
  return result;
}

double MinHasher::Estimate(const Signature& a, const Signature& b) {
  if (a.empty() || a.size() != b.size()) return 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

}  // namespace archivum::bundled::similar
