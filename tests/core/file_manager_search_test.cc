// FileManagerImpl::Analyze, GetDocument and ListPlugins in process, over files ingested with the
// good fixture plugins (fixture_c detects the MIME type and answers the `echo` verb; fixture_cpp
// extracts text and unpacks "%FIX" members): words, phrases, prefixes, OR and exclusion, field
// filters, a plugin finding filter, the plugin verb, ranking, limit and offset, refused queries
// with the column, documents with their findings, and the plugin list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/file_manager_fixture.h"

namespace archivum::core {
namespace {

using archivum::testing::WriteFile;
using ::testing::HasSubstr;

using PathSet = std::set<std::string>;

class FileManagerSearchTest : public FileManagerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Start({plugins::testing::FixtureDir("good")}));
    WriteFile(files() / "docs/alpha.txt", "The quick brown fox\njumps over the lazy dog\n");
    WriteFile(files() / "docs/beta.md", "Zebras graze. The quick zebra runs.\n");
    WriteFile(files() / "src/util.h", "int compute_total();\n");
    WriteFile(files() / "big.txt", std::string(20000, 'x') + "\n");
    WriteFile(files() / "bin.dat", std::string("\x01\x02\x03", 3));
    WriteFile(files() / "pack.fix", "%FIX\nfirst.txt=wombat");
    WriteFile(files() / "rank/many.txt", "otter otter otter otter river\n");
    WriteFile(files() / "rank/once.txt", "otter river bank with a lot of other words around it\n");
    const pb::IngestSummary s = Ingest(files());
    ASSERT_EQ(s.files_ingested(), 8u);
  }

  // The matching paths, relative to files().
  PathSet Q(const std::string& query) {
    pb::AnalyzeResponse response;
    const Status st = Analyze(query, &response);
    EXPECT_TRUE(st.ok()) << query << ": " << st.ToString();
    PathSet out;
    const std::string prefix = files().string() + "/";
    for (const auto& p : response.results()) {
      out.insert(p.rfind(prefix, 0) == 0 ? p.substr(prefix.size()) : p);
    }
    return out;
  }
};

TEST_F(FileManagerSearchTest, WordsPhrasesPrefixesOrAndExclusion) {
  EXPECT_EQ(Q("fox"), (PathSet{"docs/alpha.txt"}));
  EXPECT_EQ(Q("QUICK"), (PathSet{"docs/alpha.txt", "docs/beta.md"}));
  EXPECT_EQ(Q("quick zebra"), (PathSet{"docs/beta.md"}));
  EXPECT_EQ(Q("\"quick brown\""), (PathSet{"docs/alpha.txt"}));
  EXPECT_EQ(Q("\"brown quick\""), PathSet{});
  EXPECT_EQ(Q("zebr*"), (PathSet{"docs/beta.md"}));
  EXPECT_EQ(Q("fox OR zebras"), (PathSet{"docs/alpha.txt", "docs/beta.md"}));
  EXPECT_EQ(Q("quick -zebra"), (PathSet{"docs/alpha.txt"}));
  EXPECT_EQ(Q("util"), (PathSet{"src/util.h"})) << "words of the path match too";
  EXPECT_EQ(Q("wombat"), (PathSet{"pack.fix!/first.txt"})) << "a member's text is its own";
  EXPECT_EQ(Q("nothing-matches-this"), PathSet{});
}

TEST_F(FileManagerSearchTest, FieldFilters) {
  EXPECT_EQ(Q("ext:md"), (PathSet{"docs/beta.md"}));
  EXPECT_EQ(Q("mime:application/octet-stream"), (PathSet{"bin.dat"}));
  EXPECT_EQ(Q("mime:application/x-fixture"), (PathSet{"pack.fix"}));
  EXPECT_EQ(Q("path:" + P("src")), (PathSet{"src/util.h"}));
  EXPECT_EQ(Q("name:*.h"), (PathSet{"src/util.h"}));
  EXPECT_EQ(Q("size>10k"), (PathSet{"big.txt"}));
  EXPECT_EQ(Q("quick ext:md"), (PathSet{"docs/beta.md"}));
  EXPECT_EQ(Q("ext:txt -path:" + P("rank")),
            (PathSet{"docs/alpha.txt", "big.txt", "pack.fix!/first.txt"}));
}

