#include "similar/minhash.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets use the SWAR fallback below
#endif

namespace archivum::bundled::similar {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // 2^64 / phi, SplitMix64's increment
constexpr uint64_t kSeedBase = 0x5EED0F5EED0F5EEDull;
// Seeds the one hash that places a shingle in a bin and ranks it there.
constexpr uint64_t kBinSeed = 0x0BE9E12A7E5EED02ull;
// Mixed with the distance when an empty bin borrows a neighbour's value.
constexpr uint64_t kRotationSeed = 0x207A7E0D15A9CE00ull;
constexpr size_t kPollEvery = 4096;  // shingles between cancellation checks

// Mix64's body, for this file's hot loops and compile-time tables. The exported Mix64 is not
// inlined into them: built with -fPIC it may be interposed, so the compiler has to call it.
constexpr uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
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
  return Mix(x);
}

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  uint64_t h = Mix(seed ^ (bytes.size() * kGolden));
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    h = Mix(h ^ LoadLittleEndian(bytes.substr(i, 8))) + kGolden;
  }
  return Mix(h ^ LoadLittleEndian(bytes.substr(i)));
}

namespace {

// Hash64's first step for a word of `size` bytes, Mix(kSeedBase ^ size * kGolden), depends on the
// size only: a table for the common sizes saves one of the two mixes most words cost.
constexpr std::array<uint64_t, 64> kWordSeeds = [] {
  std::array<uint64_t, 64> seeds{};
  for (size_t size = 0; size < seeds.size(); ++size) {
    seeds[size] = Mix(kSeedBase ^ (size * kGolden));
  }
  return seeds;
}();

// Mix(kRotationSeed + distance) for densification, likewise a function of the distance only
// (bins <= 1024 as configured; longer distances are computed).
constexpr std::array<uint64_t, 1024> kRotations = [] {
  std::array<uint64_t, 1024> rotations{};
  for (size_t distance = 0; distance < rotations.size(); ++distance) {
    rotations[distance] = Mix(kRotationSeed + distance);
  }
  return rotations;
}();

// The first `size` (0-7) bytes at `p`, which ends at or before `end`, as LoadLittleEndian reads
// them. When 8 bytes from `p` lie in the buffer, one 8-byte load with the extra bytes masked off
// replaces a variable-length copy through memory (whose read-back after byte-wise stores stalls).
uint64_t LoadTail(const char* p, size_t size, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    if (end - p >= 8) {
      uint64_t value;
      std::memcpy(&value, p, 8);
      return value & ((uint64_t{1} << (8 * size)) - 1);  // keeps the low `size` bytes
    }
  }
  uint64_t value = 0;
  for (size_t k = 0; k < size; ++k) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
  }
  return value;
}

// Hash64(folded, kSeedBase) where `folded` is `word` with ASCII letters lowercased
// (FoldAsciiInto), without building the folded copy: folding commutes with the little-endian
// loads. `end` is the end of the buffer `word` lies in (bytes up to it may be read, not used).
// Words of 8 bytes or more take this out-of-line path; WordHash handles the shorter ones.
uint64_t LongWordHash(std::string_view word, const char* end) {
  size_t size = word.size();
  const char* p = word.data();
  uint64_t h = size < kWordSeeds.size() ? kWordSeeds[size] : Mix(kSeedBase ^ (size * kGolden));
  for (; size >= 8; size -= 8, p += 8) {
    h = Mix(h ^ FoldAscii8(LoadLittleEndian(std::string_view(p, 8)))) + kGolden;
  }
  return Mix(h ^ FoldAscii8(LoadTail(p, size, end)));
}

// LongWordHash for any word. Most words are shorter than 8 bytes, one mix each; this is small
// enough to be inlined into the scan, which saves a call (and its register spills) per word.
uint64_t WordHash(std::string_view word, const char* end) {
  if (word.size() >= 8) return LongWordHash(word, end);
  return Mix(kWordSeeds[word.size()] ^ FoldAscii8(LoadTail(word.data(), word.size(), end)));
}

