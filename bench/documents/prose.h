// Deterministic text for the generated document corpus: a seeded random source, prose made of
// common English words with a Zipf-like frequency (a few words very often, most rarely, as in
// real text), and the unique marker words that the recall measurement looks for.
//
// Thread safety: none of these classes is safe for concurrent use; the functions are reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace archivum::bench {

// SplitMix64: the same sequence for a seed on every platform and standard library (the std::
// distributions are implementation-defined, so a corpus made with them could differ between two
// machines).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next();
  // Uniform in [0, n); n must be > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi]; lo <= hi.
  int Between(int lo, int hi);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double p) { return Unit() < p; }
  // In [lo, hi] with a log-uniform distribution: as many values in [1, 10] as in [10, 100].
  int LogBetween(int lo, int hi);

  template <class T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

// Sentences and paragraphs of plausible business prose (the words are ASCII, so every format's
// encoding can carry them, PDF's WinAnsiEncoding included). Borrows `rng`, which must outlive it.
class Prose {
 public:
  explicit Prose(Rng& rng) : rng_(rng) {}

  // A capitalized sentence ending in a period: one or two clauses (subject, verb, object and
  // prepositional phrases), now and then with a person's name, an amount or a date.
  std::string Sentence();
  // `sentences` sentences joined by spaces.
  std::string Paragraph(int sentences);
  // Paragraphs of 2 to 7 sentences, at least `words` words in all.
  std::vector<std::string> Paragraphs(size_t words);
  // A title of 1 to 3 capitalized words ("Revised Supplier Agreement").
  std::string Title();
  // "Firstname Lastname".
  std::string PersonName();
  // A file-name stem such as "quarterly-review" (lower case, hyphenated).
  std::string Stem();
  // An amount, a percentage, a count or a date ("12.5%", "EUR 4200", "3 March 2021").
  std::string Figure();

 private:
  std::string NounPhrase();
  std::string Clause();

  Rng& rng_;
};

// Marker words: "zq" followed by 6 lower-case letters, each handed out once. No English word
// starts with "zq", so a marker matches only the document it was put in.
class MarkerSource {
 public:
  explicit MarkerSource(Rng& rng) : rng_(rng) {}
  std::string Next();

 private:
  Rng& rng_;
  std::unordered_set<std::string> used_;
};

// Inserts each marker as a word of `paragraphs`, spread from the first paragraph to the last
// (with three markers: one in the first, one in the middle one and one in the last), each at a
// random word boundary. `paragraphs` must not be empty.
void Sprinkle(std::vector<std::string>& paragraphs, const std::vector<std::string>& markers,
              Rng& rng);

// `paragraph` broken at spaces into lines of at most `width` characters (a longer word gets a
// line of its own).
std::vector<std::string> Wrap(std::string_view paragraph, size_t width);

// Number of space-separated words in `text`.
size_t CountWords(std::string_view text);

}  // namespace archivum::bench
