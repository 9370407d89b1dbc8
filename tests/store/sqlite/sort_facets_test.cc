// SqliteCatalog::Search with SearchOptions::sort and ::facets, and Catalog::Facets, on real
// catalogs: every order with its ties and paging, full-text hits sorted by another key, facet
// counts of known documents (the whole result set, not the page), the top-20 bound with `other`,
// and the refinement property: each facet value's query term, appended to the query, selects
// exactly its count (at least it, for the metadata word fields).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "store/sqlite/facets.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace sort_facets {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr int64_t kSecond = 1'000'000'000;
// 2024-03-10T12:00:00Z, 2023-12-31T23:59:59Z, 2024-01-01T00:00:00Z.
constexpr int64_t kMar2024 = 1710072000 * kSecond;
constexpr int64_t kEnd2023 = 1704067199 * kSecond;
constexpr int64_t kStart2024 = 1704067200 * kSecond;

DocumentWrite Doc(std::string path, uint64_t size, int64_t mtime_ns, std::string mime,
                  std::string text = "") {
  DocumentWrite w;
  w.document.path = std::move(path);
  w.document.size = size;
  w.document.mtime_ns = mtime_ns;
  w.document.ingested_at_ns = 1;
  const auto slash = w.document.path.rfind('/');
  w.document.name = w.document.path.substr(slash + 1);
  const auto dot = w.document.name.rfind('.');
  if (dot != std::string::npos && dot > 0) {
    for (char c : w.document.name.substr(dot + 1)) {
      w.document.ext += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  w.document.mime = std::move(mime);
  w.text = std::move(text);
  return w;
}

class SortFacetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = OpenSqliteCatalog(dir_.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(*cat);
  }

  void Add(std::vector<DocumentWrite> docs) {
    Status st = catalog_->Commit(docs, {});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  StatusOr<SearchResult> Ask(std::string_view text, SortOrder sort, bool facets = false,
                             uint32_t limit = 100, uint32_t offset = 0) {
    auto q = query::Parse(text);
    if (!q.ok()) return q.status();
    SearchOptions options;
    options.sort = sort;
    options.facets = facets;
    return catalog_->Search(*q, limit, offset, options);
  }

  std::vector<std::string> Paths(std::string_view text, SortOrder sort, uint32_t limit = 100,
                                 uint32_t offset = 0) {
    auto r = Ask(text, sort, false, limit, offset);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& h : r->hits) out.push_back(h.document.path);
    }
    return out;
  }

  // The same order, read a page of `page` at a time.
  std::vector<std::string> Paged(std::string_view text, SortOrder sort, uint32_t page) {
    std::vector<std::string> out;
    for (uint32_t offset = 0;; offset += page) {
      auto r = Ask(text, sort, false, page, offset);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok() || r->hits.empty()) break;
      for (const auto& h : r->hits) out.push_back(h.document.path);
      if (offset > 1000) break;
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(SortFacetsTest, FilterQueriesSortByEveryKeyWithTiesByPathAndPageConsistently) {
  Add({
      Doc("/d/b.txt", 300, 3 * kSecond, "text/plain"),
      Doc("/d/A.txt", 100, 5 * kSecond, "text/plain"),
      Doc("/d/c.txt", 300, 1 * kSecond, "text/plain"),
      Doc("/e/a.txt", 200, 5 * kSecond, "text/plain"),
      Doc("/d/other.pdf", 1, 9 * kSecond, "application/pdf"),
  });
  const std::string q = "ext:txt";
  EXPECT_THAT(Paths(q, SortOrder::kRelevance),
              ElementsAre("/d/A.txt", "/d/b.txt", "/d/c.txt", "/e/a.txt"));
  // Equal times (A and e/a) and equal sizes (b and c) fall back to the path, ascending.
  EXPECT_THAT(Paths(q, SortOrder::kModifiedDesc),
              ElementsAre("/d/A.txt", "/e/a.txt", "/d/b.txt", "/d/c.txt"));
  EXPECT_THAT(Paths(q, SortOrder::kModifiedAsc),
              ElementsAre("/d/c.txt", "/d/b.txt", "/d/A.txt", "/e/a.txt"));
  EXPECT_THAT(Paths(q, SortOrder::kSizeDesc),
              ElementsAre("/d/b.txt", "/d/c.txt", "/e/a.txt", "/d/A.txt"));
  EXPECT_THAT(Paths(q, SortOrder::kSizeAsc),
              ElementsAre("/d/A.txt", "/e/a.txt", "/d/b.txt", "/d/c.txt"));
  // Names fold case: "A.txt" and "a.txt" tie, and their paths decide.
  EXPECT_THAT(Paths(q, SortOrder::kNameAsc),
              ElementsAre("/d/A.txt", "/e/a.txt", "/d/b.txt", "/d/c.txt"));
  EXPECT_THAT(Paths(q, SortOrder::kNameDesc),
              ElementsAre("/d/c.txt", "/d/b.txt", "/d/A.txt", "/e/a.txt"));
  for (SortOrder s : {SortOrder::kModifiedDesc, SortOrder::kSizeAsc, SortOrder::kNameDesc}) {
    EXPECT_EQ(Paged(q, s, 1), Paths(q, s));
    EXPECT_EQ(Paged(q, s, 3), Paths(q, s));
    auto page = Ask(q, s, false, 2, 1);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 4u);
    ASSERT_EQ(page->hits.size(), 2u);
    EXPECT_EQ(page->hits[0].document.path, Paths(q, s)[1]);
  }
  // A lone sha256: filter and a path: filter take the same orders.
  EXPECT_THAT(Paths("path:/d", SortOrder::kSizeDesc),
              ElementsAre("/d/b.txt", "/d/c.txt", "/d/A.txt", "/d/other.pdf"));
}

TEST_F(SortFacetsTest, FullTextHitsSortByKeyThenScoreAndKeepSnippets) {
  Add({
      Doc("/t/one.txt", 50, 2 * kSecond, "text/plain", "apple pie recipe"),
      Doc("/t/two.txt", 50, 1 * kSecond, "text/plain", "apple apple apple tart"),
      Doc("/t/big.txt", 900, 3 * kSecond, "text/plain", "an apple a day"),
      Doc("/t/none.txt", 5000, 4 * kSecond, "text/plain", "pears only"),
  });
  auto relevance = Ask("apple", SortOrder::kRelevance);
  ASSERT_TRUE(relevance.ok()) << relevance.status().ToString();
  ASSERT_EQ(relevance->hits.size(), 3u);
  std::map<std::string, double> score;
  for (const auto& h : relevance->hits) score[h.document.path] = h.score;
  // two.txt says apple three times: the better of the two files of the same size.
  ASSERT_GT(score["/t/two.txt"], score["/t/one.txt"]);

  auto by_size = Ask("apple", SortOrder::kSizeDesc, false, 100, 0);
  ASSERT_TRUE(by_size.ok()) << by_size.status().ToString();
  EXPECT_EQ(by_size->total, 3u);
  ASSERT_EQ(by_size->hits.size(), 3u);
  EXPECT_EQ(by_size->hits[0].document.path, "/t/big.txt");
  EXPECT_EQ(by_size->hits[1].document.path, "/t/two.txt");  // tie on size: the higher score
  EXPECT_EQ(by_size->hits[2].document.path, "/t/one.txt");
  for (const auto& h : by_size->hits) {
    EXPECT_THAT(h.snippet, ::testing::HasSubstr("[apple")) << h.document.path;
    EXPECT_NEAR(h.score, score[h.document.path], 1e-9) << h.document.path;
  }
  EXPECT_THAT(Paths("apple", SortOrder::kModifiedAsc),
              ElementsAre("/t/two.txt", "/t/one.txt", "/t/big.txt"));
  EXPECT_THAT(Paths("apple", SortOrder::kNameAsc),
              ElementsAre("/t/big.txt", "/t/one.txt", "/t/two.txt"));
  // The second page of one.
  auto page = Ask("apple", SortOrder::kSizeAsc, false, 1, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 3u);
  ASSERT_EQ(page->hits.size(), 1u);
  EXPECT_EQ(page->hits[0].document.path, "/t/one.txt");
  // Free text with a filter.
  EXPECT_THAT(Paths("apple size<100", SortOrder::kSizeAsc),
              ElementsAre("/t/two.txt", "/t/one.txt"));
}

const Facet* FindFacet(const std::vector<Facet>& facets, std::string_view name) {
  for (const Facet& f : facets) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::map<std::string, uint64_t> Counts(const Facet* f) {
  std::map<std::string, uint64_t> out;
  if (f != nullptr) {
    for (const FacetValue& v : f->values) out[v.value] = v.count;
  }
  return out;
}

class FacetCorpusTest : public SortFacetsTest {
 protected:
  void SetUp() override {
    SortFacetsTest::SetUp();
    if (HasFatalFailure()) return;
    std::vector<DocumentWrite> docs = {
        Doc("/c/report.pdf", 2 << 20, kMar2024, "application/pdf", "annual report"),
        Doc("/c/notes.pdf", 5 << 10, kMar2024 + kSecond, "application/pdf", "report notes"),
        Doc("/c/README", 100, kEnd2023, "text/plain", "read me report"),
        Doc("/c/Makefile", 20 << 10, kStart2024, "text/x-makefile", "all: report"),
        Doc("/c/huge.iso", uint64_t{200} << 20, kStart2024, "Application/X-ISO9660-Image",
            "report image"),
        Doc("/c/mail.eml", 50 << 20, kMar2024, "message/rfc822", "report by mail"),
        Doc("/c/raw.bin", 10, kMar2024, "", "report raw"),
        Doc("/c/odd[1].x*y", 10, kMar2024, "application/x-weird*type", "report odd"),
        Doc("/elsewhere/unrelated.pdf", 1, kMar2024, "application/pdf", "nothing here"),
    };
    docs[0].findings = {{"pdf", "author", "Jane Doe"}, {"pdf", "creator", "Writer"}};
    docs[1].findings = {{"pdf", "author", "Jane Doe"},
                        {"office", "author", "Jane Doe"},  // two plugins, one document
                        {"pdf", "author", "Bob \"The\" Builder"},
                        {"pdf", "language", "en"}};
    docs[2].findings = {{"text", "creator", "vim"}};
    docs[5].findings = {{"mail", "from", "ann@example.org"}, {"mail", "creator", "Writer"}};
    docs[8].findings = {{"pdf", "author", "Elsewhere Person"}};
    Add(std::move(docs));
  }
};

TEST_F(FacetCorpusTest, CountsTheWholeResultSetByEveryFacet) {
  // One hit on the page, the facets of all eight matches.
  auto r = Ask("report", SortOrder::kRelevance, /*facets=*/true, 1, 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->total, 8u);
  EXPECT_EQ(r->hits.size(), 1u);
  std::vector<std::string> names;
  for (const Facet& f : r->facets) names.push_back(f.name);
  EXPECT_THAT(names, ElementsAre("mime", "extension", "year", "month", "size", "author", "language",
                                 "creator", "from"));

  const Facet* mime = FindFacet(r->facets, "mime");
  ASSERT_NE(mime, nullptr);
  EXPECT_EQ(mime->values.front().value, "application/pdf");  // most frequent first
  EXPECT_EQ(Counts(mime), (std::map<std::string, uint64_t>{{"application/pdf", 2},
                                                           {"text/plain", 1},
                                                           {"text/x-makefile", 1},
                                                           {"application/x-iso9660-image", 1},
                                                           {"message/rfc822", 1},
                                                           {"application/x-weird*type", 1}}));
  EXPECT_EQ(Counts(FindFacet(r->facets, "extension")),
            (std::map<std::string, uint64_t>{
                {"pdf", 2}, {"", 2}, {"iso", 1}, {"eml", 1}, {"bin", 1}, {"x*y", 1}}));
  const Facet* year = FindFacet(r->facets, "year");
  ASSERT_NE(year, nullptr);
  EXPECT_THAT(year->values,
              ElementsAre(FacetValue{"2024", 7, "modified>=2024-01-01 modified<2025-01-01"},
                          FacetValue{"2023", 1, "modified>=2023-01-01 modified<2024-01-01"}));
  const Facet* month = FindFacet(r->facets, "month");
  ASSERT_NE(month, nullptr);
  EXPECT_THAT(month->values,
              ElementsAre(FacetValue{"2024-03", 5, "modified>=2024-03-01 modified<2024-04-01"},
                          FacetValue{"2024-01", 2, "modified>=2024-01-01 modified<2024-02-01"},
                          FacetValue{"2023-12", 1, "modified>=2023-12-01 modified<2024-01-01"}));
  const Facet* size = FindFacet(r->facets, "size");
  ASSERT_NE(size, nullptr);
  EXPECT_THAT(size->values, ElementsAre(FacetValue{"< 10 KiB", 4, "size<10K"},
                                        FacetValue{"10 KiB - 1 MiB", 1, "size>=10K size<1M"},
                                        FacetValue{"1 MiB - 10 MiB", 1, "size>=1M size<10M"},
                                        FacetValue{"10 MiB - 100 MiB", 1, "size>=10M size<100M"},
                                        FacetValue{">= 100 MiB", 1, "size>=100M"}));
  // Jane Doe's two findings on notes.pdf count once; the unrelated document's author not at all.
  const Facet* author = FindFacet(r->facets, "author");
  ASSERT_NE(author, nullptr);
  EXPECT_THAT(author->values, ElementsAre(FacetValue{"Jane Doe", 2, "author:\"Jane Doe\""},
                                          FacetValue{"Bob \"The\" Builder", 1,
                                                     "author:\"Bob \\\"The\\\" Builder\""}));
  // "Writer" came from two plugins: no one PLUGIN.creator filter selects it; "vim" from one.
  EXPECT_THAT(FindFacet(r->facets, "creator")->values,
              ElementsAre(FacetValue{"Writer", 2, ""}, FacetValue{"vim", 1, "text.creator:vim"}));
  EXPECT_THAT(FindFacet(r->facets, "language")->values,
              ElementsAre(FacetValue{"en", 1, "lang:en"}));
  EXPECT_THAT(FindFacet(r->facets, "from")->values,
              ElementsAre(FacetValue{"ann@example.org", 1, "from:ann@example.org"}));

  // The same counts whatever the page and the order.
  auto other_page = Ask("report", SortOrder::kSizeDesc, true, 3, 5);
  ASSERT_TRUE(other_page.ok());
  EXPECT_EQ(other_page->facets, r->facets);
  // No facets unless asked; none for an empty result.
  auto plain = Ask("report", SortOrder::kRelevance, false);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->facets.empty());
  auto nothing = Ask("zebra", SortOrder::kRelevance, true);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->facets.empty());
}

