// Compile(): the SQL and parameters it produces (execution is in
// query_compiler_catalog_test.cc).
#include "store/sqlite/query_compiler.h"

#include <gtest/gtest.h>

#include "query/parser.h"

namespace archivum::store::sqlite {
namespace {

using query::Comparison;
using query::Field;
using query::Filter;
using query::MakeAnd;
using query::MakeNot;
using query::MakeOr;
using query::MakeTerm;
using query::Node;
using query::NodeKind;
using query::Parse;
using query::ParseOptions;
using query::Prefix;
using query::Query;
using query::VerbCall;
using query::Word;

CompiledQuery CompileText(std::string_view text, int64_t limit = 10, int64_t offset = 0) {
  ParseOptions options;
  options.verbs = {"similar"};
  auto query = Parse(text, options);
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  if (!query.ok()) return {};
  auto compiled = Compile(*query, limit, offset);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return compiled.ok() ? std::move(*compiled) : CompiledQuery{};
}

// The FTS5 expression bound to the ranked MATCH (parameter 1).
std::string MatchParam(std::string_view text) {
  CompiledQuery c = CompileText(text);
  EXPECT_TRUE(c.ranked) << text;
  if (c.params.empty()) return "";
  const auto* s = std::get_if<std::string>(&c.params[0]);
  return s ? *s : "";
}

TEST(QueryCompilerTest, FreeTextBecomesOneQuotedFtsExpression) {
  EXPECT_EQ(MatchParam("report"), "\"report\"");
  EXPECT_EQ(MatchParam("a \"b c\" d*"), "(\"a\" AND \"b c\" AND \"d\" *)");
  EXPECT_EQ(MatchParam("a b OR c"), "(\"a\" AND (\"b\" OR \"c\"))");
  EXPECT_EQ(MatchParam("a -b -\"c d\""), "((\"a\" NOT \"b\") NOT \"c d\")");
  EXPECT_EQ(MatchParam("a -(b OR c*)"), "(\"a\" NOT (\"b\" OR \"c\" *))");
  EXPECT_EQ(MatchParam("(a -b) OR c"), "((\"a\" NOT \"b\") OR \"c\")");
  EXPECT_EQ(MatchParam(R"("say \"hi\"")"), R"("say ""hi""")");
  EXPECT_EQ(MatchParam("NEAR (x)"), "(\"NEAR\" AND \"x\")");
}

TEST(QueryCompilerTest, RankedQueryShape) {
  CompiledQuery c = CompileText("revenue ext:txt", 20, 40);
  EXPECT_TRUE(c.has_catalog_terms);
  EXPECT_TRUE(c.ranked);
  EXPECT_EQ(c.sql,
            "SELECT d.id, d.path, d.size, d.mtime_ns, d.mime, -bm25(texts, 4.0, 1.0) AS score, "
            "snippet(texts, 1, '[', ']', '…', 12) AS snippet FROM documents d JOIN texts ON "
            "texts.rowid = d.id WHERE texts MATCH ?1 AND d.ext = ?2 ORDER BY score DESC, d.path "
            "LIMIT ?3 OFFSET ?4");
  EXPECT_EQ(c.count_sql,
            "SELECT count(*) FROM documents d JOIN texts ON texts.rowid = d.id WHERE texts MATCH "
            "?1 AND d.ext = ?2");
  EXPECT_EQ(c.params, (std::vector<SqlValue>{"\"revenue\"", "txt", int64_t{20}, int64_t{40}}));
  EXPECT_EQ(c.count_params().size(), 2u);
  EXPECT_EQ(c.rank_sql,
            "SELECT d.id, archivum_rank(texts, 4.0, 1.0) FROM documents d JOIN texts ON "
            "texts.rowid = d.id WHERE texts MATCH ?1 AND d.ext = ?2");
  EXPECT_FALSE(c.rank_without_filters);
  EXPECT_EQ(c.fts_match, "\"revenue\"");
  // Without filters the ranking pass reads the FTS table alone.
  c = CompileText("revenue OR profit");
  EXPECT_EQ(c.rank_sql,
            "SELECT count(*) FROM texts WHERE texts MATCH ?1 AND archivum_rank(texts, 4.0, 1.0) "
            "IS NULL");
  EXPECT_TRUE(c.rank_without_filters);
  EXPECT_EQ(c.fts_match, "(\"revenue\" OR \"profit\")");
}

TEST(QueryCompilerTest, UnrankedQueryShape) {
  CompiledQuery c = CompileText("ext:txt -revenue");
  EXPECT_FALSE(c.ranked);
  EXPECT_EQ(c.sql,
            "SELECT d.id, d.path, d.size, d.mtime_ns, d.mime, 0.0 AS score, '' AS snippet FROM "
            "documents d WHERE (d.id NOT IN (SELECT rowid FROM texts WHERE texts MATCH ?1) AND "
            "d.ext = ?2) ORDER BY d.path LIMIT ?3 OFFSET ?4");
  EXPECT_EQ(c.params, (std::vector<SqlValue>{"\"revenue\"", "txt", int64_t{10}, int64_t{0}}));
  EXPECT_TRUE(c.rank_sql.empty());
  EXPECT_TRUE(c.fts_match.empty());
}

TEST(QueryCompilerTest, FilterSql) {
  auto where = [](std::string_view text) {
    CompiledQuery c = CompileText(text);
    const size_t begin = c.count_sql.find(" WHERE ");
    return begin == std::string::npos ? c.count_sql : c.count_sql.substr(begin + 7);
  };
  EXPECT_EQ(where("mime:text/*"), "lower(d.mime) GLOB ?1");
  EXPECT_EQ(where("name:*.h"), "lower(d.name) GLOB ?1");
  EXPECT_EQ(where("path:/data"),
            "(d.path >= ?1 AND d.path < ?2 AND (d.path = ?1 OR d.path >= ?3))");
  EXPECT_EQ(where("size>=1k"), "d.size >= ?1");
  EXPECT_EQ(where("modified:2024-01-01"), "(d.mtime_ns >= ?1 AND d.mtime_ns < ?2)");
  EXPECT_EQ(where("modified<2024-01-01"), "d.mtime_ns < ?1");
  EXPECT_EQ(where("sha256:" + std::string(64, 'f')), "d.sha256 = ?1");
  EXPECT_EQ(where("dup:"),
            "(d.sha256 != '' AND d.sha256 IN (SELECT sha256 FROM documents WHERE sha256 != '' "
            "GROUP BY sha256 HAVING count(*) > 1))");
  EXPECT_EQ(where("p.k:v*"),
            "d.id IN (SELECT f.document_id FROM findings f WHERE f.plugin = ?1 AND f.key = ?2 "
            "AND f.value GLOB ?3)");
  EXPECT_EQ(where("p.k:"),
            "d.id IN (SELECT f.document_id FROM findings f WHERE f.plugin = ?1 AND f.key = ?2)");
  EXPECT_EQ(where("ext:h -size>1k"), "(d.ext = ?1 AND NOT (d.size > ?2))");
  EXPECT_EQ(where("a OR ext:h OR b"),
            "(d.id IN (SELECT rowid FROM texts WHERE texts MATCH ?1) OR d.ext = ?2)");
}

TEST(QueryCompilerTest, ParametersHoldNormalizedValues) {
  CompiledQuery c = CompileText("path:/data/ p.k:what?[x]* name:*.H");
  EXPECT_EQ(c.params, (std::vector<SqlValue>{"/data", "/data0", "/data/", "p", "k", "what[?][[]x]*",
                                             "*.h", int64_t{10}, int64_t{0}}));
  c = CompileText("path:/");
  EXPECT_EQ(c.params, (std::vector<SqlValue>{"/", "0", "/", int64_t{10}, int64_t{0}}));
  c = CompileText("modified:1970-01-02");
  EXPECT_EQ(c.params,
            (std::vector<SqlValue>{int64_t{86400'000'000'000}, int64_t{172800'000'000'000},
                                   int64_t{10}, int64_t{0}}));
}

TEST(QueryCompilerTest, UserTextNeverReachesTheSqlText) {
  const std::string evil = "x' OR 1=1; DROP TABLE documents; --";
  for (const std::string& q :
       {"\"" + evil + "\"", "path:\"/" + evil + "\"", "name:\"" + evil + "\"",
        "p.k:\"" + evil + "\"", "mime:\"" + evil + "\""}) {
    CompiledQuery c = CompileText(q);
    EXPECT_EQ(c.sql.find("DROP"), std::string::npos) << q;
    EXPECT_EQ(c.count_sql.find("DROP"), std::string::npos) << q;
  }
}

TEST(QueryCompilerTest, VerbsOnly) {
  CompiledQuery c = CompileText("similar:/docs/a.txt similar:\"/b c\"");
  EXPECT_FALSE(c.has_catalog_terms);
  EXPECT_TRUE(c.sql.empty());
  EXPECT_TRUE(c.count_sql.empty());
  EXPECT_TRUE(c.params.empty());
  EXPECT_TRUE(c.count_params().empty());
  EXPECT_EQ(c.verbs, (std::vector<VerbCall>{{"similar", "/docs/a.txt"}, {"similar", "/b c"}}));

  c = CompileText("similar:/a report");
  EXPECT_TRUE(c.has_catalog_terms);
  EXPECT_EQ(c.verbs.size(), 1u);
}

TEST(QueryCompilerTest, RejectsBadArgumentsAndMalformedTrees) {
  Query query;
  query.where = MakeTerm(Word{"x"});
  EXPECT_EQ(Compile(query, -1, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Compile(query, 1, -1).status().code(), StatusCode::kInvalidArgument);

  Node bad_not;
  bad_not.kind = NodeKind::kNot;
  query.where = MakeAnd({MakeTerm(Word{"x"}), bad_not});
  EXPECT_EQ(Compile(query, 1, 0).status().code(), StatusCode::kInternal);
  query.where = MakeOr({});
  EXPECT_EQ(Compile(query, 1, 0).status().code(), StatusCode::kInternal);
}

TEST(QueryCompilerTest, HandBuiltTrees) {
  Query query;
  Filter big{Field::kSize, Comparison::kGt, "", 100, 0};
  query.where = MakeAnd({MakeTerm(Prefix{"rep"}), MakeNot(MakeTerm(big))});
  auto c = Compile(query, 5, 0);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ranked);
  EXPECT_EQ(c->params, (std::vector<SqlValue>{"\"rep\" *", int64_t{100}, int64_t{5}, int64_t{0}}));
  EXPECT_EQ(DebugString(*query.where), "(and rep* (not size>100))");
}

}  // namespace
}  // namespace archivum::store::sqlite
