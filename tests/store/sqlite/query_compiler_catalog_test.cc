// Compiled queries executed against a real catalog database with a known corpus.
#include <gtest/gtest.h>

#include <set>

#include "catalog_fixture.h"
#include "query/parser.h"

namespace archivum::store::sqlite {
namespace {

using Paths = std::set<std::string>;

const std::string kShaA(64, 'a');
const std::string kShaB(64, 'b');
const std::string kShaC(64, 'c');
const std::string kShaD(64, 'd');

std::vector<CorpusDoc> Corpus() {
  return {
      {"/data/report.txt", 1000, DayNs(2024, 1, 15), "text/plain", kShaA,
       "Quarterly report on revenue growth."},
      {"/data/sub/notes.md", 2048, DayNs(2023, 6, 1), "text/markdown", kShaB,
       "Meeting notes about revenue and hiring. Revenue, revenue!"},
      {"/data-old/archive.pdf", 5 << 20, DayNs(2020, 1, 1), "application/pdf", kShaA,
       "Old revenue report archive."},
      {"/data0/Image.PNG", 200 << 10, DayNs(2024, 1, 1), "image/png", kShaC, std::nullopt},
      {"/home/u/src/main.h", 10, DayNs(2024, 1, 1, 1), "text/x-c", "",
       "int main(void); header declarations"},
      {"/home/u/src/Util.H", 10, DayNs(2022, 1, 1), "text/x-c", "", "utility header"},
      {"/home/u/docs/revenue.txt", 300, DayNs(2024, 3, 1), "text/plain", kShaD,
       "numbers for the quarter"},
      {"/data/quotes.txt", 400, DayNs(2024, 5, 1), "text/plain", kShaD,
       "she said \"a\" OR \"b\" NEAR(x y) title:foo"},
      {"/dat/x.txt", 1, DayNs(2019, 5, 5), "text/plain", std::string(64, 'e'), std::nullopt},
      {"/data/café.txt", 50, DayNs(2024, 6, 1), "text/plain", std::string(64, 'f'),
       "Crème brûlée recipe"},
  };
}

std::vector<CorpusFinding> Findings() {
  return {
      {"/data/report.txt", "filetype", "mime", "text/plain"},
      {"/data/report.txt", "hash", "sha256", kShaA},
      {"/data-old/archive.pdf", "filetype", "mime", "application/pdf"},
      {"/data0/Image.PNG", "filetype", "mime", "image/png"},
      {"/data0/Image.PNG", "exif", "camera.model", "Canon EOS 5D"},
      {"/home/u/docs/revenue.txt", "tag", "label", "what?"},
      {"/home/u/docs/revenue.txt", "tag", "label", "[draft]"},
      {"/data/sub/notes.md", "tag", "label", "whatX"},
  };
}

class QueryCompilerCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(catalog_.ok()) << catalog_.error();
    ASSERT_EQ(catalog_.Insert(Corpus(), Findings()), "");
  }

  // The set of paths `query` matches; also checks count_sql agrees with the rows.
  Paths Match(std::string_view query) {
    QueryRows rows = catalog_.Run(query);
    EXPECT_EQ(rows.error, "") << query;
    EXPECT_EQ(rows.total, static_cast<int64_t>(rows.paths.size())) << query;
    return Paths(rows.paths.begin(), rows.paths.end());
  }

  QueryCatalog catalog_;
};