TEST_F(FacetCorpusTest, EachValueQueryRefinesToItsCount) {
  for (std::string_view base : {"report", "path:/c", "report size<100M", "path:/c -annual"}) {
    auto r = Ask(base, SortOrder::kRelevance, true);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_FALSE(r->facets.empty()) << base;
    for (const Facet& f : r->facets) {
      for (const FacetValue& v : f.values) {
        if (v.query.empty()) continue;
        const std::string refined = std::string(base) + " " + v.query;
        auto narrowed = Ask(refined, SortOrder::kRelevance);
        ASSERT_TRUE(narrowed.ok()) << refined << ": " << narrowed.status().ToString();
        const bool words = f.name == "author" || f.name == "language" || f.name == "from" ||
                           f.name == "camera_make" || f.name == "camera_model";
        if (words) {
          EXPECT_GE(narrowed->total, v.count) << refined;
        } else {
          EXPECT_EQ(narrowed->total, v.count) << refined;
        }
      }
    }
  }
  // Values only the generic filter or nothing can select: a glob character in the extension
  // has no term, in the MIME type it is escaped.
  auto r = Ask("report", SortOrder::kRelevance, true);
  ASSERT_TRUE(r.ok());
  for (const FacetValue& v : FindFacet(r->facets, "extension")->values) {
    if (v.value == "x*y") {
      EXPECT_EQ(v.query, "");
    }
    if (v.value.empty()) {
      EXPECT_EQ(v.query, "ext:\"\"");
    }
  }
  for (const FacetValue& v : FindFacet(r->facets, "mime")->values) {
    if (v.value == "application/x-weird*type") {
      EXPECT_EQ(v.query, "mime:application/x-weird[*]type");
    }
  }
}

