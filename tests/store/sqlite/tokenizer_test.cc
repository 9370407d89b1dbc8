// The catalog's full-text tokenizer (tokenizer.h) and its word folding (text_folding.h): folded
// tokens, CJK bigrams with colocated characters, byte offsets into the original text, the query
// form, and the tokenizer at work inside FTS5 (MATCH with prefixes, phrases and snippets).
#include "store/sqlite/tokenizer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unicode/umachine.h>

#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/fts_functions.h"
#include "store/sqlite/text_folding.h"

namespace archivum::store::sqlite {
namespace {

struct Tok {
  std::string text;
  int start;
  int end;
  bool colocated;
  bool operator==(const Tok&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Tok& t) {
  return os << "{" << t.text << " " << t.start << "-" << t.end << (t.colocated ? " co" : "") << "}";
}

std::vector<Tok> Tokens(std::string_view text, bool query = false) {
  std::vector<Tok> out;
  const int rc = Tokenize(
      text, query, &out, [](void* ctx, int flags, const char* token, int size, int start, int end) {
        static_cast<std::vector<Tok>*>(ctx)->push_back(
            {std::string(token, static_cast<size_t>(size)), start, end,
             (flags & FTS5_TOKEN_COLOCATED) != 0});
        return SQLITE_OK;
      });
  EXPECT_EQ(rc, SQLITE_OK);
  return out;
}

// The primary tokens' texts (no colocated ones).
std::vector<std::string> Words(std::string_view text, bool query = false) {
  std::vector<std::string> out;
  for (const Tok& t : Tokens(text, query)) {
    if (!t.colocated) out.push_back(t.text);
  }
  return out;
}

using Strings = std::vector<std::string>;

std::string Fold(std::string_view word) {
  WordFolder folder;
  std::string out;
  EXPECT_TRUE(folder.Append(word, &out)) << word;
  return out;
}

TEST(WordFolding, CaseCompatibilityFormsSharpSAndDiacritics) {
  ASSERT_TRUE(WordFolder::CheckAvailable().ok());
  EXPECT_EQ(Fold("Straße"), "strasse");
  EXPECT_EQ(Fold("STRASSE"), "strasse");
  EXPECT_EQ(Fold("ẞ"), "ss");
  EXPECT_EQ(Fold("München"), "munchen");
  EXPECT_EQ(Fold("MÜNCHEN"), "munchen");
  EXPECT_EQ(Fold("Mu\xcc\x88nchen"), "munchen");  // decomposed ü
  EXPECT_EQ(Fold("naïve"), "naive");
  EXPECT_EQ(Fold("Ελλάδα"), "ελλαδα");
  EXPECT_EQ(Fold("Ёлка"), "елка");
  EXPECT_EQ(Fold("İstanbul"), "istanbul");
  EXPECT_EQ(Fold("ﬁle"), "file");       // ligature
  EXPECT_EQ(Fold("Ｗｏｒｄ"), "word");  // fullwidth
  EXPECT_EQ(Fold("ｶﾞ"), "ガ");          // halfwidth katakana with its voicing mark
  EXPECT_EQ(Fold("が"), "が");          // Japanese voicing is not a diacritic
  EXPECT_EQ(Fold("Stra\xc2\xad\xc3\x9f"
                 "e"),
            "strasse");             // soft hyphen dropped
  EXPECT_EQ(Fold("\xcc\x81"), "");  // a lone diacritic: nothing
}

// Append folds ASCII and U+0080-04FF through a table; it must agree with ICU's whole-word folding
// on every character and on words mixing them (combining marks between letters included).
TEST(WordFolding, TheTableAgreesWithIcu) {
  auto utf8 = [](UChar32 c) {
    std::string out;
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
  };
  WordFolder fast;
  WordFolder reference;
  auto expect_same = [&](const std::string& word) {
    std::string a;
    std::string b;
    ASSERT_TRUE(fast.Append(word, &a));
    ASSERT_TRUE(reference.AppendByIcu(word, &b));
    EXPECT_EQ(a, b) << ::testing::PrintToString(word);
  };
  std::vector<UChar32> alphabet;
  for (UChar32 c = 0x80; c < 0x500; ++c) {
    expect_same(utf8(c));
    expect_same("A" + utf8(c) + "z");
    alphabet.push_back(c);
  }
  for (UChar32 c : std::initializer_list<UChar32>{'a', 'E', 'i', 'O', 'z', '5', 0x301, 0x308, 0x327,
                                                  0x345, 0x483}) {
    for (int k = 0; k < 40; ++k) alphabet.push_back(c);  // letters meeting marks, often
  }
  uint64_t state = 42;
  for (int n = 0; n < 20000; ++n) {
    std::string word;
    for (int length = 1 + n % 7; length > 0; --length) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      word += utf8(alphabet[(state >> 33) % alphabet.size()]);
    }
    expect_same(word);
  }
}

TEST(Tokenizer, AsciiWordsAreLowerCasedWithTheirOffsets) {
  EXPECT_EQ(Tokens("Hello, World-42 foo_bar"), (std::vector<Tok>{{"hello", 0, 5, false},
                                                                 {"world", 7, 12, false},
                                                                 {"42", 13, 15, false},
                                                                 {"foo", 16, 19, false},
                                                                 {"bar", 20, 23, false}}));
  EXPECT_TRUE(Tokens("").empty());
  EXPECT_TRUE(Tokens("  ... !!! ").empty());
}

TEST(Tokenizer, NonAsciiWordsFoldAndKeepTheOriginalByteRange) {
  const std::string text = "Die Straße in MÜNCHEN.";
  const std::vector<Tok> tokens = Tokens(text);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1], (Tok{"strasse", 4, 11, false}));
  EXPECT_EQ(text.substr(4, 7), "Straße");
  EXPECT_EQ(tokens[3], (Tok{"munchen", 15, 23, false}));
  EXPECT_EQ(text.substr(15, 8), "MÜNCHEN");
  // Queries fold alike.
  EXPECT_EQ(Words("STRASSE munchen", /*query=*/true), (Strings{"strasse", "munchen"}));
}