TEST_F(FileManagerSearchTest, APluginFindingFilterMatchesAndIsReportedOnTheHit) {
  // PLUGIN.KEY:VALUE; fixture_cpp's finding key is "fixture_cpp.lines".
  EXPECT_EQ(Q("fixture_cpp.fixture_cpp.lines:2"), (PathSet{"docs/alpha.txt"}));
  EXPECT_EQ(Q("fixture_old.fixture_old.mime:application/x-fixture"), (PathSet{"pack.fix"}));
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("fixture_cpp.fixture_cpp.lines:2", &r).ok());
  ASSERT_EQ(r.hits_size(), 1);
  ASSERT_EQ(r.hits(0).findings_size(), 1);
  EXPECT_EQ(r.hits(0).findings(0).plugin(), "fixture_cpp");
  EXPECT_EQ(r.hits(0).findings(0).key(), "fixture_cpp.lines");
  EXPECT_EQ(r.hits(0).findings(0).value(), "2");
}

TEST_F(FileManagerSearchTest, ThePluginVerbAnswersForCatalogedDocumentsOnly) {
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("echo:" + P("docs/beta.md"), &r).ok());
  ASSERT_EQ(r.hits_size(), 1);
  EXPECT_EQ(r.hits(0).path(), P("docs/beta.md"));
  EXPECT_EQ(r.hits(0).score(), 1.0);
  EXPECT_EQ(r.hits(0).mime(), "text/plain");
  ASSERT_EQ(r.hits(0).findings_size(), 1);
  EXPECT_EQ(r.hits(0).findings(0).plugin(), "fixture_c");
  EXPECT_EQ(r.hits(0).findings(0).key(), "echo");
  EXPECT_EQ(r.hits(0).findings(0).value(), "echo from fixture_c");
  EXPECT_EQ(r.total(), 1u);

  // The verb narrows, the other terms filter.
  EXPECT_EQ(Q("echo:" + P("docs/beta.md") + " zebra"), (PathSet{"docs/beta.md"}));
  EXPECT_EQ(Q("echo:" + P("docs/beta.md") + " fox"), PathSet{});
  // A hit for a document the catalog does not hold is dropped.
  EXPECT_EQ(Q("echo:" + P("docs/never-ingested.txt")), PathSet{});
}

TEST_F(FileManagerSearchTest, HitsAreBestFirstWithScoreSnippetMimeAndSize) {
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("otter", &r).ok());
  ASSERT_EQ(r.results_size(), 2);
  EXPECT_EQ(r.results(0), P("rank/many.txt"));
  EXPECT_EQ(r.total(), 2u);

  ASSERT_TRUE(Analyze("fox", &r).ok());
  ASSERT_EQ(r.hits_size(), 1);
  const pb::Hit& h = r.hits(0);
  EXPECT_EQ(h.path(), P("docs/alpha.txt"));
  EXPECT_EQ(h.mime(), "text/plain");
  EXPECT_EQ(h.size(), 44u);
  EXPECT_GT(h.score(), 0);
  EXPECT_GT(h.mtime_ns(), 0);
  EXPECT_THAT(h.snippet(), HasSubstr("[fox]"));
}

TEST_F(FileManagerSearchTest, LimitAndOffsetPageThroughEveryMatchOnce) {
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("ext:txt", &r, 2).ok());
  EXPECT_EQ(r.results_size(), 2);
  EXPECT_EQ(r.total(), 5u);
  std::set<std::string> seen;
  for (uint32_t offset = 0; offset < r.total(); offset += 2) {
    pb::AnalyzeResponse page;
    ASSERT_TRUE(Analyze("ext:txt", &page, 2, offset).ok());
    EXPECT_EQ(page.total(), 5u);
    for (const auto& p : page.results()) EXPECT_TRUE(seen.insert(p).second) << "repeated " << p;
  }
  EXPECT_EQ(seen.size(), 5u);
  ASSERT_TRUE(Analyze("ext:txt", &r, 2, 10).ok());
  EXPECT_EQ(r.results_size(), 0) << "an offset past the end is an empty page";
  EXPECT_EQ(r.total(), 5u);
}

TEST_F(FileManagerSearchTest, MalformedQueriesAreInvalidArgumentWithTheColumn) {
  for (const auto& [q, col] :
       std::vector<std::pair<std::string, std::string>>{{"fox \"unterminated", "column 5"},
                                                        {"nosuchfield:x", "column 1"},
                                                        {"size>abc", "column"},
                                                        {"-fox", "column"},
                                                        {"sha256:xyz", "column 8"}}) {
    pb::AnalyzeResponse r;
    const Status st = Analyze(q, &r);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << q;
    EXPECT_THAT(st.message(), HasSubstr(col)) << q;
  }
  pb::AnalyzeResponse r;
  const Status empty = Analyze(" \t ", &r);
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "query is empty; send at least one word or filter");
  const Status long_query = Analyze(std::string(4097, 'q'), &r);
  EXPECT_EQ(long_query.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(long_query.message(),
            "the query is 4097 bytes; at most 4096 are allowed (server.max_query_length)");
}

