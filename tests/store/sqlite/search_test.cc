// SqliteCatalog::Search on real databases: the ranked full-text path (BM25 per match, page and
// snippets computed for the page only) checked against FTS5's own bm25() over the same rows,
// paging, ties, snippets, token counts kept fresh across writes (including writes by another
// catalog on the same store), concurrency, and the statement cache bound.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "store/sqlite/tokenizer.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace {

DocumentWrite Doc(std::string path, std::string text) {
  DocumentWrite w;
  w.document.path = std::move(path);
  w.document.size = text.size() + 1;
  w.document.mtime_ns = 7;
  w.document.ingested_at_ns = 42;
  const auto slash = w.document.path.rfind('/');
  w.document.name = w.document.path.substr(slash + 1);
  const auto dot = w.document.name.rfind('.');
  if (dot != std::string::npos) w.document.ext = w.document.name.substr(dot + 1);
  w.text = std::move(text);
  return w;
}

StatusOr<SearchResult> Ask(Catalog& cat, std::string_view text, uint32_t limit = 100,
                           uint32_t offset = 0) {
  auto q = query::Parse(text);
  if (!q.ok()) return q.status();
  return cat.Search(*q, limit, offset);
}

struct RefRow {
  std::string path;
  double score;
};

// FTS5's own answer: -bm25(texts, 4.0, 1.0), ordered by score then path, on a fresh connection.
std::vector<RefRow> Reference(const std::filesystem::path& dir, const std::string& match,
                              const std::string& extra_where = "") {
  std::vector<RefRow> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((dir / "catalog.db").c_str(), &db), SQLITE_OK);
  EXPECT_TRUE(RegisterTokenizer(db).ok());
  const std::string sql =
      "SELECT d.path, -bm25(texts, 4.0, 1.0) AS score FROM documents d JOIN texts ON "
      "texts.rowid = d.id WHERE texts MATCH ?1 " +
      extra_where + " ORDER BY score DESC, d.path";
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(st) == SQLITE_ROW) {
    rows.push_back(
        {reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), sqlite3_column_double(st, 1)});
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

void ExpectSameRanking(const SearchResult& got, const std::vector<RefRow>& want,
                       const std::string& what) {
  ASSERT_EQ(got.total, want.size()) << what;
  ASSERT_EQ(got.hits.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got.hits[i].document.path, want[i].path) << what << " #" << i;
    EXPECT_NEAR(got.hits[i].score, want[i].score, 1e-9 * std::max(1.0, std::abs(want[i].score)))
        << what << " #" << i;
  }
}

// A small corpus with repeated words, different lengths and words in paths.
std::vector<DocumentWrite> Corpus() {
  std::vector<DocumentWrite> docs;
  const std::vector<std::string> words = {"alpha", "beta", "gamma", "delta", "mutex", "mutable"};
  for (int i = 0; i < 40; ++i) {
    std::string text;
    for (int k = 0; k <= i % 7; ++k) text += words[static_cast<size_t>(k + i) % words.size()] + " ";
    for (int k = 0; k < i; ++k) text += "filler" + std::to_string(k % 5) + " ";
    if (i % 3 == 0) text += "the quick brown fox jumps ";
    if (i % 4 == 0) text += "errno value ";
    docs.push_back(Doc(
        "/corpus/d" + std::to_string(i % 5) + "/file" + std::to_string(i) + (i % 2 ? ".h" : ".txt"),
        text));
  }
  docs.push_back(Doc("/corpus/alpha/named_alpha.txt", "nothing about the letter"));
  return docs;
}

TEST(CatalogSearch, RankedResultsAreFts5Bm25InOrder) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE((*cat)->Commit(Corpus(), {}).ok());

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"alpha", "\"alpha\""},
      {"alpha beta", "(\"alpha\" AND \"beta\")"},
      {"alpha OR mutex", "(\"alpha\" OR \"mutex\")"},
      {"\"quick brown\"", "\"quick brown\""},
      {"mut*", "\"mut\" *"},
      {"alpha -errno", "(\"alpha\" NOT \"errno\")"},
  };
  for (const auto& [text, match] : cases) {
    auto got = Ask(**cat, text);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    const auto want = Reference(dir.path(), match);
    ASSERT_FALSE(want.empty()) << text;
    ExpectSameRanking(*got, want, text);
  }
  // With a filter the join path is used.
  auto got = Ask(**cat, "alpha ext:h");
  ASSERT_TRUE(got.ok());
  ExpectSameRanking(*got, Reference(dir.path(), "\"alpha\"", "AND d.ext = 'h'"), "alpha ext:h");
}