TEST(Tokenizer, CjkRunsAreBigramsWithColocatedCharacters) {
  // 東 京 都 に 住 む: three bytes each.
  EXPECT_EQ(Tokens("東京都に住む"), (std::vector<Tok>{{"東京", 0, 6, false},
                                                      {"東", 0, 3, true},
                                                      {"京都", 3, 9, false},
                                                      {"京", 3, 6, true},
                                                      {"都に", 6, 12, false},
                                                      {"都", 6, 9, true},
                                                      {"に住", 9, 15, false},
                                                      {"に", 9, 12, true},
                                                      {"住む", 12, 18, false},
                                                      {"住", 12, 15, true},
                                                      {"む", 15, 18, true}}));
  // A query is the phrase of its bigrams, or its one character.
  EXPECT_EQ(Tokens("東京都", /*query=*/true),
            (std::vector<Tok>{{"東京", 0, 6, false}, {"京都", 3, 9, false}}));
  EXPECT_EQ(Tokens("猫", /*query=*/true), (std::vector<Tok>{{"猫", 0, 3, false}}));
  EXPECT_EQ(Tokens("猫"), (std::vector<Tok>{{"猫", 0, 3, false}}));
  // A character repeated at the end gets its position once.
  EXPECT_EQ(Tokens("京京"), (std::vector<Tok>{{"京京", 0, 6, false}, {"京", 0, 3, true}}));
  EXPECT_EQ(Words("我们在北京大学", true),
            (Strings{"我们", "们在", "在北", "北京", "京大", "大学"}));
  EXPECT_EQ(Words("서울에서 일합니다", true),
            (Strings{"서울", "울에", "에서", "일합", "합니", "니다"}));
}

TEST(Tokenizer, ScriptChangesAndPunctuationEndRuns) {
  EXPECT_EQ(Words("iPhone東京Tower。大阪、ok"), (Strings{"iphone", "東京", "tower", "大阪", "ok"}));
  // Fullwidth letters are words, halfwidth katakana fold to fullwidth bigrams.
  EXPECT_EQ(Words("ＡＢＣ ｶﾞｲﾄﾞ"), (Strings{"abc", "ガイ", "イド"}));
  const std::vector<Tok> halfwidth = Tokens("ｶﾞｲ");
  ASSERT_FALSE(halfwidth.empty());
  EXPECT_EQ(halfwidth[0], (Tok{"ガイ", 0, 9, false}));  // both source characters, mark included
}

TEST(Tokenizer, RecordSeparatorIsATokenAndInvalidBytesSeparate) {
  EXPECT_EQ(Words("doe\x1ejohn"), (Strings{"doe", "\x1e", "john"}));
  EXPECT_EQ(Tokens("ab\xff\xfe"
                   "cd\xe6\x9d"),
            (std::vector<Tok>{{"ab", 0, 2, false}, {"cd", 4, 6, false}}));
}

