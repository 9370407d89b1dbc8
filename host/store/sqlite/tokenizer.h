// The catalog's full-text tokenizer: FTS5 tokenizer "archivum", registered on every catalog
// connection (RegisterTokenizer) and used by the tables texts and metadata (schema.h). FTS5 runs
// it on the text it indexes, on the strings of a MATCH expression (so queries fold exactly as
// documents do) and for snippets (fts_functions.h), which map its tokens back to the original
// text.
//
// Words. A word is a maximal run of letters, digits, marks and private-use characters of the
// scripts written with spaces between words (format characters such as the soft hyphen continue
// one); everything else (spaces, punctuation, symbols, controls, invalid UTF-8) separates words,
// as FTS5's unicode61 does. Each word is folded (text_folding.h): "Straße" and "STRASSE" are both
// the token "strasse". A word longer than kMaxWordBytes is cut into pieces of at most that many
// bytes at character boundaries, so no token is huge and a query for the same word cuts it alike.
//
// CJK. Han, Hiragana, Katakana and Hangul are written without spaces between words. A run of
// them is indexed as overlapping bigrams, each at a position of its own ("東京都に" gives 東京,
// 京都, 都に), so a query of two or more of these characters is the phrase of its bigrams and
// finds them anywhere in a sentence; for one-character queries, every character of the run is
// also indexed as a colocated token (FTS5_TOKEN_COLOCATED) at the position of the bigram it
// starts (the run's last character at the last bigram's). A run of one character is that
// character. Queries get the bigrams only (or the single character). Characters are folded as
// words are (halfwidth katakana become fullwidth, compatibility ideographs unified ones).
// Why not ICU's dictionary word break: it segments compounds where a query does not (日本語 is
// one word to it, so 日本 would not find 日本語; 서울에서, "in Seoul", is one word, so 서울 would
// not find it), and it is far slower: on the same mixed Japanese, Chinese and Korean text, ICU's
// word break iterator alone ran at ~15 MB/s where this tokenizer, bigrams and colocated
// characters emitted, runs at ~130 MB/s (unicode61: ~65 MB/s). The price is precision (京都 also
// matches inside 東京都) and an index with about twice as many CJK tokens.
//
// Record separator. U+001E is a token of its own: the metadata table joins several values of one
// key with it, so that no phrase matches across two values. Queries never contain it (the query
// parser refuses control characters).
//
// Offsets. Every token reports the byte range of the original text it came from (a bigram spans
// both characters), whatever folding made of it, so that snippets mark the original text.
//
// Speed: ASCII letters and digits are classified and lower-cased byte by byte without ICU; ICU is
// called for non-ASCII characters outside the common CJK blocks, and to fold words that hold
// non-ASCII characters.
//
// Thread safety: Tokenize is reentrant; the registered tokenizer is stateless.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace archivum::store::sqlite {

// The name the tables' `tokenize` option names.
inline constexpr char kTokenizerName[] = "archivum";

// Longest token made of one word, in bytes of the original text.
inline constexpr size_t kMaxWordBytes = 128;

// FTS5's xToken callback: the folded token, its flags (FTS5_TOKEN_COLOCATED) and the byte range
// [start, end) of `text` it came from. Returns SQLITE_OK to go on; anything else stops the
// tokenizer, which returns it.
using TokenCallback = int (*)(void* context, int flags, const char* token, int size, int start,
                              int end);

// Tokenizes `text` (at most INT_MAX bytes, any bytes) in order. With `query`, only the tokens a
// query needs (no colocated ones). Returns SQLITE_OK, the first other value `emit` returned, or
// SQLITE_NOMEM when folding fails (ICU out of memory).
int Tokenize(std::string_view text, bool query, void* context, TokenCallback emit);

// Registers the tokenizer on `db`, which must be done before the connection touches a table that
// uses it. Errors: INTERNAL when SQLite has no FTS5 or ICU's normalization data is missing.
Status RegisterTokenizer(sqlite3* db);

}  // namespace archivum::store::sqlite