TEST_F(FileManagerSearchTest, GetDocumentReturnsTheRecordWithItsFindingsOrNotFound) {
  pb::Document doc;
  ASSERT_TRUE(GetDocument(P("docs/alpha.txt"), &doc).ok());
  EXPECT_EQ(doc.path(), P("docs/alpha.txt"));
  EXPECT_EQ(doc.parent(), "");
  EXPECT_EQ(doc.size(), 44u);
  EXPECT_EQ(doc.mime(), "text/plain");
  EXPECT_GT(doc.mtime_ns(), 0);
  EXPECT_GT(doc.ingested_at_ns(), 0);
  EXPECT_THAT(doc.analyzers(),
              ::testing::ElementsAre("fixture_c@1.2.3", "fixture_cpp@2.0.0", "fixture_old@0.9"));
  std::map<std::string, std::string> findings;
  for (const auto& f : doc.findings()) findings[f.plugin() + "/" + f.key()] = f.value();
  EXPECT_EQ(findings["fixture_c/fixture_c.size"], "44");
  EXPECT_EQ(findings["fixture_cpp/fixture_cpp.lines"], "2");
  EXPECT_EQ(findings["fixture_old/fixture_old.mime"], "text/plain");

  // No fixture emits the metadata vocabulary, and a plain file has no children.
  EXPECT_EQ(doc.metadata_size(), 0);
  EXPECT_EQ(doc.children_size(), 0);
  EXPECT_EQ(doc.children_total(), 0u);

  ASSERT_TRUE(GetDocument(P("pack.fix"), &doc).ok());
  EXPECT_THAT(doc.children(), ::testing::ElementsAre(P("pack.fix") + "!/first.txt"));
  EXPECT_EQ(doc.children_total(), 1u);

  ASSERT_TRUE(GetDocument(P("pack.fix") + "!/first.txt", &doc).ok());
  EXPECT_EQ(doc.parent(), P("pack.fix"));
  EXPECT_EQ(doc.size(), 6u);
  EXPECT_EQ(doc.children_size(), 0);

  const Status missing = GetDocument(P("docs/missing.md"), &doc);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "no cataloged document at " + P("docs/missing.md"));
  const Status empty = GetDocument("", &doc);
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "path is empty");
}

TEST_F(FileManagerSearchTest, ListPluginsReportsTheLoadedPluginsAndTheirCalls) {
  pb::ListPluginsResponse list;
  ASSERT_TRUE(service_->ListPlugins({}, CallContext{}, &list).ok());
  EXPECT_EQ(list.host_abi_version(), "1.4");
  ASSERT_EQ(list.plugins_size(), 3);
  const pb::PluginInfo* c = plugins::testing::FindByName(list, "fixture_c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state(), pb::PluginInfo::LOADED);
  EXPECT_EQ(c->stage(), "detect");
  EXPECT_THAT(c->query_verbs(), ::testing::ElementsAre("echo"));
  // Eight files and one member, each detected once.
  EXPECT_EQ(c->calls(), 9u);
  EXPECT_EQ(c->errors(), 0u);
}

class FileManagerPluginListTest : public FileManagerTest {};

TEST_F(FileManagerPluginListTest, WithoutPluginsTheListIsEmptyButNamesTheHostAbi) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  pb::ListPluginsResponse list;
  ASSERT_TRUE(service_->ListPlugins({}, CallContext{}, &list).ok());
  EXPECT_EQ(list.plugins_size(), 0);
  EXPECT_EQ(list.host_abi_version(), "1.4");
}

TEST_F(FileManagerPluginListTest, RefusedPluginsAreListedAsFailedWithTheReason) {
  ASSERT_NO_FATAL_FAILURE(Start({plugins::testing::FixtureDir("broken")}));
  pb::ListPluginsResponse list;
  ASSERT_TRUE(service_->ListPlugins({}, CallContext{}, &list).ok());
  const pb::PluginInfo* major = plugins::testing::FindByFile(list, "fixture_abi_major.so");
  ASSERT_NE(major, nullptr);
  EXPECT_EQ(major->state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(major->reason(), "requires ABI 2.0, host provides 1.4");
  const pb::PluginInfo* loaded = plugins::testing::FindByFile(list, "fixture_throws.so");
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->state(), pb::PluginInfo::LOADED);
}

}  // namespace
}  // namespace archivum::core
