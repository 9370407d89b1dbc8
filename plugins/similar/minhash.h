// MinHash signatures over word shingles, for near-duplicate detection in the `similar` plugin.
//
// A document becomes the set of its word n-grams ("shingles"); its signature has num_hashes
// slots, and the fraction of slots in which two signatures agree estimates the Jaccard
// similarity of the two shingle sets (standard error about 1/sqrt(num_hashes): ±0.09 at 128).
//
// The signature is a one-permutation MinHash (Li, Owen & Zhang 2012): every shingle is hashed
// once, the hash picks one of num_hashes bins and each bin keeps its minimum hash, so the cost
// is one hash per shingle instead of num_hashes. Bins that no shingle fell into are filled by
// rotation densification (Shrivastava & Li 2014): an empty bin takes the value of the nearest
// non-empty bin to its right (circularly) mixed with the distance, which keeps the agreement
// probability of a slot equal to the Jaccard similarity for documents of any length.
//
// Words are maximal runs of ASCII letters and digits and of non-ASCII bytes (so words in any
// script stay whole); ASCII letters are folded to lowercase, everything else is kept as is.
// The hashes are this file's own (a 64-bit multiply-xorshift mixer in the style of SplitMix64)
// and are part of the stored format: kAlgorithmVersion must change whenever they do.
//
// Thread safety: MinHasher is immutable after construction; its methods are safe to call
// concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::bundled::similar {

// Identifies the hash functions, tokenizer and signature scheme; stored with signatures so that
// incompatible ones are never compared. 1: num_hashes seeded hashes per shingle; 2: one-permutation
// hashing with rotation densification.
inline constexpr int kAlgorithmVersion = 2;

using Signature = std::vector<uint64_t>;

// The 64-bit finalizer of SplitMix64: a bijective mixer with good avalanche.
uint64_t Mix64(uint64_t x);

// A seeded 64-bit hash of a byte string (8 bytes at a time through Mix64).
uint64_t Hash64(std::string_view bytes, uint64_t seed);

// The words of `text` as defined above, lowercased (ASCII only).
std::vector<std::string> Words(std::string_view text);

struct MinHashResult {
  Signature signature;    // num_hashes slots
  uint64_t shingles = 0;  // shingle positions hashed (a document shorter than one shingle has 1)
};

class MinHasher {
 public:
  // num_hashes >= 1, shingle >= 1 (validated by the caller's config parsing).
  MinHasher(int num_hashes, int shingle);

  // The signature of `text`, or std::nullopt if it has no words or `cancelled` returned true
  // (it is polled every few thousand shingles).
  std::optional<MinHashResult> Compute(std::string_view text,
                                       const std::function<bool()>& cancelled) const;

  int num_hashes() const { return num_hashes_; }
  int shingle() const { return shingle_; }

  // The Jaccard estimate: the fraction of equal slots. 0 if the sizes differ or are 0.
  static double Estimate(const Signature& a, const Signature& b);

 private:
  int num_hashes_;
  int shingle_;
};

}  // namespace archivum::bundled::similar
