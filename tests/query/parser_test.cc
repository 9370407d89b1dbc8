// Parse(): what each construct of the query language becomes (as DebugString).
#include "query/parser.h"

#include <gtest/gtest.h>

namespace archivum::query {
namespace {

ParseOptions WithVerbs() {
  ParseOptions options;
  options.verbs = {"similar"};
  return options;
}

// The tree as text, or "ERROR <message>".
std::string Tree(std::string_view text, const ParseOptions& options = WithVerbs()) {
  auto query = Parse(text, options);
  if (!query.ok()) return "ERROR " + query.status().message();
  return DebugString(*query);
}

TEST(QueryParserTest, WordsAreAndedImplicitly) {
  EXPECT_EQ(Tree("hello"), "hello");
  EXPECT_EQ(Tree("hello world"), "(and hello world)");
  EXPECT_EQ(Tree("  hello \t\n world  "), "(and hello world)");
  EXPECT_EQ(Tree("foo-bar C++ naïve"), "(and foo-bar C++ naïve)");
}

TEST(QueryParserTest, OrBindsTighterThanAnd) {
  EXPECT_EQ(Tree("a b OR c"), "(and a (or b c))");
  EXPECT_EQ(Tree("a OR b c"), "(and (or a b) c)");
  EXPECT_EQ(Tree("a OR b OR c"), "(or a b c)");
  EXPECT_EQ(Tree("a OR b c OR d"), "(and (or a b) (or c d))");
  EXPECT_EQ(Tree("a\tOR\nb"), "(or a b)");
}

TEST(QueryParserTest, OnlyUppercaseOrIsAKeyword) {
  EXPECT_EQ(Tree("a or b"), "(and a or b)");
  EXPECT_EQ(Tree("a Or b"), "(and a Or b)");
  EXPECT_EQ(Tree("ORACLE OR ORM"), "(or ORACLE ORM)");
  EXPECT_EQ(Tree("a \"OR\" b"), "(and a \"OR\" b)");
  EXPECT_EQ(Tree("a OR\"b c\""), "(or a \"b c\")");
}

TEST(QueryParserTest, Parentheses) {
  EXPECT_EQ(Tree("(a b) OR c"), "(or (and a b) c)");
  EXPECT_EQ(Tree("a (b OR c) d"), "(and a (or b c) d)");
  EXPECT_EQ(Tree("((a))"), "a");
  EXPECT_EQ(Tree("( a  b )"), "(and a b)");
  EXPECT_EQ(Tree("(a OR (b -c)) ext:h"), "(and (or a (and b (not c))) ext:h)");
}

TEST(QueryParserTest, Phrases) {
  EXPECT_EQ(Tree("\"exact phrase\""), "\"exact phrase\"");
  EXPECT_EQ(Tree("\"single\""), "\"single\"");
  EXPECT_EQ(Tree(R"("say \"hi\" now")"), R"("say \"hi\" now")");
  EXPECT_EQ(Tree(R"("back\\slash")"), R"("back\\slash")");
  // Other backslashes are literal.
  EXPECT_EQ(Tree(R"("C:\temp\x")"), R"("C:\\temp\\x")");
  EXPECT_EQ(Tree("a \"b c\" d"), "(and a \"b c\" d)");
}

TEST(QueryParserTest, SyntaxInsidePhrasesIsPlainText) {
  EXPECT_EQ(Tree(R"("\"a\" OR \"b\"")"), R"("\"a\" OR \"b\"")");
  EXPECT_EQ(Tree("\"NEAR(a b)\""), "\"NEAR(a b)\"");
  EXPECT_EQ(Tree("\"a) OR (b\""), "\"a) OR (b\"");
  EXPECT_EQ(Tree("\"x* -y\""), "\"x* -y\"");
  EXPECT_EQ(Tree("\"mime:text/* size>1\""), "\"mime:text/* size>1\"");
  EXPECT_EQ(Tree("\"similar:/a\""), "\"similar:/a\"");
  EXPECT_EQ(Tree("NEAR (a b)"), "(and NEAR (and a b))");
}

TEST(QueryParserTest, Prefixes) {
  EXPECT_EQ(Tree("rep*"), "rep*");
  EXPECT_EQ(Tree("r*"), "r*");
  EXPECT_EQ(Tree("a rep* OR doc*"), "(and a (or rep* doc*))");
  EXPECT_EQ(Tree("-draft*"),
            "ERROR column 1: expected at least one term that is not excluded, "
            "got only exclusions");
}

TEST(QueryParserTest, Exclusions) {
  EXPECT_EQ(Tree("report -draft"), "(and report (not draft))");
  EXPECT_EQ(Tree("report -\"first draft\""), "(and report (not \"first draft\"))");
  EXPECT_EQ(Tree("report -dra*"), "(and report (not dra*))");
  EXPECT_EQ(Tree("report -ext:pdf"), "(and report (not ext:pdf))");
  EXPECT_EQ(Tree("report -(a OR b)"), "(and report (not (or a b)))");
  EXPECT_EQ(Tree("a -b OR c"), "(and a (or (not b) c))");
  EXPECT_EQ(Tree("x (a -b)"), "(and x (and a (not b)))");
  EXPECT_EQ(Tree("a-b"), "a-b");  // only a leading '-' excludes
}

TEST(QueryParserTest, BuiltInFilters) {
  EXPECT_EQ(Tree("mime:Text/*"), "mime:text/*");
  EXPECT_EQ(Tree("ext:PDF"), "ext:pdf");
  EXPECT_EQ(Tree("ext:.pdf"), "ext:pdf");
  EXPECT_EQ(Tree("path:/data"), "path:/data");
  EXPECT_EQ(Tree("path:/data//"), "path:/data");
  EXPECT_EQ(Tree("path:/"), "path:/");
  EXPECT_EQ(Tree("path:\"/dir with space/\""), "path:\"/dir with space\"");
  EXPECT_EQ(Tree("name:*.H"), "name:*.h");
  EXPECT_EQ(Tree("name:[A-c]?x*"), "name:[a-c]?x*");
  EXPECT_EQ(Tree("name:\"my file (1).txt\""), "name:\"my file (1).txt\"");
  EXPECT_EQ(Tree("sha256:" + std::string(64, 'A')), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(Tree("dup:"), "dup:");
  EXPECT_EQ(Tree("dup:true"), "dup:");
  EXPECT_EQ(Tree("dup:YES"), "dup:");
  EXPECT_EQ(Tree("MIME:text/plain Ext:txt"), "(and mime:text/plain ext:txt)");
}

TEST(QueryParserTest, SizeAndModifiedComparisons) {
  EXPECT_EQ(Tree("size>1M"), "size>1048576");
  EXPECT_EQ(Tree("size<10k"), "size<10240");
  EXPECT_EQ(Tree("size>=2G"), "size>=2147483648");
  EXPECT_EQ(Tree("size<=1T"), "size<=1099511627776");
  EXPECT_EQ(Tree("size:512"), "size:512");
  EXPECT_EQ(Tree("size:>1k"), "size>1024");
  EXPECT_EQ(Tree("Size<=\"3\""), "size<=3");
  EXPECT_EQ(Tree("modified>2024-01-01"), "modified>1704067200000000000");
  EXPECT_EQ(Tree("modified:2024-01-01"), "modified:[1704067200000000000,1704153600000000000)");
  EXPECT_EQ(Tree("modified<2024-01-01T12:30Z"), "modified<1704112200000000000");
  EXPECT_EQ(Tree("modified:>=2024-01-01T12:30:15"), "modified>=1704112215000000000");
  EXPECT_EQ(Tree("a size>1k OR size<10"), "(and a (or size>1024 size<10))");
}

TEST(QueryParserTest, PluginFindingFilters) {
  EXPECT_EQ(Tree("filetype.mime:image/*"), "filetype.mime:image/*");
  EXPECT_EQ(Tree("hash.sha256:ab12*"), "hash.sha256:ab12*");
  EXPECT_EQ(Tree("exif.camera.model:"), "exif.camera.model:");
  EXPECT_EQ(Tree("my_plug-in.Key-1:\"Canon EOS\""), "my_plug-in.Key-1:\"Canon EOS\"");
  EXPECT_EQ(Tree("p.k:a:b"), "p.k:a:b");
  EXPECT_EQ(Tree("report -tag.label:draft"), "(and report (not tag.label:draft))");
}

TEST(QueryParserTest, VerbsAreHoistedOutOfTheTree) {
  EXPECT_EQ(Tree("similar:/docs/a.txt"), "[similar:/docs/a.txt]");
  EXPECT_EQ(Tree("report similar:\"/docs/a b.txt\" ext:txt"),
            "(and report ext:txt) [similar:\"/docs/a b.txt\"]");
  auto query = Parse("similar:/a x similar:/b", WithVerbs());
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  ASSERT_EQ(query->verbs.size(), 2u);
  EXPECT_EQ(query->verbs[0], (VerbCall{"similar", "/a"}));
  EXPECT_EQ(query->verbs[1], (VerbCall{"similar", "/b"}));
  ASSERT_TRUE(query->where.has_value());
  EXPECT_EQ(DebugString(*query->where), "x");
  // Verbs only: no catalog part.
  query = Parse("similar:/a", WithVerbs());
  ASSERT_TRUE(query.ok());
  EXPECT_FALSE(query->where.has_value());
}

TEST(QueryParserTest, BuiltInsWinOverVerbsAndVerbsOverPluginKeys) {
  ParseOptions options;
  options.verbs = {"path", "a.b"};
  EXPECT_EQ(Tree("path:/x", options), "path:/x");
  EXPECT_EQ(Tree("a.b:x", options), "[a.b:x]");
  EXPECT_EQ(Tree("a.c:x", options), "a.c:x");
}

TEST(QueryParserTest, ColumnsAreRecorded) {
  auto query = Parse("alpha -(b OR c) ext:h", WithVerbs());
  ASSERT_TRUE(query.ok());
  const Node& root = *query->where;
  ASSERT_EQ(root.children.size(), 3u);
  EXPECT_EQ(root.children[0].column, 1u);
  EXPECT_EQ(root.children[1].column, 7u);
  EXPECT_EQ(root.children[1].children[0].column, 8u);
  EXPECT_EQ(root.children[1].children[0].children[1].column, 14u);
  EXPECT_EQ(root.children[2].column, 17u);
}

TEST(QueryParserTest, LimitsAreInclusive) {
  ParseOptions options;
  options.max_query_bytes = 16;
  options.max_terms = 3;
  options.max_depth = 2;
  EXPECT_EQ(Tree("aaaaaa bbbbbbbbb", options), "(and aaaaaa bbbbbbbbb)");  // exactly 16 bytes
  EXPECT_EQ(Tree("a b c", options), "(and a b c)");
  EXPECT_EQ(Tree("((a))", options), "a");
}

TEST(QueryParserTest, MetadataWordFields) {
  EXPECT_EQ(Tree("author:doe"), "author:doe");
  EXPECT_EQ(Tree("AUTHOR:Doe"), "author:Doe");  // the name in any case, the value as typed
  EXPECT_EQ(Tree("author:\"jane doe\""), "author:\"jane doe\"");
  EXPECT_EQ(Tree("author:do*"), "author:do*");
  EXPECT_EQ(Tree("author:\"do*\""), "author:\"do*\"");  // quoted: no prefix
  EXPECT_EQ(Tree("title:report subject:Budget"), "(and title:report subject:Budget)");
  EXPECT_EQ(Tree("from:ann@example.org to:bob"), "(and from:ann@example.org to:bob)");
  EXPECT_EQ(Tree("lang:pt-BR"), "lang:pt-BR");
  EXPECT_EQ(Tree("author:Müller"), "author:Müller");
  auto q = Parse("lang:de*");
  ASSERT_TRUE(q.ok());
  const auto& f = std::get<Filter>(q->where->term);
  EXPECT_EQ(f.field, Field::kLang);
  EXPECT_EQ(MetadataKey(f.field), "language");
  EXPECT_EQ(f.text, "de");
  EXPECT_TRUE(f.prefix);
}

TEST(QueryParserTest, PagesAndCreatedCompare) {
  EXPECT_EQ(Tree("pages>10"), "pages>10");
  EXPECT_EQ(Tree("pages:3"), "pages:3");
  EXPECT_EQ(Tree("Pages:<=0"), "pages<=0");
  EXPECT_EQ(Tree("created>2024-01-01"), "created>1704067200000000000");
  EXPECT_EQ(Tree("created<2024-01-01T12:00Z"), "created<1704110400000000000");
  EXPECT_EQ(Tree("created:2024-01-01"), "created:[1704067200000000000,1704153600000000000)");
}

TEST(QueryParserTest, MetadataFieldsCombineWithEverything) {
  EXPECT_EQ(Tree("report author:doe -lang:de (from:ann OR to:bob) pages>=2 similar:/x"),
            "(and report author:doe (not lang:de) (or from:ann to:bob) pages>=2) [similar:/x]");
  EXPECT_EQ(Tree("-author:doe title:x"), "(and (not author:doe) title:x)");
}

}  // namespace
}  // namespace archivum::query
