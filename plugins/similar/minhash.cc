#include "similar/minhash.h"

#include <algorithm>
#include <limits>
#include <string>

namespace archivum::bundled::similar {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // 2^64 / phi, SplitMix64's increment
constexpr uint64_t kSeedBase = 0x5EED0F5EED0F5EEDull;
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

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) continue;
    std::string word(text.substr(start, i - start));
    for (char& c : word) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    words.push_back(std::move(word));
  }
  return words;
}

MinHasher::MinHasher(int num_hashes, int shingle) : shingle_(std::max(shingle, 1)) {
  uint64_t state = kSeedBase;
  seeds_.resize(static_cast<size_t>(std::max(num_hashes, 1)));
  for (uint64_t& seed : seeds_) {
    state += kGolden;
    seed = Mix64(state);
  }
}

std::optional<MinHashResult> MinHasher::Compute(std::string_view text,
                                                const std::function<bool()>& cancelled) const {
  const std::vector<std::string> words = Words(text);
  if (words.empty()) return std::nullopt;
  std::vector<uint64_t> word_hashes;
  word_hashes.reserve(words.size());
  for (const std::string& word : words) word_hashes.push_back(Hash64(word, kSeedBase));

  MinHashResult result;
  result.signature.assign(seeds_.size(), std::numeric_limits<uint64_t>::max());
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
    for (size_t h = 0; h < seeds_.size(); ++h) {
      result.signature[h] = std::min(result.signature[h], Mix64(shingle ^ seeds_[h]));
    }
  }
  result.shingles = positions;
  return result;
}

double MinHasher::Estimate(const Signature& a, const Signature& b) {
  if (a.empty() || a.size() != b.size()) return 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

}  // namespace archivum::bundled::similar
