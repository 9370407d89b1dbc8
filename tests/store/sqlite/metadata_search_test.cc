// SqliteCatalog::Search over every language and over the metadata fields: folded words and CJK
// substrings in the text index with snippets over the original text; title:, author:,
// subject:, from:, to:, lang:, pages and created over the vocabulary findings of any plugin, alone
// and combined; the metadata words following re-analysis and removal; the metadata hits carry;
// ListChildren and Metadata.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "open_sqlite_catalog.h"
#include "query/parser.h"
#include "store/sqlite/query_compiler.h"
#include "store/sqlite/tokenizer.h"
#include "support/daemon.h"

namespace archivum::store::sqlite {
namespace {

DocumentWrite MetaDoc(std::string path, std::string text,
                      std::vector<std::pair<std::string, std::string>> metadata = {},
                      std::string parent = "") {
  DocumentWrite w;
  w.document.path = std::move(path);
  w.document.size = text.size() + 1;
  w.document.mtime_ns = 7;
  w.document.ingested_at_ns = 42;
  w.document.parent = std::move(parent);
  w.document.name = w.document.path.substr(w.document.path.rfind('/') + 1);
  w.text = std::move(text);
  w.findings.push_back({"hash", "sha256", "ab"});
  // From two plugins: a field looks at the key, whichever plugin recorded it.
  bool first = true;
  for (auto& [key, value] : metadata) {
    w.findings.push_back({first ? "pdf" : "office", key, value});
    first = false;
  }
  return w;
}

class MetadataSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = OpenSqliteCatalog(dir_.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    cat_ = std::move(*cat);
    ASSERT_TRUE(
        cat_->Commit({MetaDoc("/d/de.txt", "Die Straße in München ist voller Menschen."),
                      MetaDoc("/d/ja.txt", "私は東京都に住んでいます。"),
                      MetaDoc("/d/zh.txt", "我们在北京大学学习中文。"),
                      MetaDoc("/d/report.pdf", "numbers and more numbers",
                              {{"title", "Quarterly Report"},
                               {"author", "Jane Doe"},
                               {"author", "Jürgen Müller"},
                               {"subject", "Budget 2025"},
                               {"language", "pt-BR"},
                               {"pages", "12"},
                               {"created", "2024-03-01T09:30:00Z"},
                               {"creator", "LibreOffice"}}),
                      MetaDoc("/d/mail.eml", "see you at the Straßenfest",
                              {{"from", "Ann <ann@example.org>"},
                               {"to", "bob@example.com"},
                               {"to", "Carla <carla@example.net>"},
                               {"subject", "Straßenfest"},
                               {"pages", "2"},
                               {"created", "2024-03-02"}}),
                      MetaDoc("/d/odd.doc", "odd", {{"pages", "many"}, {"created", "unknown"}})},
                     {})
            .ok());
  }

  std::set<std::string> Paths(std::string_view text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok()) << text << ": " << q.status().ToString();
    if (!q.ok()) return {};
    auto got = cat_->Search(*q, 100, 0);
    EXPECT_TRUE(got.ok()) << text << ": " << got.status().ToString();
    std::set<std::string> out;
    if (!got.ok()) return out;
    EXPECT_EQ(got->total, got->hits.size()) << text;
    for (const auto& h : got->hits) out.insert(h.document.path);
    return out;
  }