TEST_F(QueryCompilerCatalogTest, FreeWords) {
  EXPECT_EQ(Match("revenue"), (Paths{"/data/report.txt", "/data/sub/notes.md",
                                     "/data-old/archive.pdf", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("REVENUE"), Match("revenue"));
  EXPECT_EQ(Match("revenue report"), (Paths{"/data/report.txt", "/data-old/archive.pdf"}));
  EXPECT_EQ(Match("header"), (Paths{"/home/u/src/main.h", "/home/u/src/Util.H"}));
  EXPECT_EQ(Match("nothing-here"), Paths{});
  // The path is indexed too: "docs" occurs only in a directory name.
  EXPECT_EQ(Match("docs"), Paths{"/home/u/docs/revenue.txt"});
}

TEST_F(QueryCompilerCatalogTest, DiacriticsAndCaseFold) {
  EXPECT_EQ(Match("creme"), Paths{"/data/café.txt"});
  EXPECT_EQ(Match("BRULEE"), Paths{"/data/café.txt"});
  EXPECT_EQ(Match("café"), Paths{"/data/café.txt"});
  EXPECT_EQ(Match("cafe"), Paths{"/data/café.txt"});
}

TEST_F(QueryCompilerCatalogTest, PhrasesAndPrefixes) {
  EXPECT_EQ(Match("\"revenue growth\""), Paths{"/data/report.txt"});
  EXPECT_EQ(Match("\"growth revenue\""), Paths{});
  EXPECT_EQ(Match("\"REVENUE, revenue\""), Paths{"/data/sub/notes.md"});
  EXPECT_EQ(Match("rev*"), Match("revenue"));
  EXPECT_EQ(Match("quart*"), (Paths{"/data/report.txt", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("head* main"), Paths{"/home/u/src/main.h"});
  EXPECT_EQ(Match("quarter"), Paths{"/home/u/docs/revenue.txt"});  // no stemming
}

TEST_F(QueryCompilerCatalogTest, OrAndExclusion) {
  EXPECT_EQ(Match("hiring OR archive"), (Paths{"/data/sub/notes.md", "/data-old/archive.pdf"}));
  EXPECT_EQ(Match("revenue hiring OR growth"), (Paths{"/data/sub/notes.md", "/data/report.txt"}));
  EXPECT_EQ(Match("revenue -report"), (Paths{"/data/sub/notes.md", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("revenue -report -hiring"), Paths{"/home/u/docs/revenue.txt"});
  EXPECT_EQ(Match("revenue -(report OR hiring)"), Paths{"/home/u/docs/revenue.txt"});
  EXPECT_EQ(Match("revenue -\"old revenue\""),
            (Paths{"/data/report.txt", "/data/sub/notes.md", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("revenue -rep*"), (Paths{"/data/sub/notes.md", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("(report OR header) -(utility OR old)"),
            (Paths{"/data/report.txt", "/home/u/src/main.h"}));
}

TEST_F(QueryCompilerCatalogTest, SyntaxInUserTextIsNotFtsSyntax) {
  EXPECT_EQ(Match("\"NEAR(x y)\""), Paths{"/data/quotes.txt"});
  EXPECT_EQ(Match("NEAR"), Paths{"/data/quotes.txt"});
  EXPECT_EQ(Match(R"("\"a\" OR \"b\"")"), Paths{"/data/quotes.txt"});
  EXPECT_EQ(Match(R"("said \"a")"), Paths{"/data/quotes.txt"});
  EXPECT_EQ(Match("\"title:foo\""), Paths{"/data/quotes.txt"});
  EXPECT_EQ(Match("\"body:revenue\""), Paths{});       // not a column filter: "body" is not in text
  EXPECT_EQ(Match("\"revenue*\""), Match("revenue"));  // '*' inside quotes is not a prefix
  EXPECT_EQ(Match("\"^Quarterly\""), Paths{"/data/report.txt"});
  EXPECT_EQ(Match("\"AND\" revenue"), Paths{"/data/sub/notes.md"});  // keyword as a word
}

TEST_F(QueryCompilerCatalogTest, NameExtMime) {
  EXPECT_EQ(Match("ext:h"), (Paths{"/home/u/src/main.h", "/home/u/src/Util.H"}));
  EXPECT_EQ(Match("ext:.PNG"), Paths{"/data0/Image.PNG"});
  EXPECT_EQ(Match("name:*.h"), (Paths{"/home/u/src/main.h", "/home/u/src/Util.H"}));
  EXPECT_EQ(Match("name:UTIL*"), Paths{"/home/u/src/Util.H"});
  EXPECT_EQ(Match("name:[mu]*"), (Paths{"/home/u/src/main.h", "/home/u/src/Util.H"}));
  EXPECT_EQ(Match("name:?ain.h"), Paths{"/home/u/src/main.h"});
  EXPECT_EQ(Match("name:image.png"), Paths{"/data0/Image.PNG"});
  EXPECT_EQ(Match("name:café.txt"), Paths{"/data/café.txt"});
  EXPECT_EQ(Match("name:report"), Paths{});  // globs match the whole name
  EXPECT_EQ(
      Match("mime:text/*"),
      (Paths{"/data/report.txt", "/data/sub/notes.md", "/home/u/src/main.h", "/home/u/src/Util.H",
             "/home/u/docs/revenue.txt", "/data/quotes.txt", "/dat/x.txt", "/data/café.txt"}));
  EXPECT_EQ(Match("mime:TEXT/PLAIN"), (Paths{"/data/report.txt", "/home/u/docs/revenue.txt",
                                             "/data/quotes.txt", "/dat/x.txt", "/data/café.txt"}));
  EXPECT_EQ(Match("mime:*pdf"), Paths{"/data-old/archive.pdf"});
}

TEST_F(QueryCompilerCatalogTest, PathUnderIsBoundedByDirectory) {
  const Paths data{"/data/report.txt", "/data/sub/notes.md", "/data/quotes.txt", "/data/café.txt"};
  EXPECT_EQ(Match("path:/data"), data);
  EXPECT_EQ(Match("path:/data/"), data);
  EXPECT_EQ(Match("path:/dat"), Paths{"/dat/x.txt"});
  EXPECT_EQ(Match("path:/data-old"), Paths{"/data-old/archive.pdf"});
  EXPECT_EQ(Match("path:/data0"), Paths{"/data0/Image.PNG"});
  EXPECT_EQ(Match("path:/data/sub"), Paths{"/data/sub/notes.md"});
  EXPECT_EQ(Match("path:/data/su"), Paths{});
  EXPECT_EQ(Match("path:/data/report.txt"), Paths{"/data/report.txt"});  // the path itself
  EXPECT_EQ(Match("path:/").size(), 10u);
  EXPECT_EQ(Match("ext:txt -path:/data"), (Paths{"/home/u/docs/revenue.txt", "/dat/x.txt"}));
}

TEST_F(QueryCompilerCatalogTest, SizeComparisons) {
  EXPECT_EQ(Match("size>1k"),
            (Paths{"/data/sub/notes.md", "/data-old/archive.pdf", "/data0/Image.PNG"}));
  EXPECT_EQ(Match("size>=2k"), Match("size>1k"));
  EXPECT_EQ(Match("size>2k"), (Paths{"/data-old/archive.pdf", "/data0/Image.PNG"}));
  EXPECT_EQ(Match("size:1000"), Paths{"/data/report.txt"});
  EXPECT_EQ(Match("size<=10"), (Paths{"/home/u/src/main.h", "/home/u/src/Util.H", "/dat/x.txt"}));
  EXPECT_EQ(Match("size<10"), Paths{"/dat/x.txt"});
  EXPECT_EQ(Match("size>4.9M"), Paths{"/data-old/archive.pdf"});
  EXPECT_EQ(Match("size:5M"), Paths{"/data-old/archive.pdf"});
  EXPECT_EQ(Match("size>100 size<1k"),
            (Paths{"/home/u/docs/revenue.txt", "/data/quotes.txt", "/data/report.txt"}));
}

TEST_F(QueryCompilerCatalogTest, ModifiedComparisons) {
  // 2024-01-01T00:00:00Z exactly: Image.PNG. One second later: main.h.
  EXPECT_EQ(Match("modified>2024-01-01"),
            (Paths{"/data/report.txt", "/home/u/src/main.h", "/home/u/docs/revenue.txt",
                   "/data/quotes.txt", "/data/café.txt"}));
  EXPECT_EQ(Match("modified>=2024-01-01").size(), 6u);
  EXPECT_EQ(Match("modified:2024-01-01"), (Paths{"/data0/Image.PNG", "/home/u/src/main.h"}));
  EXPECT_EQ(Match("modified:2024-01-01T00:00"), Match("modified:2024-01-01"));
  EXPECT_EQ(Match("modified:2024-01-01T00:00:01Z"), Paths{"/home/u/src/main.h"});
  EXPECT_EQ(Match("modified<2021-01-01"), (Paths{"/data-old/archive.pdf", "/dat/x.txt"}));
  EXPECT_EQ(Match("modified<=2020-01-01"), (Paths{"/data-old/archive.pdf", "/dat/x.txt"}));
  EXPECT_EQ(Match("modified<2020-01-01"), Paths{"/dat/x.txt"});
}

TEST_F(QueryCompilerCatalogTest, Sha256AndDup) {
  EXPECT_EQ(Match("sha256:" + std::string(64, 'A')),
            (Paths{"/data/report.txt", "/data-old/archive.pdf"}));
  const Paths dups{"/data/report.txt", "/data-old/archive.pdf", "/home/u/docs/revenue.txt",
                   "/data/quotes.txt"};
  EXPECT_EQ(Match("dup:"), dups);
  EXPECT_EQ(Match("dup:yes -ext:pdf"),
            (Paths{"/data/report.txt", "/home/u/docs/revenue.txt", "/data/quotes.txt"}));
  // Two documents without a hash are not duplicates of each other.
  EXPECT_EQ(Match("ext:h -dup:"), (Paths{"/home/u/src/main.h", "/home/u/src/Util.H"}));
  EXPECT_EQ(Match("ext:h dup:"), Paths{});
}

TEST_F(QueryCompilerCatalogTest, PluginFindings) {
  EXPECT_EQ(Match("filetype.mime:image/*"), Paths{"/data0/Image.PNG"});
  EXPECT_EQ(Match("filetype.mime:"),
            (Paths{"/data/report.txt", "/data-old/archive.pdf", "/data0/Image.PNG"}));
  EXPECT_EQ(Match("exif.camera.model:Canon*"), Paths{"/data0/Image.PNG"});
  EXPECT_EQ(Match("exif.camera.model:canon*"), Paths{});  // case-sensitive
  EXPECT_EQ(Match("exif.camera.model:\"Canon EOS 5D\""), Paths{"/data0/Image.PNG"});
  EXPECT_EQ(Match("hash.sha256:aaaa*"), Paths{"/data/report.txt"});
  // Only '*' is a wildcard: '?' and '[' are literal.
  EXPECT_EQ(Match("tag.label:what?"), Paths{"/home/u/docs/revenue.txt"});
  EXPECT_EQ(Match("tag.label:what*"), (Paths{"/home/u/docs/revenue.txt", "/data/sub/notes.md"}));
  EXPECT_EQ(Match("tag.label:[draft]"), Paths{"/home/u/docs/revenue.txt"});
  EXPECT_EQ(Match("tag.label:[d]*"), Paths{});
  EXPECT_EQ(Match("nosuch.key:"), Paths{});
  EXPECT_EQ(Match("ext:txt -filetype.mime:"), (Paths{"/home/u/docs/revenue.txt", "/data/quotes.txt",
                                                     "/dat/x.txt", "/data/café.txt"}));
}

TEST_F(QueryCompilerCatalogTest, WordsMixedWithFilters) {
  EXPECT_EQ(Match("revenue ext:txt"), (Paths{"/data/report.txt", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("revenue -ext:pdf"),
            (Paths{"/data/report.txt", "/data/sub/notes.md", "/home/u/docs/revenue.txt"}));
  // Only filters are positive: the excluded word becomes NOT IN, and documents without any
  // extracted text (/dat/x.txt) do not contain it.
  EXPECT_EQ(Match("ext:txt -revenue"), (Paths{"/data/quotes.txt", "/dat/x.txt", "/data/café.txt"}));
  EXPECT_EQ(Match("-revenue (ext:txt OR ext:md)"), Match("ext:txt -revenue"));
  EXPECT_EQ(Match("ext:txt -revenue -creme"), (Paths{"/data/quotes.txt", "/dat/x.txt"}));
  EXPECT_EQ(Match("report OR ext:png"),
            (Paths{"/data/report.txt", "/data-old/archive.pdf", "/data0/Image.PNG"}));
  EXPECT_EQ(Match("hiring OR size>4M"), (Paths{"/data/sub/notes.md", "/data-old/archive.pdf"}));
  EXPECT_EQ(Match("(revenue ext:md) OR ext:png"),
            (Paths{"/data/sub/notes.md", "/data0/Image.PNG"}));
  EXPECT_EQ(Match("ext:txt -(revenue OR path:/data)"), Paths{"/dat/x.txt"});
  // A ranked MATCH on the joined table plus MATCH subqueries in the same statement.
  EXPECT_EQ(Match("revenue (report OR path:/home)"),
            (Paths{"/data/report.txt", "/data-old/archive.pdf", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("(quart* OR \"old revenue\") ext:txt"),
            (Paths{"/data/report.txt", "/home/u/docs/revenue.txt"}));
  EXPECT_EQ(Match("revenue similar:/data/report.txt").size(), 4u);
}

TEST_F(QueryCompilerCatalogTest, UserValuesAreBoundNotSpliced) {
  EXPECT_EQ(Match("path:\"/x' OR '1'='1\""), Paths{});
  EXPECT_EQ(Match("name:\"*' OR 1=1 --\""), Paths{});
  EXPECT_EQ(Match("p.k:\"'); DROP TABLE documents; --\""), Paths{});
  EXPECT_EQ(Match("path:/").size(), 10u);  // the table is still there
}

TEST_F(QueryCompilerCatalogTest, RankingPrefersPathWordsThenMoreOccurrences) {
  QueryRows rows = catalog_.Run("revenue");
  ASSERT_EQ(rows.error, "");
  ASSERT_TRUE(rows.ranked);
  ASSERT_EQ(rows.paths.size(), 4u);
  EXPECT_EQ(rows.paths[0], "/home/u/docs/revenue.txt");  // in the path (weight 4)
  EXPECT_EQ(rows.paths[1], "/data/sub/notes.md");        // three times in the body
  for (size_t i = 1; i < rows.scores.size(); ++i) EXPECT_GE(rows.scores[i - 1], rows.scores[i]);
  EXPECT_GT(rows.scores.back(), 0.0);

  rows = catalog_.Run("report");  // /data/report.txt: path and body; archive.pdf: body only
  ASSERT_EQ(rows.paths.size(), 2u);
  EXPECT_EQ(rows.paths[0], "/data/report.txt");
  EXPECT_GT(rows.scores[0], rows.scores[1]);

  rows = catalog_.Run("revenue path:/data");
  ASSERT_EQ(rows.paths.size(), 2u);
  EXPECT_EQ(rows.paths[0], "/data/sub/notes.md");
}

TEST_F(QueryCompilerCatalogTest, SnippetsAndUnrankedResults) {
  QueryRows rows = catalog_.Run("hiring");
  ASSERT_EQ(rows.error, "");
  ASSERT_EQ(rows.snippets.size(), 1u);
  EXPECT_NE(rows.snippets[0].find("[hiring]"), std::string::npos) << rows.snippets[0];

  rows = catalog_.Run("ext:h OR ext:md");
  ASSERT_EQ(rows.error, "");
  EXPECT_FALSE(rows.ranked);
  EXPECT_EQ(rows.paths, (std::vector<std::string>{"/data/sub/notes.md", "/home/u/src/Util.H",
                                                  "/home/u/src/main.h"}));
  EXPECT_EQ(rows.scores, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(rows.snippets, (std::vector<std::string>{"", "", ""}));
}

TEST_F(QueryCompilerCatalogTest, LimitOffsetAndCount) {
  QueryRows rows = catalog_.Run("revenue", 2, 0);
  ASSERT_EQ(rows.error, "");
  EXPECT_EQ(rows.paths.size(), 2u);
  EXPECT_EQ(rows.total, 4);
  rows = catalog_.Run("revenue", 2, 3);
  EXPECT_EQ(rows.paths.size(), 1u);
  EXPECT_EQ(rows.total, 4);
  rows = catalog_.Run("path:/", 3, 8);
  EXPECT_EQ(rows.paths, (std::vector<std::string>{"/home/u/src/Util.H", "/home/u/src/main.h"}));
  EXPECT_EQ(rows.total, 10);
  rows = catalog_.Run("path:/", 0, 0);
  EXPECT_TRUE(rows.paths.empty());
  EXPECT_EQ(rows.total, 10);
}

}  // namespace
}  // namespace archivum::store::sqlite
