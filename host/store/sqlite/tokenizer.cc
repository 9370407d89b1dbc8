#include "store/sqlite/tokenizer.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <new>
#include <string>
#include <utility>

#include "store/sqlite/fts_functions.h"
#include "store/sqlite/text_folding.h"

namespace archivum::store::sqlite {
namespace {

// How a character takes part in tokens.
enum class Kind : uint8_t {
  kSeparator,  // ends a word
  kWord,       // starts or continues a word
  kMark,       // continues a word or a CJK character (combining marks, format characters)
  kCjk,        // one unit of a CJK run
};

// ASCII letters and digits (bytes from 0x80 are not).
constexpr auto kAsciiWord = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  return table;
}();

constexpr auto kAsciiLower = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return table;
}();

constexpr char kRecordSeparator = '\x1e';

// The common CJK blocks, whose characters fold to themselves: answered without ICU.
bool IsCommonCjk(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK Unified Ideographs
         (c >= 0x3041 && c <= 0x3096) ||  // Hiragana letters
         (c >= 0x30A1 && c <= 0x30FA) ||  // Katakana letters
         c == 0x30FC ||                   // the prolonged sound mark ー
         (c >= 0xAC00 && c <= 0xD7A3) ||  // Hangul syllables
         (c >= 0x3400 && c <= 0x4DBF);    // CJK Unified Ideographs Extension A
}

// Letters and numbers of the scripts written without spaces: Han, Hiragana, Katakana, Hangul,
// also when their script is Common but used only with those (the iteration mark 々, ｰ).
bool IsCjkScript(UChar32 c) {
  UErrorCode error = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &error);
  if (U_FAILURE(error)) return false;
  switch (script) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL: return true;
    case USCRIPT_COMMON:
      return uscript_hasScript(c, USCRIPT_HAN) || uscript_hasScript(c, USCRIPT_HIRAGANA) ||
             uscript_hasScript(c, USCRIPT_KATAKANA) || uscript_hasScript(c, USCRIPT_HANGUL);
    default: return false;
  }
}