  SearchHit OneHit(std::string_view text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok());
    auto got = cat_->Search(*q, 100, 0);
    EXPECT_TRUE(got.ok());
    EXPECT_EQ(got.ok() ? got->hits.size() : 0, 1u) << text;
    return got.ok() && !got->hits.empty() ? got->hits[0] : SearchHit{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Catalog> cat_;
};

using Set = std::set<std::string>;

TEST_F(MetadataSearch, FreeTextFoldsCaseSharpSAndDiacritics) {
  for (const char* q : {"strasse", "STRASSE", "Straße", "munchen", "MÜNCHEN", "Munchen",
                        "\"strasse in munchen\"", "münch*", "-numbers munchen"}) {
    EXPECT_EQ(Paths(q), Set{"/d/de.txt"}) << q;
  }
  EXPECT_EQ(Paths("straß*"), (Set{"/d/de.txt", "/d/mail.eml"}));
  EXPECT_EQ(OneHit("munchen").snippet, "Die Straße in [München] ist voller Menschen.");
  EXPECT_EQ(OneHit("strasse").snippet, "Die [Straße] in München ist voller Menschen.");
}

TEST_F(MetadataSearch, CjkWordsAreFoundInsideSentencesWithSnippets) {
  EXPECT_EQ(Paths("東京"), Set{"/d/ja.txt"});
  EXPECT_EQ(Paths("北京"), Set{"/d/zh.txt"});
  EXPECT_EQ(Paths("北京 大学"), Set{"/d/zh.txt"});
  EXPECT_EQ(Paths("东京"), Set{});  // simplified 东 is another character
  EXPECT_EQ(Paths("京"), (Set{"/d/ja.txt", "/d/zh.txt"}));
  EXPECT_EQ(OneHit("東京").snippet, "私は[東京]都に住んでいます。");
  EXPECT_EQ(OneHit("東京都").snippet, "私は[東京都]に住んでいます。");
  EXPECT_EQ(OneHit("\"北京大学\"").snippet, "我们在[北京大学]学习中文。");
  EXPECT_EQ(OneHit("北京 中文").snippet, "我们在[北京]大学学习[中文]。");
}

TEST_F(MetadataSearch, WordFieldsMatchAWordOfAValueOfTheirKey) {
  EXPECT_EQ(Paths("title:quarterly"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("title:\"QUARTERLY report\""), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("title:numbers"), Set{});  // body text is not a title
  EXPECT_EQ(Paths("author:doe"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("author:Müller"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("author:muller"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("author:mul*"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("author:\"jane doe\""), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("author:\"doe jurgen\""), Set{});  // never across two values
  EXPECT_EQ(Paths("author:ann"), Set{});
  EXPECT_EQ(Paths("subject:budget"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("subject:strassenfest"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("from:ann@example.org"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("from:\"ann ann example\""), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("from:bob"), Set{});
  EXPECT_EQ(Paths("to:bob@example.com"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("to:carla"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("lang:pt"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("lang:PT-br"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("lang:de"), Set{});
}

TEST_F(MetadataSearch, PagesAndCreatedCompare) {
  EXPECT_EQ(Paths("pages>10"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("pages>=2"), (Set{"/d/mail.eml", "/d/report.pdf"}));
  EXPECT_EQ(Paths("pages<12"), Set{"/d/mail.eml"});  // "many" is not a count
  EXPECT_EQ(Paths("pages<=12"), (Set{"/d/mail.eml", "/d/report.pdf"}));
  EXPECT_EQ(Paths("pages:2"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("pages>100"), Set{});

  // 2024-03-01T09:30:00Z and 2024-03-02 (a date alone: its midnight); "unknown" never compares.
  EXPECT_EQ(Paths("created>2024-03-01"), (Set{"/d/mail.eml", "/d/report.pdf"}));
  EXPECT_EQ(Paths("created>2024-03-02"), Set{});
  EXPECT_EQ(Paths("created>=2024-03-02"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("created<2024-03-02"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("created<=2024-03-02"), (Set{"/d/mail.eml", "/d/report.pdf"}));
  EXPECT_EQ(Paths("created<2024-03-01T09:30:00"), Set{});
  EXPECT_EQ(Paths("created<=2024-03-01T09:30:00Z"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("created>2024-03-01T09:30"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("created:2024-03-01"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("created:2024-03-02"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("created:2024-03-01T09:30"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("created:2024-03-02T00:00"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("created:2024-03-02T00:01"), Set{});
  EXPECT_EQ(Paths("created>1900-01-01"), (Set{"/d/mail.eml", "/d/report.pdf"}));
}

TEST_F(MetadataSearch, FieldsCombineWithEverythingElse) {
  EXPECT_EQ(Paths("author:doe pages>10"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("author:doe pages<10"), Set{});
  EXPECT_EQ(Paths("author:doe OR from:ann"), (Set{"/d/mail.eml", "/d/report.pdf"}));
  EXPECT_EQ(Paths("(author:doe OR from:ann) -created<2024-03-02"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("numbers author:doe"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("strassenfest subject:strassenfest to:carla"), Set{"/d/mail.eml"});
  EXPECT_EQ(Paths("path:/d -author:doe -from:ann -pages>0"),
            (Set{"/d/de.txt", "/d/ja.txt", "/d/odd.doc", "/d/zh.txt"}));
  EXPECT_EQ(Paths("name:*.pdf OR lang:pt"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("hash.sha256:ab subject:budget"), Set{"/d/report.pdf"});
  // Ranked by the free text, filtered by the field.
  const SearchHit hit = OneHit("numbers title:report");
  EXPECT_EQ(hit.document.path, "/d/report.pdf");
  EXPECT_GT(hit.score, 0.0);
}

TEST_F(MetadataSearch, HitsCarryTheVocabularyFindingsInRecordedOrder) {
  const std::vector<MetadataEntry> report = {
      {"title", "Quarterly Report"},       {"author", "Jane Doe"},    {"author", "Jürgen Müller"},
      {"subject", "Budget 2025"},          {"language", "pt-BR"},     {"pages", "12"},
      {"created", "2024-03-01T09:30:00Z"}, {"creator", "LibreOffice"}};
  EXPECT_EQ(OneHit("author:doe").metadata, report);  // unranked
  EXPECT_EQ(OneHit("numbers").metadata, report);     // ranked
  EXPECT_TRUE(OneHit("munchen").metadata.empty());

  auto q = query::Parse("numbers");
  ASSERT_TRUE(q.ok());
  SearchOptions options;
  options.metadata = false;
  auto got = cat_->Search(*q, 10, 0, options);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->hits.size(), 1u);
  EXPECT_TRUE(got->hits[0].metadata.empty());

  auto metadata = cat_->Metadata({"/d/mail.eml", "/no/such", "/d/report.pdf"});
  ASSERT_TRUE(metadata.ok());
  ASSERT_EQ(metadata->size(), 3u);
  EXPECT_EQ((*metadata)[0].front(), (MetadataEntry{"from", "Ann <ann@example.org>"}));
  EXPECT_TRUE((*metadata)[1].empty());
  EXPECT_EQ((*metadata)[2], report);
}

TEST_F(MetadataSearch, MetadataWordsFollowReanalysisAndRemoval) {
  ASSERT_TRUE(
      cat_->Commit({MetaDoc("/d/report.pdf", "numbers", {{"author", "Max Mustermann"}})}, {}).ok());
  EXPECT_EQ(Paths("author:doe"), Set{});
  EXPECT_EQ(Paths("author:mustermann"), Set{"/d/report.pdf"});
  EXPECT_EQ(Paths("title:quarterly"), Set{});
  EXPECT_EQ(Paths("pages>10"), Set{});
  ASSERT_TRUE(cat_->Commit({MetaDoc("/d/report.pdf", "numbers")}, {}).ok());
  EXPECT_EQ(Paths("author:mustermann"), Set{});
  ASSERT_TRUE(cat_->Commit({}, {"/d/mail.eml"}).ok());
  EXPECT_EQ(Paths("from:ann"), Set{});
  EXPECT_EQ(Paths("pages<5"), Set{});

  // No metadata row is left behind for documents without one.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "catalog.db").c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(RegisterTokenizer(db).ok());
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM metadata_text", -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(MetadataSearch, ChildrenAreListedSortedAndCounted) {
  std::vector<DocumentWrite> writes = {MetaDoc("/z/pack.zip", "")};
  for (const char* member : {"c.txt", "a.txt", "b/inner.zip"}) {
    writes.push_back(MetaDoc(ChildPath("/z/pack.zip", member), "x", {}, "/z/pack.zip"));
  }
  writes.push_back(MetaDoc(ChildPath("/z/pack.zip!/b/inner.zip", "deep.txt"), "y", {},
                           "/z/pack.zip!/b/inner.zip"));
  ASSERT_TRUE(cat_->Commit(writes, {}).ok());
  auto children = cat_->ListChildren("/z/pack.zip", 10);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->paths,
            (std::vector<std::string>{"/z/pack.zip!/a.txt", "/z/pack.zip!/b/inner.zip",
                                      "/z/pack.zip!/c.txt"}));
  EXPECT_EQ(children->total, 3u);
  children = cat_->ListChildren("/z/pack.zip", 2);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->paths.size(), 2u);
  EXPECT_EQ(children->total, 3u);
  children = cat_->ListChildren("/z/pack.zip!/b/inner.zip", 10);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->paths, (std::vector<std::string>{"/z/pack.zip!/b/inner.zip!/deep.txt"}));
  for (const char* none : {"/d/de.txt", "/no/such", ""}) {
    children = cat_->ListChildren(none, 10);
    ASSERT_TRUE(children.ok());
    EXPECT_TRUE(children->paths.empty()) << none;
    EXPECT_EQ(children->total, 0u) << none;
  }
}

// The fields are index lookups, not scans of every finding: the word fields search the metadata
// words' FTS5 index, pages and created their partial indexes (schema.h).
TEST_F(MetadataSearch, FieldsAreAnsweredFromTheirIndexes) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "catalog.db").c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(RegisterTokenizer(db).ok());
  auto plan = [&](std::string_view text) {
    auto q = query::Parse(text);
    EXPECT_TRUE(q.ok());
    auto compiled = Compile(*q, 10, 0);
    EXPECT_TRUE(compiled.ok());
    std::string out;
    sqlite3_exec(
        db, ("EXPLAIN QUERY PLAN " + compiled->sql).c_str(),
        [](void* acc, int columns, char** values, char**) {
          *static_cast<std::string*>(acc) += std::string(values[columns - 1]) + "\n";
          return 0;
        },
        &out, nullptr);
    return out;
  };
  EXPECT_NE(plan("author:doe").find("metadata_text VIRTUAL TABLE INDEX"), std::string::npos)
      << plan("author:doe");
  EXPECT_NE(plan("pages>10").find("USING INDEX findings_pages"), std::string::npos)
      << plan("pages>10");
  EXPECT_NE(plan("created>2024-01-01").find("USING INDEX findings_created"), std::string::npos)
      << plan("created>2024-01-01");
  EXPECT_NE(plan("created:2024-01-01").find("USING INDEX findings_created"), std::string::npos)
      << plan("created:2024-01-01");
  sqlite3_close(db);
}

}  // namespace
}  // namespace archivum::store::sqlite