TEST(Tokenizer, LongWordsAreCutAtCharacterBoundaries) {
  const std::vector<Tok> ascii = Tokens(std::string(300, 'A'));
  ASSERT_EQ(ascii.size(), 3u);
  EXPECT_EQ(ascii[0], (Tok{std::string(kMaxWordBytes, 'a'), 0, 128, false}));
  EXPECT_EQ(ascii[2].end, 300);
  std::string umlauts;
  for (int i = 0; i < 100; ++i) umlauts += "ü";  // two bytes each
  const std::vector<Tok> folded = Tokens(umlauts);
  ASSERT_EQ(folded.size(), 2u);
  EXPECT_EQ(folded[0], (Tok{std::string(64, 'u'), 0, 128, false}));
  EXPECT_EQ(folded[1], (Tok{std::string(36, 'u'), 128, 200, false}));
}

TEST(Tokenizer, StopsWhenTheCallbackSaysSo) {
  int seen = 0;
  const int rc =
      Tokenize("one two three", false, &seen, [](void* ctx, int, const char*, int, int, int) {
        return ++*static_cast<int*>(ctx) == 2 ? SQLITE_DONE : SQLITE_OK;
      });
  EXPECT_EQ(rc, SQLITE_DONE);
  EXPECT_EQ(seen, 2);
}

// FTS5 with the tokenizer registered: MATCH, prefixes, phrases and the catalog's snippets over
// the original text (archivum_snippet: FTS5's own highlight() assumes tokens never overlap, and
// CJK bigrams do).
class TokenizerInFts5 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(RegisterTokenizer(db_).ok());
    ASSERT_TRUE(RegisterFtsFunctions(db_, &functions_).ok());
    // archivum_snippet quotes column 1, as in the catalog's texts(path, body).
    Exec("CREATE VIRTUAL TABLE t USING fts5(path, body, tokenize = 'archivum')");
  }
  void TearDown() override { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }

  void Insert(int64_t rowid, const std::string& body) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "INSERT INTO t(rowid, path, body) VALUES(?1, '', ?2)", -1,
                                 &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, body.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db_);
    sqlite3_finalize(st);
  }

  // "rowid:snippet" for every match, in rowid order (the bodies here are shorter than a snippet).
  std::vector<std::string> Match(const std::string& expression) {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_,
                                 "SELECT rowid, archivum_snippet(t) FROM t WHERE t MATCH ?1 "
                                 "ORDER BY rowid",
                                 -1, &st, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, expression.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back(std::to_string(sqlite3_column_int64(st, 0)) + ":" +
                    reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
    }
    sqlite3_finalize(st);
    return out;
  }

  sqlite3* db_ = nullptr;
  FtsFunctionContext functions_;
};

TEST_F(TokenizerInFts5, FoldedWordsPrefixesAndPhrasesMatch) {
  Insert(1, "Die Straße in München");
  Insert(2, "munchen strasse");
  Insert(3, "Ζεύς και Ήρα");
  EXPECT_EQ(Match("\"strasse\""), (Strings{"1:Die [Straße] in München", "2:munchen [strasse]"}));
  EXPECT_EQ(Match("\"MÜNCHEN\""), (Strings{"1:Die Straße in [München]", "2:[munchen] strasse"}));
  EXPECT_EQ(Match("\"straß\" *"), (Strings{"1:Die [Straße] in München", "2:munchen [strasse]"}));
  EXPECT_EQ(Match("\"strasse in munchen\""), (Strings{"1:Die [Straße in München]"}));
  EXPECT_EQ(Match("\"ζευς\""), (Strings{"3:[Ζεύς] και Ήρα"}));
}

TEST_F(TokenizerInFts5, CjkSubstringsMatchInsideSentences) {
  Insert(1, "私は東京都に住んでいます。");
  Insert(2, "我们在北京大学学习中文。");
  Insert(3, "京都は古い町です");
  EXPECT_EQ(Match("\"東京\""), (Strings{"1:私は[東京]都に住んでいます。"}));
  EXPECT_EQ(Match("\"東京都\""), (Strings{"1:私は[東京都]に住んでいます。"}));
  EXPECT_EQ(Match("\"北京\""), (Strings{"2:我们在[北京]大学学习中文。"}));
  EXPECT_EQ(Match("\"大学\""), (Strings{"2:我们在北京[大学]学习中文。"}));
  // Bigrams trade precision for recall: 京都 (Kyoto) also occurs inside 東京都.
  EXPECT_EQ(Match("\"京都\""), (Strings{"1:私は東[京都]に住んでいます。", "3:[京都]は古い町です"}));
  // One character finds every occurrence (highlighting the pair it starts).
  EXPECT_EQ(Match("\"学\"").size(), 1u);
  EXPECT_EQ(Match("\"す\"").size(), 2u);  // the last character of a run too
  EXPECT_EQ(Match("\"東\" *").size(), 1u);
}

}  // namespace
}  // namespace archivum::store::sqlite
