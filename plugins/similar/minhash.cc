#include "similar/minhash.h"

#include <algorithm>
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

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// Up to 8 bytes as a little-endian number, so hashes are the same on every machine.
uint64_t LoadLittleEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t k = 0; k < bytes.size() && k < 8; ++k) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[k])) << (8 * k);
  }
  return value;
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
  // One hash per word; the folded copy reuses one buffer.
  std::vector<uint64_t> word_hashes;
  word_hashes.reserve(text.size() / 6 + 1);
  std::string folded;
  ForEachWord(text, [&](std::string_view word) {
    FoldAsciiInto(word, &folded);
    word_hashes.push_back(Hash64(folded, kSeedBase));
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
