// How the catalog compares words: the folding its full-text tokenizer (tokenizer.h) applies to
// every word, in indexed text and in queries alike, so that case, compatibility forms and the
// diacritics of Latin, Greek and Cyrillic letters never decide whether a word matches.
//
//   1. NFKC_Casefold (ICU): compatibility forms are replaced (the ligature "ﬁ" by "fi", fullwidth
//      "Ａ" by "a", halfwidth "ｶ" by "カ"), case is folded fully ("Straße" and "STRASSE" both
//      become "strasse", "MÜNCHEN" becomes "münchen"), and default-ignorable characters (soft
//      hyphens, zero-width joiners) are dropped.
//   2. Diacritics are removed: canonical decomposition (NFD), then every combining mark of the
//      blocks Latin, Greek and Cyrillic letters decompose into (U+0300-036F, U+1AB0-1AFF,
//      U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) is dropped, then the rest is composed again (NFC),
//      so "München" becomes "munchen" and "Ελλάδα" becomes "ελλαδα". Marks of other scripts are
//      kept because they tell words apart there: Japanese voicing marks (が is not か), Indic vowel
//      signs, Hebrew and Arabic points.
//   ASCII skips ICU: lower-casing is what the steps above do to it. So do the letters of
//   Latin-1, Latin Extended, Greek and Cyrillic (U+0080-04FF): their folds are computed once,
//   with ICU, into a table.
//
// Thread safety: a WordFolder belongs to one thread at a time (it reuses buffers); the ICU data
// behind every folder is shared and immutable.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::store::sqlite {

class WordFolder {
 public:
  // OK when the ICU normalization data the folding needs is available; INTERNAL otherwise.
  static Status CheckAvailable();

  // Appends the folded form of `word` to *out and returns true. `word` must be well-formed
  // UTF-8. A word of ignorable characters and diacritics alone folds to nothing (nothing is
  // appended). False (with *out unchanged) only when ICU fails, e.g. its data is missing or
  // memory is exhausted.
  bool Append(std::string_view word, std::string* out);

  // The same result as Append, always computed by ICU (no table): the reference Append's table
  // is built from and checked against.
  bool AppendByIcu(std::string_view word, std::string* out);

 private:
  // UTF-16 working buffers, grown as needed and kept for the next word.
  std::u16string a_;
  std::u16string b_;
};

}  // namespace archivum::store::sqlite