// The rank function counts a phrase's occurrences from FTS5's position lists directly; these
// bodies put occurrences 1, ~200 and ~20,000 tokens apart (position deltas of one, two and three
// bytes), in the path column, the body or both, so every form of that list is compared with
// FTS5's own bm25().
TEST(CatalogSearch, RankingCountsOccurrencesAtAnyDistanceAndInEveryColumn) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  const auto filler = [](int tokens, int seed) {
    std::string text;
    for (int k = 0; k < tokens; ++k) text += "w" + std::to_string((k + seed) % 10) + " ";
    return text;
  };
  std::vector<DocumentWrite> docs;
  docs.push_back(Doc("/long/needle/adjacent.txt", "needle needle needle " + filler(50, 1)));
  docs.push_back(Doc("/long/spread.txt", "needle " + filler(200, 2) + "needle " + filler(20000, 3) +
                                             "needle needle " + filler(300, 4) + "needle"));
  docs.push_back(Doc("/long/late.txt", filler(70000, 5) + "needle marker"));
  docs.push_back(Doc("/long/needle_needle.h", filler(20, 6)));
  docs.push_back(Doc("/long/needle/both_needle.txt",
                     filler(16500, 7) + "needle " + filler(9, 8) + "needle marker"));
  for (int i = 0; i < 6; ++i) {
    docs.push_back(Doc("/long/other" + std::to_string(i) + ".txt",
                       filler(130 * (i + 1), i) + (i % 2 ? "needle " : "") + "marker"));
  }
  ASSERT_TRUE((*cat)->Commit(docs, {}).ok());
  for (const auto& [text, match] : std::vector<std::pair<std::string, std::string>>{
           {"needle", "\"needle\""},
           {"needle marker", "(\"needle\" AND \"marker\")"},
           {"needle OR marker", "(\"needle\" OR \"marker\")"}}) {
    auto got = Ask(**cat, text);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    const auto want = Reference(dir.path(), match);
    ASSERT_FALSE(want.empty()) << text;
    ExpectSameRanking(*got, want, text);
  }
}

TEST(CatalogSearch, PagesConcatenateToTheWholeRankingWithExactTotals) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit(Corpus(), {}).ok());
  auto whole = Ask(**cat, "alpha OR beta OR filler1", 1000);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_GT(whole->hits.size(), 10u);
  std::vector<std::string> paged;
  for (uint32_t offset = 0; offset < whole->hits.size() + 3; offset += 3) {
    auto page = Ask(**cat, "alpha OR beta OR filler1", 3, offset);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, whole->total);
    for (const auto& h : page->hits) paged.push_back(h.document.path);
  }
  ASSERT_EQ(paged.size(), whole->hits.size());
  for (size_t i = 0; i < paged.size(); ++i) EXPECT_EQ(paged[i], whole->hits[i].document.path);
  auto none = Ask(**cat, "alpha", 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->hits.empty());
  EXPECT_GT(none->total, 0u);
}

TEST(CatalogSearch, EqualScoresAreOrderedByPath) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  std::vector<DocumentWrite> docs;
  for (int i = 9; i >= 0; --i) docs.push_back(Doc("/same/" + std::to_string(i), "twin words"));
  ASSERT_TRUE((*cat)->Commit(docs, {}).ok());
  for (uint32_t limit : {1u, 3u, 10u}) {
    auto got = Ask(**cat, "twin", limit, 2);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->total, 10u);
    ASSERT_EQ(got->hits.size(), std::min<size_t>(limit, 8));
    for (size_t i = 0; i < got->hits.size(); ++i) {
      EXPECT_EQ(got->hits[i].document.path, "/same/" + std::to_string(i + 2));
    }
  }
}

TEST(CatalogSearch, SnippetsMarkMatchesAroundTheBestSpot) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  std::string long_text;
  for (int i = 0; i < 500; ++i) long_text += "word" + std::to_string(i) + " ";
  long_text += "the needle, sits here. ";
  for (int i = 0; i < 500; ++i) long_text += "tail" + std::to_string(i) + " ";
  ASSERT_TRUE(
      (*cat)
          ->Commit({Doc("/s/short.txt", "The quick brown fox."), Doc("/s/long.txt", long_text),
                    Doc("/s/pathonly_zebra.txt", "body without the animal"),
                    Doc("/s/empty_zebra.txt", ""),
                    Doc("/s/phrase.txt", "a quick fox and later the quick brown dog")},
                   {})
          .ok());

  auto fox = Ask(**cat, "fox");
  ASSERT_TRUE(fox.ok());
  for (const auto& h : fox->hits) {
    if (h.document.path == "/s/short.txt") {
      EXPECT_EQ(h.snippet, "The quick brown [fox].");
    }
  }
  auto needle = Ask(**cat, "needle");
  ASSERT_TRUE(needle.ok());
  ASSERT_EQ(needle->hits.size(), 1u);
  const std::string& s = needle->hits[0].snippet;
  EXPECT_EQ(s.rfind("…", 0), 0u) << s;
  EXPECT_NE(s.find("the [needle], sits here."), std::string::npos) << s;
  EXPECT_EQ(s.substr(s.size() - std::string("…").size()), "…") << s;

  // The window prefers the spot where all phrases meet.
  auto both = Ask(**cat, "quick dog");
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->hits.size(), 1u);
  EXPECT_NE(both->hits[0].snippet.find("[quick] brown [dog]"), std::string::npos)
      << both->hits[0].snippet;
  auto phrase = Ask(**cat, "\"quick brown\"");
  ASSERT_TRUE(phrase.ok());
  for (const auto& h : phrase->hits) {
    EXPECT_NE(h.snippet.find("[quick brown]"), std::string::npos) << h.snippet;
  }
  auto prefix = Ask(**cat, "need*");
  ASSERT_TRUE(prefix.ok());
  ASSERT_EQ(prefix->hits.size(), 1u);
  EXPECT_NE(prefix->hits[0].snippet.find("[needle]"), std::string::npos);

  // A match in the path only quotes the start of the body, unmarked; an empty body quotes "".
  auto zebra = Ask(**cat, "zebra");
  ASSERT_TRUE(zebra.ok());
  ASSERT_EQ(zebra->hits.size(), 2u);
  for (const auto& h : zebra->hits) {
    if (h.document.path == "/s/pathonly_zebra.txt") {
      EXPECT_EQ(h.snippet, "body without the animal");
    } else {
      EXPECT_EQ(h.snippet, "");
    }
  }
}

