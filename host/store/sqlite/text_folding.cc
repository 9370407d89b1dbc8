#include "store/sqlite/text_folding.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace archivum::store::sqlite {
namespace {

// ICU's normalizers are process-wide singletons owned by ICU; null when its data is missing.
const UNormalizer2* Normalizer(const UNormalizer2* (*get)(UErrorCode*)) {
  UErrorCode error = U_ZERO_ERROR;
  const UNormalizer2* n = get(&error);
  return U_SUCCESS(error) ? n : nullptr;
}

const UNormalizer2* NfkcCasefold() {
  static const UNormalizer2* const n = Normalizer(unorm2_getNFKCCasefoldInstance);
  return n;
}

const UNormalizer2* Nfd() {
  static const UNormalizer2* const n = Normalizer(unorm2_getNFDInstance);
  return n;
}

const UNormalizer2* Nfc() {
  static const UNormalizer2* const n = Normalizer(unorm2_getNFCInstance);
  return n;
}

// The combining marks Latin, Greek and Cyrillic letters decompose into (all in the BMP).
bool IsDiacritic(char16_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

// Runs `fill(buffer, capacity, &error)`, an ICU function that returns the length its result
// needs, into *buffer, growing the buffer once when it is too small. The result's length, or -1
// when ICU fails.
template <typename Fill>
int32_t Run(std::u16string* buffer, Fill fill) {
  constexpr size_t kInitialUnits = 256;
  if (buffer->size() < kInitialUnits) buffer->resize(kInitialUnits);
  UErrorCode error = U_ZERO_ERROR;
  int32_t n = fill(buffer->data(), static_cast<int32_t>(buffer->size()), &error);
  if (error == U_BUFFER_OVERFLOW_ERROR && n > 0) {
    buffer->resize(static_cast<size_t>(n));
    error = U_ZERO_ERROR;
    n = fill(buffer->data(), n, &error);
  }
  return U_SUCCESS(error) ? n : -1;
}

// The folding of text_folding.h through ICU, with `a` and `b` as UTF-16 working buffers.
bool FoldWithIcu(std::string_view word, std::u16string* a, std::u16string* b, std::string* out) {
  const UNormalizer2* nfkc_cf = NfkcCasefold();
  const UNormalizer2* nfd = Nfd();
  const UNormalizer2* nfc = Nfc();
  if (nfkc_cf == nullptr || nfd == nullptr || nfc == nullptr) return false;
  if (word.empty()) return true;

  const int32_t utf16 = Run(a, [&](char16_t* dst, int32_t capacity, UErrorCode* error) {
    int32_t length = 0;
    u_strFromUTF8(dst, capacity, &length, word.data(), static_cast<int32_t>(word.size()), error);
    return length;
  });
  if (utf16 < 0) return false;
  const int32_t folded = Run(b, [&](char16_t* dst, int32_t capacity, UErrorCode* error) {
    return unorm2_normalize(nfkc_cf, a->data(), utf16, dst, capacity, error);
  });
  if (folded < 0) return false;

  const char16_t* result = b->data();
  int32_t length = folded;
  // Nothing below U+00C0 has a canonical decomposition: such words skip the diacritics pass.
  bool decomposable = false;
  for (int32_t i = 0; i < folded && !decomposable; ++i) decomposable = (*b)[i] >= 0xC0;
  if (decomposable) {
    const int32_t decomposed = Run(a, [&](char16_t* dst, int32_t capacity, UErrorCode* error) {
      return unorm2_normalize(nfd, b->data(), folded, dst, capacity, error);
    });
    if (decomposed < 0) return false;
    int32_t kept = 0;
    for (int32_t i = 0; i < decomposed; ++i) {
      if (!IsDiacritic((*a)[i])) (*a)[kept++] = (*a)[i];
    }
    // No diacritic removed: the NFKC_Casefold result is already composed.
    if (kept != decomposed) {
      length = Run(b, [&](char16_t* dst, int32_t capacity, UErrorCode* error) {
        return unorm2_normalize(nfc, a->data(), kept, dst, capacity, error);
      });
      if (length < 0) return false;
      result = b->data();
    }
  }
  if (length == 0) return true;

  // A UTF-16 unit becomes at most 3 bytes of UTF-8 (a surrogate pair, two units, 4 bytes).
  const size_t old_size = out->size();
  const int32_t capacity = length * 3;
  out->resize(old_size + static_cast<size_t>(capacity));
  UErrorCode error = U_ZERO_ERROR;
  int32_t bytes = 0;
  u_strToUTF8(out->data() + old_size, capacity, &bytes, result, length, &error);
  if (U_FAILURE(error)) {
    out->resize(old_size);
    return false;
  }
  out->resize(old_size + static_cast<size_t>(bytes));
  return true;
}

// Code points from U+0080 below this (Latin-1 Supplement, Latin Extended-A and B, IPA, spacing
// modifiers, combining diacritics, Greek, Cyrillic) fold through a table built once with
// FoldWithIcu, one character at a time.
constexpr UChar32 kTableEnd = 0x500;

struct TableEntry {
  // Whether the character folds on its own, whatever surrounds it in a word: a starter
  // (combining class 0) or a diacritic that folding drops. A base letter composes only with
  // marks, and the marks that survive folding are not in the table, so that words of ASCII and
  // table characters fold to the concatenation of their characters' folds (tests compare the
  // two on every character and on random words).
  bool simple = false;
  uint8_t size = 0;
  char bytes[14] = {};
};

using FoldTable = std::array<TableEntry, kTableEnd - 0x80>;

const FoldTable& Table() {
  static const FoldTable table = [] {
    FoldTable t{};
    std::u16string a;
    std::u16string b;
    for (UChar32 c = 0x80; c < kTableEnd; ++c) {
      if (u_getCombiningClass(c) != 0 && !IsDiacritic(static_cast<char16_t>(c))) continue;
      char utf8[4];
      int32_t length = 0;
      U8_APPEND_UNSAFE(utf8, length, c);
      std::string folded;
      if (!FoldWithIcu(std::string_view(utf8, static_cast<size_t>(length)), &a, &b, &folded)) {
        continue;
      }
      TableEntry& e = t[static_cast<size_t>(c - 0x80)];
      if (folded.size() > sizeof e.bytes) continue;
      e.simple = true;
      e.size = static_cast<uint8_t>(folded.size());
      std::copy(folded.begin(), folded.end(), e.bytes);
    }
    return t;
  }();
  return table;
}

}  // namespace

Status WordFolder::CheckAvailable() {
  if (NfkcCasefold() == nullptr || Nfd() == nullptr || Nfc() == nullptr) {
    return Internal("ICU's normalization data (NFKC_Casefold, NFD, NFC) is not available");
  }
  return Status::Ok();
}

bool WordFolder::Append(std::string_view word, std::string* out) {
  const FoldTable& table = Table();
  const auto* p = reinterpret_cast<const uint8_t*>(word.data());
  const auto n = static_cast<int32_t>(word.size());
  const size_t old_size = out->size();
  int32_t i = 0;
  while (i < n) {
    const uint8_t byte = p[i];
    if (byte < 0x80) {
      out->push_back(static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A') : byte));
      ++i;
      continue;
    }
    UChar32 c = 0;
    U8_NEXT(p, i, n, c);
    if (c < 0x80 || c >= kTableEnd || !table[static_cast<size_t>(c - 0x80)].simple) {
      out->resize(old_size);
      return FoldWithIcu(word, &a_, &b_, out);
    }
    const TableEntry& e = table[static_cast<size_t>(c - 0x80)];
    out->append(e.bytes, e.size);
  }
  return true;
}

bool WordFolder::AppendByIcu(std::string_view word, std::string* out) {
  return FoldWithIcu(word, &a_, &b_, out);
}

}  // namespace archivum::store::sqlite