// The kind of a character at or above U+0080, from ICU's character properties.
Kind ClassifyByIcu(UChar32 c) {
  if (IsCommonCjk(c)) return Kind::kCjk;
  // The halfwidth voicing marks are letters (Lm) that combine with the kana before them.
  if (c == 0xFF9E || c == 0xFF9F) return Kind::kMark;
  switch (static_cast<UCharCategory>(u_charType(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER: return IsCjkScript(c) ? Kind::kCjk : Kind::kWord;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK: return Kind::kMark;
    // Soft hyphens and joiners continue a word (folding drops them); the zero-width space is a
    // space.
    case U_FORMAT_CHAR: return c == 0x200B ? Kind::kSeparator : Kind::kMark;
    case U_PRIVATE_USE_CHAR: return Kind::kWord;
    default: return Kind::kSeparator;
  }
}

// The kinds of U+0080 to U+04FF (Latin-1, Latin Extended, Greek, Cyrillic: the non-ASCII letters
// met most), looked up once.
constexpr UChar32 kKindTableEnd = 0x500;

const std::array<Kind, kKindTableEnd - 0x80>& KindTable() {
  static const std::array<Kind, kKindTableEnd - 0x80> table = [] {
    std::array<Kind, kKindTableEnd - 0x80> t{};
    for (UChar32 c = 0x80; c < kKindTableEnd; ++c)
      t[static_cast<size_t>(c - 0x80)] = ClassifyByIcu(c);
    return t;
  }();
  return table;
}

// `c` >= U+0080, or < 0 for an ill-formed UTF-8 sequence.
Kind ClassifyNonAscii(UChar32 c) {
  if (c < 0) return Kind::kSeparator;
  if (c < kKindTableEnd) return KindTable()[static_cast<size_t>(c - 0x80)];
  return ClassifyByIcu(c);
}

// One tokenization of one text.
class Scanner {
 public:
  Scanner(std::string_view text, bool query, void* context, TokenCallback emit)
      : p_(reinterpret_cast<const uint8_t*>(text.data())),
        n_(static_cast<int32_t>(text.size())),
        query_(query),
        context_(context),
        emit_(emit) {}

  int Run() {
    int32_t i = 0;
    while (i < n_) {
      const uint8_t b = p_[i];
      int32_t next = i + 1;  // past the character at i
      int32_t end = next;    // where this step ends
      int rc = SQLITE_OK;
      if (b < 0x80) {
        if (kAsciiWord[b]) {
          rc = Word(i, &end);
        } else if (b == kRecordSeparator) {
          rc = Emit(0, std::string_view(&kRecordSeparator, 1), i, next);
        }
      } else {
        next = i;
        const Kind kind = ClassifyNonAscii(Decode(&next));
        end = next;
        if (kind == Kind::kCjk) {
          rc = CjkRun(i, &end);
        } else if (kind != Kind::kSeparator) {
          rc = Word(i, &end);
        }
      }
      if (rc != SQLITE_OK) return rc;
      // Every step consumes at least the character it started at, so the scan always ends.
      i = std::max(end, next);
    }
    return SQLITE_OK;
  }

 private:
  // The character at *i, advancing *i past it (past one byte if ill-formed, then < 0).
  UChar32 Decode(int32_t* i) const {
    UChar32 c = 0;
    int32_t j = *i;
    U8_NEXT(p_, j, n_, c);
    *i = j;
    return c;
  }

  std::string_view Bytes(int32_t start, int32_t end) const {
    return {reinterpret_cast<const char*>(p_) + start, static_cast<size_t>(end - start)};
  }

  int Emit(int flags, std::string_view token, int32_t start, int32_t end) {
    return emit_(context_, flags, token.data(), static_cast<int>(token.size()), start, end);
  }

  // The word starting at `start` (a word character or a mark); *end is where it stopped.
  int Word(int32_t start, int32_t* end) {
    // ASCII letters and digits, lower-cased as they are read: the whole word when nothing else
    // follows them.
    int32_t j = start;
    const int32_t ascii_end = std::min<int32_t>(n_, start + static_cast<int32_t>(kMaxWordBytes));
    char* lowered = ascii_;
    while (j < ascii_end && kAsciiWord[p_[j]]) *lowered++ = kAsciiLower[p_[j++]];
    if (j == ascii_end || p_[j] < 0x80) {
      *end = j;
      if (j == start) return SQLITE_OK;  // not reached: a word starts at a word character
      return Emit(0, std::string_view(ascii_, static_cast<size_t>(j - start)), start, j);
    }
    // A non-ASCII character follows: the word goes on while letters, digits and marks do.
    bool ascii = true;
    while (j < n_) {
      const uint8_t b = p_[j];
      int32_t next = j;
      if (b < 0x80) {
        if (!kAsciiWord[b]) break;
        ++next;
      } else {
        const Kind kind = ClassifyNonAscii(Decode(&next));
        if (kind != Kind::kWord && kind != Kind::kMark) break;
        ascii = false;
      }
      if (j > start && static_cast<size_t>(next - start) > kMaxWordBytes) break;
      j = next;
    }
    *end = j;
    // Stopped at the first non-ASCII character: ascii_ holds the word.
    if (ascii) return Emit(0, std::string_view(ascii_, static_cast<size_t>(j - start)), start, j);
    token_.clear();
    if (!folder_.Append(Bytes(start, j), &token_)) return SQLITE_NOMEM;
    if (token_.empty()) return SQLITE_OK;  // only ignorables and diacritics
    return Emit(0, token_, start, j);
  }

  // The CJK run starting at `start`: bigrams, plus colocated characters outside queries.
  int CjkRun(int32_t start, int32_t* end) {
    std::string* prev = &units_[0];
    std::string* cur = &units_[1];
    int32_t prev_start = 0;
    int32_t prev_end = 0;
    int64_t units = 0;
    int32_t j = start;
    while (j < n_ && p_[j] >= 0x80) {
      int32_t next = j;
      const UChar32 c = Decode(&next);
      if (ClassifyNonAscii(c) != Kind::kCjk) break;
      bool stable = IsCommonCjk(c);
      // Combining marks belong to the character before them (か + U+3099 is が).
      while (next < n_ && p_[next] >= 0x80) {
        int32_t after = next;
        if (ClassifyNonAscii(Decode(&after)) != Kind::kMark) break;
        next = after;
        stable = false;
      }
      cur->clear();
      if (stable) {
        cur->assign(Bytes(j, next));
      } else if (!folder_.Append(Bytes(j, next), cur)) {
        return SQLITE_NOMEM;
      }
      if (!cur->empty()) {
        if (units > 0) {
          bigram_.assign(*prev);
          bigram_ += *cur;
          int rc = Emit(0, bigram_, prev_start, next);
          if (rc == SQLITE_OK && !query_)
            rc = Emit(FTS5_TOKEN_COLOCATED, *prev, prev_start, prev_end);
          if (rc != SQLITE_OK) return rc;
        }
        std::swap(prev, cur);
        prev_start = j;
        prev_end = next;
        ++units;
      }
      j = next;
    }
    *end = j;
    if (units == 1) return Emit(0, *prev, prev_start, prev_end);
    // The last character shares the last bigram's position with the one before it (*cur still
    // holds that one): the same character twice ("京京") would repeat a position of its token.
    if (units > 1 && !query_ && *prev != *cur) {
      return Emit(FTS5_TOKEN_COLOCATED, *prev, prev_start, prev_end);
    }
    return SQLITE_OK;
  }

  const uint8_t* p_;
  int32_t n_;
  bool query_;
  void* context_;
  TokenCallback emit_;
  WordFolder folder_;
  char ascii_[kMaxWordBytes];  // the current ASCII word, lower-cased
  std::string token_;          // the current word, folded
  std::string units_[2];       // the previous and the current CJK character, folded
  std::string bigram_;
};

// FTS5's side: the tokenizer takes no arguments and keeps no state.
struct TokenizerInstance {};

int CreateTokenizer(void*, const char**, int argc, Fts5Tokenizer** out) {
  *out = nullptr;
  if (argc != 0) return SQLITE_ERROR;
  auto* instance = new (std::nothrow) TokenizerInstance;
  if (instance == nullptr) return SQLITE_NOMEM;
  *out = reinterpret_cast<Fts5Tokenizer*>(instance);
  return SQLITE_OK;
}

void DeleteTokenizer(Fts5Tokenizer* tokenizer) {
  delete reinterpret_cast<TokenizerInstance*>(tokenizer);
}

int RunTokenizer(Fts5Tokenizer*, void* context, int flags, const char* text, int size,
                 TokenCallback emit) {
  try {
    return Tokenize(std::string_view(text, size > 0 ? static_cast<size_t>(size) : 0),
                    (flags & FTS5_TOKENIZE_QUERY) != 0, context, emit);
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
}

}  // namespace

int Tokenize(std::string_view text, bool query, void* context, TokenCallback emit) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return SQLITE_TOOBIG;
  return Scanner(text, query, context, emit).Run();
}

Status RegisterTokenizer(sqlite3* db) {
  ARCHIVUM_RETURN_IF_ERROR(WordFolder::CheckAvailable());
  fts5_api* api = GetFts5Api(db);
  if (api == nullptr) return Internal("the SQLite library has no FTS5");
  fts5_tokenizer tokenizer{CreateTokenizer, DeleteTokenizer, RunTokenizer};
  if (api->xCreateTokenizer(api, kTokenizerName, nullptr, &tokenizer, nullptr) != SQLITE_OK) {
    return Internal("registering the catalog's FTS5 tokenizer failed");
  }
  return Status::Ok();
}

}  // namespace archivum::store::sqlite