TEST(CatalogSearch, RankingFollowsRewritesAndOtherWriters) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit(Corpus(), {}).ok());
  // A rewrite changes the document's length: ranking must use the new one.
  std::string longer = "alpha";
  for (int i = 0; i < 300; ++i) longer += " padding";
  ASSERT_TRUE((*cat)->Commit({Doc("/corpus/d0/file0.txt", longer)}, {}).ok());
  auto got = Ask(**cat, "alpha");
  ASSERT_TRUE(got.ok());
  ExpectSameRanking(*got, Reference(dir.path(), "\"alpha\""), "after rewrite");

  // Another catalog on the same store writes; this one's in-memory counts do not know the rows.
  {
    auto other = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)
                    ->Commit({Doc("/elsewhere/new.txt", "alpha alpha alpha"),
                              Doc("/corpus/d1/file1.h", "alpha and a much longer text now")},
                             {})
                    .ok());
  }
  got = Ask(**cat, "alpha");
  ASSERT_TRUE(got.ok());
  ExpectSameRanking(*got, Reference(dir.path(), "\"alpha\""), "after another writer");

  // Removed documents leave the results.
  ASSERT_TRUE((*cat)->Commit({}, {"/elsewhere/new.txt"}).ok());
  got = Ask(**cat, "alpha");
  ASSERT_TRUE(got.ok());
  ExpectSameRanking(*got, Reference(dir.path(), "\"alpha\""), "after removal");

  // Reopening loads the counts from the database.
  cat->reset();
  cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  got = Ask(**cat, "alpha");
  ASSERT_TRUE(got.ok());
  ExpectSameRanking(*got, Reference(dir.path(), "\"alpha\""), "after reopen");
}

TEST(CatalogSearch, ConcurrentSearchesWhileWriting) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit(Corpus(), {}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      const char* queries[] = {"alpha", "beta OR gamma", "quick fox", "mut*", "path:/corpus"};
      for (int i = 0; !stop.load(); ++i) {
        auto got = Ask(**cat, queries[(i + t) % 5], 5);
        if (!got.ok() || got->total == 0) failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        (*cat)
            ->Commit({Doc("/w/" + std::to_string(i), "alpha written " + std::to_string(i))}, {})
            .ok());
  }
  stop.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(failures.load(), 0);
  auto got = Ask(**cat, "written", 100);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->total, 50u);
}

TEST(CatalogSearch, ManyQueryShapesStayCorrectPastTheStatementCache) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok());
  ASSERT_TRUE((*cat)->Commit(Corpus(), {}).ok());
  // Each combination of filters is a new SQL text: more shapes than a connection keeps
  // prepared. Every filter holds for every document, so the answer stays the same.
  const char* always[] = {" size>=0",     " -ext:zzz",     " name:*",   " mime:*",
                          " -size>99999", " path:/corpus", " -name:zzz"};
  for (int i = 0; i < 100; ++i) {
    std::string filters;
    for (int bit = 0; bit < 7; ++bit) {
      if (i & (1 << bit)) filters += always[bit];
    }
    auto got = Ask(**cat, "alpha" + filters);
    ASSERT_TRUE(got.ok()) << i << ": " << got.status().ToString();
    EXPECT_EQ(got->total, Reference(dir.path(), "\"alpha\"").size()) << i;
    auto sha = Ask(**cat, "sha256:" + std::string(64, "0123456789abcdef"[i % 16]));
    ASSERT_TRUE(sha.ok());
    EXPECT_EQ(sha->total, 0u);
  }
}

}  // namespace
}  // namespace archivum::store::sqlite