TEST_F(SortFacetsTest, KeepsTheTopTwentyValuesAndCountsTheRestAsOther) {
  std::vector<DocumentWrite> docs;
  // Extension e0 once, e1 twice, ... e24 25 times.
  for (int e = 0; e < 25; ++e) {
    for (int i = 0; i <= e; ++i) {
      docs.push_back(
          Doc("/m/f" + std::to_string(e) + "_" + std::to_string(i) + ".e" + std::to_string(e), 1,
              kMar2024, "text/plain"));
    }
  }
  Add(std::move(docs));
  auto r = Ask("path:/m", SortOrder::kRelevance, true, 5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Facet* ext = FindFacet(r->facets, "extension");
  ASSERT_NE(ext, nullptr);
  ASSERT_EQ(ext->values.size(), kMaxFacetValues);
  EXPECT_EQ(ext->values.front().value, "e24");
  EXPECT_EQ(ext->values.front().count, 25u);
  EXPECT_EQ(ext->values.back().value, "e5");
  EXPECT_EQ(ext->other, 1u + 2 + 3 + 4 + 5);  // e0 .. e4
}

TEST_F(FacetCorpusTest, FacetsOfPathsCountOnlyCatalogedDocumentsOnce) {
  auto f = catalog_->Facets({"/c/report.pdf", "/c/notes.pdf", "/c/notes.pdf", "/c/absent.pdf",
                             "/elsewhere/unrelated.pdf"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(Counts(FindFacet(*f, "extension")), (std::map<std::string, uint64_t>{{"pdf", 3}}));
  EXPECT_EQ(Counts(FindFacet(*f, "author")),
            (std::map<std::string, uint64_t>{
                {"Jane Doe", 2}, {"Bob \"The\" Builder", 1}, {"Elsewhere Person", 1}}));
  auto none = catalog_->Facets({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(FacetCorpusTest, AVersion9StoreGainsTheFacetIndex) {
  catalog_.reset();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / "catalog.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP INDEX findings_facets; PRAGMA user_version=9", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto cat = OpenSqliteCatalog(dir_.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  catalog_ = std::move(*cat);
  auto r = Ask("report", SortOrder::kRelevance, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Counts(FindFacet(r->facets, "author")),
            (std::map<std::string, uint64_t>{{"Jane Doe", 2}, {"Bob \"The\" Builder", 1}}));
}

TEST(FacetQueryTest, EveryTermParsesOrIsEmpty) {
  EXPECT_EQ(FacetQuery("extension", ""), "ext:\"\"");
  EXPECT_EQ(FacetQuery("extension", "tar"), "ext:tar");
  EXPECT_EQ(FacetQuery("extension", "a b"), "ext:\"a b\"");
  EXPECT_EQ(FacetQuery("extension", "x?"), "");
  EXPECT_EQ(FacetQuery("mime", "text/x-c++"), "mime:text/x-c++");
  EXPECT_EQ(FacetQuery("mime", "a/[b]"), "mime:a/[[]b]");
  EXPECT_EQ(FacetQuery("month", "2024-12"), "modified>=2024-12-01 modified<2025-01-01");
  EXPECT_EQ(FacetQuery("year", "2024"), "modified>=2024-01-01 modified<2025-01-01");
  // Past what the language's times (nanoseconds in 64 bits: up to 2262) can name: no term.
  EXPECT_EQ(FacetQuery("year", "9999"), "");
  EXPECT_EQ(FacetQuery("author", "O'Brien (ed.)"), "author:\"O'Brien (ed.)\"");
  EXPECT_EQ(FacetQuery("camera_model", "EOS 5D"), "camera:\"EOS 5D\"");
  // Punctuation alone is no word to search for: the parser refuses it, so there is no term.
  EXPECT_EQ(FacetQuery("author", "---"), "");
  EXPECT_EQ(FacetQuery("nonsense", "x"), "");
  for (std::string_view v : {"a\\b\"c", "tab\there", "(x)", "\xff\xfe"}) {
    const std::string term = FacetQuery("author", v);
    if (!term.empty()) {
      EXPECT_TRUE(query::Parse(term).ok()) << term;
    }
  }
}

}  // namespace
}  // namespace sort_facets
}  // namespace archivum::store::sqlite