// Words are found 64 bytes at a time: WordMask64 sets bit k for each word byte p[k] (ASCII
// letters and digits, and every byte >= 0x80), and the word boundaries are where adjacent bits
// differ. That replaces a byte-by-byte scan, which mispredicts a branch at about every word end.
#if defined(__SSE2__)

// The word bytes among the 16 at `p`, one bit each. SSE2 compares bytes as signed, which suits
// the definition: bytes >= 0x80 are negative, fail both range tests and are taken by their own
// sign bit, which _mm_movemask_epi8 collects along with the compares' 0xFF results.
uint64_t WordMask16(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(bytes, _mm_set1_epi8('9' + 1)));
  // Setting bit 5 maps 'A'..'Z' onto 'a'..'z' and no other byte into that range.
  const __m128i lower = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
  const __m128i word = _mm_or_si128(_mm_or_si128(digit, letter), bytes);
  return static_cast<uint16_t>(_mm_movemask_epi8(word));
}

uint64_t WordMask64(const char* p) {
  return WordMask16(p) | WordMask16(p + 16) << 16 | WordMask16(p + 32) << 32 |
         WordMask16(p + 48) << 48;
}

#else  // Portable SWAR: eight bytes per uint64_t.

// The word bytes among the 8 in `value` (loaded as above), one bit each. The range tests work
// like FoldAscii8's on the low 7 bits of each byte; the high bit of a byte >= 0x80 is kept.
uint64_t WordMask8(uint64_t value) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t low7 = value & ~kHigh;
  const uint64_t digit = (low7 + (0x80 - '0') * kOnes) & ~(low7 + (0x7F - '9') * kOnes);
  const uint64_t lower = low7 | 0x20 * kOnes;  // as in WordMask16: 'A'..'Z' onto 'a'..'z'
  const uint64_t letter = (lower + (0x80 - 'a') * kOnes) & ~(lower + (0x7F - 'z') * kOnes);
  const uint64_t word = (value | digit | letter) & kHigh;
  // The multiply moves the flag of byte k (bit 8k after the shift) to bit 56 + k; no two
  // partial products meet, so nothing carries into the top byte.
  return ((word >> 7) * 0x0102040810204080ull) >> 56;
}

uint64_t WordMask64(const char* p) {
  uint64_t mask = 0;
  for (int k = 0; k < 8; ++k) {
    mask |= WordMask8(LoadLittleEndian(std::string_view(p + 8 * k, 8))) << (8 * k);
  }
  return mask;
}

#endif

// Calls visit(word) for each word of `text` (see Words()), before case folding.
template <typename Visit>
void ForEachWord(std::string_view text, Visit&& visit) {
  const char* const data = text.data();
  const size_t size = text.size();
  size_t open_start = 0;  // where the word running into the current block began
  uint64_t carry = 0;     // 1 if the previous block ended inside a word
  for (size_t base = 0; base < size; base += 64) {
    uint64_t mask;
    if (size - base >= 64) {
      mask = WordMask64(data + base);
    } else {
      // The last, partial block, padded with separators (so a word ending here is closed).
      char block[64] = {};
      std::memcpy(block, data + base, size - base);
      mask = WordMask64(block);
    }
    // Bit k of `before` is the class of the byte before byte k: starts are word bytes after a
    // separator, ends are separators after a word byte. The i-th end closes the i-th start,
    // after the first end has closed the word left open by the previous block, if any.
    const uint64_t before = mask << 1 | carry;
    uint64_t starts = mask & ~before;
    uint64_t ends = ~mask & before;
    if (carry != 0 && ends != 0) {
      const size_t end = base + static_cast<size_t>(std::countr_zero(ends));
      visit(text.substr(open_start, end - open_start));
      ends &= ends - 1;
    }
    while (ends != 0) {
      const size_t start = base + static_cast<size_t>(std::countr_zero(starts));
      const size_t end = base + static_cast<size_t>(std::countr_zero(ends));
      visit(text.substr(start, end - start));
      starts &= starts - 1;
      ends &= ends - 1;
    }
    // A start left over is a word running into the next block (there is at most one).
    if (starts != 0) open_start = base + static_cast<size_t>(std::countr_zero(starts));
    carry = mask >> 63;
  }
  // Only a text of whole blocks can end inside a word (a partial block ends with padding).
  if (carry != 0) visit(text.substr(open_start));
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
  ForEachWord(text, [&](std::string_view word) { word_hashes.push_back(WordHash(word, end)); });
  if (word_hashes.empty()) return std::nullopt;

  const size_t bins = static_cast<size_t>(num_hashes_);
  constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();
  MinHashResult result;
  result.signature.assign(bins, kEmpty);
  uint64_t* const signature = result.signature.data();
  // Puts the shingle whose combined hash is `shingle` into its bin.
  const auto add = [&](uint64_t shingle) {
    const uint64_t h = Mix(shingle ^ kBinSeed);
    // The high 32 bits choose the bin (multiply-shift range reduction, no modulo bias worth
    // noting for bins <= 1024); the whole hash ranks the shingle within its bin. kEmpty is
    // reserved: a real hash of all ones counts as one less.
    const size_t bin = static_cast<size_t>(((h >> 32) * bins) >> 32);
    const uint64_t value = h == kEmpty ? kEmpty - 1 : h;
    signature[bin] = std::min(signature[bin], value);
  };
  // Order-sensitive combination of a shingle's word hashes, continued from `shingle`.
  const auto combine = [](uint64_t shingle, uint64_t word_hash) {
    return Mix(shingle ^ word_hash) + kGolden;
  };

  const uint64_t* const words = word_hashes.data();
  const size_t n = static_cast<size_t>(shingle_);
  size_t positions;
  if (word_hashes.size() < n) {
    // A document shorter than one shingle is one shingle of all its words.
    if (cancelled && cancelled()) return std::nullopt;
    positions = 1;
    uint64_t shingle = kGolden;
    for (size_t k = 0; k < word_hashes.size(); ++k) shingle = combine(shingle, words[k]);
    add(shingle);
  } else {
    positions = word_hashes.size() - n + 1;
    // Each shingle is a chain of n + 1 dependent mixes (two multiplies each), so computed one at
    // a time the CPU mostly waits for the previous multiply. The shingles of kLanes consecutive
    // positions side by side are independent chains the CPU overlaps (8: the fastest of 4, 8 and
    // 16 on x86-64).
    constexpr size_t kLanes = 8;
    static_assert(kPollEvery % kLanes == 0, "polls must fall on the first position of a group");
    size_t pos = 0;
    for (; pos + kLanes <= positions; pos += kLanes) {
      if (pos % kPollEvery == 0 && cancelled && cancelled()) return std::nullopt;
      uint64_t lane[kLanes];
      for (uint64_t& shingle : lane) shingle = kGolden;
      for (size_t k = 0; k < n; ++k) {
        for (size_t i = 0; i < kLanes; ++i) lane[i] = combine(lane[i], words[pos + i + k]);
      }
      // Taking each bin's minimum is order-independent, so the grouping cannot change a result.
      for (const uint64_t shingle : lane) add(shingle);
    }
    for (; pos < positions; ++pos) {
      if (pos % kPollEvery == 0 && cancelled && cancelled()) return std::nullopt;
      uint64_t shingle = kGolden;
      for (size_t k = pos; k < pos + n; ++k) shingle = combine(shingle, words[k]);
      add(shingle);
    }
  }
  result.shingles = positions;

  // Rotation densification: walk leftwards from a non-empty bin so the nearest non-empty bin
  // to the right of each empty one is known. At least one bin is non-empty (positions >= 1).
  size_t anchor = 0;
  while (signature[anchor] == kEmpty) ++anchor;
  uint64_t donor = signature[anchor];
  size_t distance = 0;
  size_t j = anchor;
  for (size_t step = 1; step < bins; ++step) {
    j = (j == 0 ? bins : j) - 1;  // (anchor - step) mod bins, without a division per bin
    if (signature[j] != kEmpty) {
      donor = signature[j];
      distance = 0;
      continue;
    }
    ++distance;
    // Empty bins are filled only after the walk passes them, so `donor` is always a value the
    // document's own shingles produced (never another filled bin).
    const uint64_t rotation =
        distance < kRotations.size() ? kRotations[distance] : Mix(kRotationSeed + distance);
    signature[j] = Mix(donor ^ rotation);
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
