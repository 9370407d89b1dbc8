// Search over every language and over the metadata fields, through the real daemon: German,
// Japanese and Chinese text ingested with the bundled plugins and found by folded words and CJK
// substrings, over gRPC and the HTTP gateway alike; the metadata vocabulary a fixture plugin
// emits (standing in for the format plugins) found with title:, author:, from:, to:, lang:,
// pages and created, carried by hits and by GetDocument with the document's children.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using nlohmann::json;
using testing::WriteFile;

class SearchDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS, ARCHIVUM_FIXTURE_DIR "/vocabulary"};
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    corpus_ = daemon_->dir() / "corpus";
    WriteFile(corpus_ / "de.txt", "Die Straße in München ist im Sommer voller Menschen.\n");
    WriteFile(corpus_ / "ja.txt", "私は東京都に住んでいます。毎朝、電車で会社に行きます。\n");
    WriteFile(corpus_ / "zh.txt", "我们在北京大学学习中文和历史。\n");
    WriteFile(corpus_ / "report.txt",
              "VOCABULARY\n"
              "title: Quarterly Report\n"
              "author: Jane Doe\n"
              "author: Jürgen Müller\n"
              "subject: Budget 2025\n"
              "language: pt-BR\n"
              "pages: 12\n"
              "created: 2024-03-01T09:30:00Z\n"
              "member: b-appendix.txt=appendix text\n"
              "member: a-summary.txt=summary text\n");
    WriteFile(corpus_ / "mail.txt",
              "VOCABULARY\n"
              "from: Ann <ann@example.org>\n"
              "to: bob@example.com\n"
              "subject: Straßenfest\n"
              "pages: 2\n"
              "created: 2024-03-02\n");
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(corpus_.string());
    pb::IngestSummary summary;
    const grpc::Status st = stub_->Ingest(&ctx, req, &summary);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(summary.files_failed(), 0u) << summary.DebugString();
  }

  pb::AnalyzeResponse Analyze(const std::string& query) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(query);
    pb::AnalyzeResponse out;
    const grpc::Status st = stub_->Analyze(&ctx, req, &out);
    EXPECT_TRUE(st.ok()) << query << ": " << st.error_message();
    return out;
  }

  // The matching paths relative to the corpus, sorted.
  std::set<std::string> Paths(const std::string& query) {
    std::set<std::string> out;
    const pb::AnalyzeResponse response = Analyze(query);
    for (const std::string& path : response.results()) {
      out.insert(fs::path(path).lexically_relative(corpus_).string());
    }
    return out;
  }

  ht::Response Get(const std::string& target) {
    return ht::Fetch(daemon_->http_address(), ht::MakeRequest(ht::http::verb::get, target, "", ""));
  }

  ht::Response Post(const std::string& target, const json& body) {
    return ht::Fetch(daemon_->http_address(),
                     ht::MakeRequest(ht::http::verb::post, target, body.dump()));
  }

  std::string P(const std::string& rel) const { return (corpus_ / rel).string(); }

  std::unique_ptr<testing::Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path corpus_;
};

using Set = std::set<std::string>;

TEST_F(SearchDaemonTest, FoldedWordsFindGermanText) {
  for (const char* q : {"strasse", "STRASSE", "Straße", "munchen", "MÜNCHEN", "München",
                        "\"die strasse in munchen\"", "münch*"}) {
    EXPECT_EQ(Paths(q), Set{"de.txt"}) << q;
  }
  // mail.txt's text holds "Straßenfest".
  EXPECT_EQ(Paths("straß*"), (Set{"de.txt", "mail.txt"}));
  const pb::AnalyzeResponse r = Analyze("munchen");
  ASSERT_EQ(r.hits_size(), 1);
  EXPECT_NE(r.hits(0).snippet().find("[München]"), std::string::npos) << r.hits(0).snippet();
}

TEST_F(SearchDaemonTest, JapaneseAndChineseWordsAreFoundInsideSentences) {
  EXPECT_EQ(Paths("東京"), Set{"ja.txt"});
  EXPECT_EQ(Paths("東京都"), Set{"ja.txt"});
  EXPECT_EQ(Paths("電車"), Set{"ja.txt"});
  EXPECT_EQ(Paths("北京"), Set{"zh.txt"});
  EXPECT_EQ(Paths("北京大学"), Set{"zh.txt"});
  EXPECT_EQ(Paths("历史"), Set{"zh.txt"});
  EXPECT_EQ(Paths("京"), (Set{"ja.txt", "zh.txt"}));  // one character: every occurrence
  EXPECT_EQ(Paths("大阪"), Set{});
  const pb::AnalyzeResponse r = Analyze("東京");
  ASSERT_EQ(r.hits_size(), 1);
  EXPECT_NE(r.hits(0).snippet().find("[東京]都"), std::string::npos) << r.hits(0).snippet();
}

TEST_F(SearchDaemonTest, MetadataFieldsMatchWordsOfAnyValueFolded) {
  EXPECT_EQ(Paths("title:quarterly"), Set{"report.txt"});
  EXPECT_EQ(Paths("title:\"quarterly report\""), Set{"report.txt"});
  EXPECT_EQ(Paths("author:doe"), Set{"report.txt"});
  EXPECT_EQ(Paths("author:DOE"), Set{"report.txt"});
  EXPECT_EQ(Paths("author:muller"), Set{"report.txt"});
  EXPECT_EQ(Paths("author:jurg*"), Set{"report.txt"});
  EXPECT_EQ(Paths("author:\"doe jurgen\""), Set{});  // never across two values
  EXPECT_EQ(Paths("subject:strassenfest"), Set{"mail.txt"});
  EXPECT_EQ(Paths("from:ann@example.org"), Set{"mail.txt"});
  EXPECT_EQ(Paths("from:ann"), Set{"mail.txt"});
  EXPECT_EQ(Paths("to:bob"), Set{"mail.txt"});
  EXPECT_EQ(Paths("to:ann"), Set{});
  EXPECT_EQ(Paths("lang:pt"), Set{"report.txt"});
  EXPECT_EQ(Paths("lang:pt-br"), Set{"report.txt"});
  // The free text of a file holds its VOCABULARY lines too; a field looks at metadata only.
  EXPECT_EQ(Paths("author:ann"), Set{});
}

TEST_F(SearchDaemonTest, PagesAndCreatedCompareAndCombine) {
  EXPECT_EQ(Paths("pages>10"), Set{"report.txt"});
  EXPECT_EQ(Paths("pages<5"), Set{"mail.txt"});
  EXPECT_EQ(Paths("pages:12"), Set{"report.txt"});
  EXPECT_EQ(Paths("pages>=2"), (Set{"mail.txt", "report.txt"}));
  EXPECT_EQ(Paths("created>2024-03-01"), (Set{"mail.txt", "report.txt"}));
  EXPECT_EQ(Paths("created<2024-03-02"), Set{"report.txt"});  // a date-only value is its midnight
  EXPECT_EQ(Paths("created:2024-03-02"), Set{"mail.txt"});
  EXPECT_EQ(Paths("created>2024-03-01T10:00"), Set{"mail.txt"});
  EXPECT_EQ(Paths("author:doe pages>10"), Set{"report.txt"});
  EXPECT_EQ(Paths("author:doe OR from:ann"), (Set{"mail.txt", "report.txt"}));
  EXPECT_EQ(Paths("(author:doe OR from:ann) -pages>10"), Set{"mail.txt"});
  EXPECT_EQ(Paths("budget author:doe"), Set{"report.txt"});
  EXPECT_EQ(Paths("ext:txt -created>2000-01-01 -pages>0"),
            (Set{"de.txt", "ja.txt", "zh.txt", "report.txt!/a-summary.txt",
                 "report.txt!/b-appendix.txt"}));
}

TEST_F(SearchDaemonTest, HitsCarryTheDocumentsMetadata) {
  const pb::AnalyzeResponse r = Analyze("author:doe");
  ASSERT_EQ(r.hits_size(), 1);
  std::vector<std::pair<std::string, std::string>> metadata;
  for (const pb::MetadataEntry& m : r.hits(0).metadata()) metadata.emplace_back(m.key(), m.value());
  EXPECT_EQ(metadata, (std::vector<std::pair<std::string, std::string>>{
                          {"title", "Quarterly Report"},
                          {"author", "Jane Doe"},
                          {"author", "Jürgen Müller"},
                          {"subject", "Budget 2025"},
                          {"language", "pt-BR"},
                          {"pages", "12"},
                          {"created", "2024-03-01T09:30:00Z"}}));
  EXPECT_EQ(Analyze("strasse").hits(0).metadata_size(), 0);
}

TEST_F(SearchDaemonTest, GetDocumentShowsMetadataAndChildren) {
  grpc::ClientContext ctx;
  pb::GetDocumentRequest req;
  req.set_path(P("report.txt"));
  pb::Document doc;
  ASSERT_TRUE(stub_->GetDocument(&ctx, req, &doc).ok());
  ASSERT_EQ(doc.metadata_size(), 7);
  EXPECT_EQ(doc.metadata(1).key(), "author");
  EXPECT_EQ(doc.metadata(1).value(), "Jane Doe");
  EXPECT_EQ(std::vector<std::string>(doc.children().begin(), doc.children().end()),
            (std::vector<std::string>{P("report.txt") + "!/a-summary.txt",
                                      P("report.txt") + "!/b-appendix.txt"}));
  EXPECT_EQ(doc.children_total(), 2u);

  grpc::ClientContext member_ctx;
  req.set_path(P("report.txt") + "!/a-summary.txt");
  pb::Document member;
  ASSERT_TRUE(stub_->GetDocument(&member_ctx, req, &member).ok());
  EXPECT_EQ(member.parent(), P("report.txt"));
  EXPECT_EQ(member.children_size(), 0);
  EXPECT_EQ(member.children_total(), 0u);
}

TEST_F(SearchDaemonTest, TheGatewayAnswersLikeGrpc) {
  for (const std::string q : {"strasse", "MÜNCHEN", "東京", "北京", "author:muller",
                              "from:ann@example.org", "pages>10 OR created:2024-03-02"}) {
    const pb::AnalyzeResponse response = Analyze(q);
    const std::vector<std::string> via_grpc(response.results().begin(), response.results().end());
    ht::Response r = Post("/v1/analyze", {{"query", q}});
    ASSERT_EQ(r.result_int(), 200) << q << ": " << r.body();
    const json body = json::parse(r.body());
    EXPECT_EQ(body["results"].get<std::vector<std::string>>(), via_grpc) << q;
    EXPECT_FALSE(via_grpc.empty()) << q;
  }

  ht::Response r = Post("/v1/analyze", {{"query", "author:doe"}});
  ASSERT_EQ(r.result_int(), 200) << r.body();
  const json hit = json::parse(r.body())["hits"][0];
  EXPECT_EQ(hit["metadata"][0], (json{{"key", "title"}, {"value", "Quarterly Report"}}));
  EXPECT_EQ(hit["metadata"].size(), 7u);

  r = Get("/v1/documents?path=" + P("report.txt"));
  ASSERT_EQ(r.result_int(), 200) << r.body();
  const json doc = json::parse(r.body());
  EXPECT_EQ(doc["metadata"][2], (json{{"key", "author"}, {"value", "Jürgen Müller"}}));
  EXPECT_EQ(doc["children"].size(), 2u);
  EXPECT_EQ(doc["childrenTotal"], "2");

  r = Post("/v1/analyze", {{"query", "pages>ten"}});
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(json::parse(r.body())["message"].get<std::string>().find("a page count"),
            std::string::npos)
      << r.body();
}

// Three near-duplicates of one text (similar:'s subject and its two neighbours), of known sizes.
std::string RiverText(const std::string& ending) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    s += "Sentence number " + std::to_string(i) + " talks about rivers mountains and valleys. ";
  }
  return s + ending;
}

// The paths of a response, relative to `root`, in order.
std::vector<std::string> Rel(const pb::AnalyzeResponse& r, const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& h : r.hits()) out.push_back(fs::path(h.path()).lexically_relative(root));
  return out;
}

TEST_F(SearchDaemonTest, SortAndFacetsOverGrpcVerbsAndTheCli) {
  WriteFile(corpus_ / "rivers/a-near.txt", RiverText("The end."));
  WriteFile(corpus_ / "rivers/B-near.txt", RiverText("The finish, at last, after a long way."));
  WriteFile(corpus_ / "rivers/c-near.txt", RiverText("Done."));
  {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path((corpus_ / "rivers").string());
    pb::IngestSummary summary;
    ASSERT_TRUE(stub_->Ingest(&ctx, req, &summary).ok());
  }
  auto analyze = [&](const std::string& q, pb::AnalyzeRequest::Sort sort, bool facets,
                     uint32_t limit = 0, uint32_t offset = 0) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(q);
    req.set_sort(sort);
    req.set_facets(facets);
    req.set_limit(limit);
    req.set_offset(offset);
    pb::AnalyzeResponse out;
    const grpc::Status st = stub_->Analyze(&ctx, req, &out);
    EXPECT_TRUE(st.ok()) << q << ": " << st.error_message();
    return out;
  };
  const fs::path rivers = corpus_ / "rivers";
  const std::string in_rivers = "path:" + rivers.string();
  // Sizes: B (the longest ending) > a > c. Names fold case: a, B, c.
  EXPECT_EQ(Rel(analyze(in_rivers, pb::AnalyzeRequest::SORT_SIZE_DESC, false), rivers),
            (std::vector<std::string>{"B-near.txt", "a-near.txt", "c-near.txt"}));
  EXPECT_EQ(Rel(analyze(in_rivers, pb::AnalyzeRequest::SORT_SIZE_ASC, false), rivers),
            (std::vector<std::string>{"c-near.txt", "a-near.txt", "B-near.txt"}));
  EXPECT_EQ(Rel(analyze(in_rivers, pb::AnalyzeRequest::SORT_NAME_DESC, false), rivers),
            (std::vector<std::string>{"c-near.txt", "B-near.txt", "a-near.txt"}));
  // Paging a full-text query sorted by size: the second hit alone, with the total.
  pb::AnalyzeResponse page =
      analyze("rivers mountains", pb::AnalyzeRequest::SORT_SIZE_DESC, false, 1, 1);
  EXPECT_EQ(page.total(), 3u);
  EXPECT_EQ(Rel(page, rivers), (std::vector<std::string>{"a-near.txt"}));
  EXPECT_NE(page.hits(0).snippet().find("[rivers"), std::string::npos) << page.hits(0).snippet();

  // A verb: similar: lists the neighbours, most similar first by default; sorted by name on
  // request, with facets of the merged set.
  const std::string similar = "similar:" + (rivers / "a-near.txt").string();
  pb::AnalyzeResponse by_name = analyze(similar, pb::AnalyzeRequest::SORT_NAME_ASC, true);
  EXPECT_EQ(Rel(by_name, rivers), (std::vector<std::string>{"B-near.txt", "c-near.txt"}));
  ASSERT_GE(by_name.facets_size(), 1);
  EXPECT_EQ(by_name.facets(0).name(), "mime");
  EXPECT_EQ(by_name.facets(0).values(0).count(), 2u);
  pb::AnalyzeResponse by_name_desc = analyze(similar, pb::AnalyzeRequest::SORT_NAME_DESC, false);
  EXPECT_EQ(Rel(by_name_desc, rivers), (std::vector<std::string>{"c-near.txt", "B-near.txt"}));
  pb::AnalyzeResponse relevance = analyze(similar, pb::AnalyzeRequest::SORT_UNSPECIFIED, false);
  ASSERT_EQ(relevance.hits_size(), 2);
  EXPECT_GE(relevance.hits(0).score(), relevance.hits(1).score());

  // Facets of the whole corpus: every value's query refines the query to its count.
  pb::AnalyzeResponse all =
      analyze("path:" + corpus_.string(), pb::AnalyzeRequest::SORT_UNSPECIFIED, true, 1);
  EXPECT_EQ(all.hits_size(), 1);
  std::set<std::string> names;
  for (const pb::Facet& f : all.facets()) {
    names.insert(f.name());
    for (const pb::FacetValue& v : f.values()) {
      if (v.query().empty()) continue;
      const pb::AnalyzeResponse refined = analyze("path:" + corpus_.string() + " " + v.query(),
                                                  pb::AnalyzeRequest::SORT_UNSPECIFIED, false);
      if (f.name() == "author" || f.name() == "language" || f.name() == "from") {
        EXPECT_GE(refined.total(), v.count()) << v.query();
      } else {
        EXPECT_EQ(refined.total(), v.count()) << v.query();
      }
    }
  }
  // The vocabulary fixture's author, language and from values are faceted too.
  EXPECT_EQ(names, (std::set<std::string>{"mime", "extension", "year", "month", "size", "author",
                                          "language", "from"}));

  // An enum number the API does not name.
  grpc::ClientContext ctx;
  pb::AnalyzeRequest bad;
  bad.set_query("strasse");
  bad.set_sort(static_cast<pb::AnalyzeRequest::Sort>(42));
  pb::AnalyzeResponse out;
  const grpc::Status st = stub_->Analyze(&ctx, bad, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("SORT_SIZE_DESC"), std::string::npos) << st.error_message();

  // The CLI: --sort by its short names, --facets in the text and the JSON.
  std::string text;
  ASSERT_EQ(testing::RunProcess({ARCHIVUM_CLI_PATH, "--server", daemon_->grpc_address(), "analyze",
                                 "--sort", "largest", "--facets", in_rivers},
                                &text),
            0)
      << text;
  EXPECT_LT(text.find("B-near.txt"), text.find("a-near.txt")) << text;
  EXPECT_LT(text.find("a-near.txt"), text.find("c-near.txt")) << text;
  EXPECT_NE(text.find("extension: txt 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("size: < 10 KiB 3\n"), std::string::npos) << text;
  ASSERT_EQ(testing::RunProcess({ARCHIVUM_CLI_PATH, "--server", daemon_->grpc_address(), "--json",
                                 "analyze", "--sort", "name-desc", "--facets", in_rivers},
                                &text),
            0)
      << text;
  const json parsed = json::parse(text);
  EXPECT_EQ(fs::path(parsed["hits"][0]["path"].get<std::string>()).filename(), "c-near.txt");
  EXPECT_EQ(parsed["facets"][1]["name"], "extension");
  EXPECT_EQ(parsed["facets"][1]["values"][0],
            (json{{"value", "txt"}, {"count", "3"}, {"query", "ext:txt"}}));
  EXPECT_NE(testing::RunProcess({ARCHIVUM_CLI_PATH, "--server", daemon_->grpc_address(), "analyze",
                                 "--sort", "biggest", in_rivers},
                                &text),
            0);
}

TEST_F(SearchDaemonTest, TheGatewaySortsAndCountsFacetsByPostAndGet) {
  const std::string q = "path:" + corpus_.string();
  ht::Response r =
      Post("/v1/analyze", {{"query", q}, {"sort", "SORT_SIZE_DESC"}, {"facets", true}});
  ASSERT_EQ(r.result_int(), 200) << r.body();
  json body = json::parse(r.body());
  uint64_t previous = UINT64_MAX;
  for (const json& hit : body["hits"]) {
    const uint64_t size = std::stoull(hit["size"].get<std::string>());
    EXPECT_LE(size, previous) << r.body();
    previous = size;
  }
  ASSERT_TRUE(body.contains("facets")) << r.body();
  EXPECT_EQ(body["facets"][0]["name"], "mime");
  const json facets = body["facets"];

  // The same over GET, the enum by name and the flag as a query parameter.
  std::string target = "/v1/analyze?query=";
  for (char c : q) {
    if (c == '/') {
      target += "%2F";
    } else {
      target += c;
    }
  }
  r = Get(target + "&sort=SORT_SIZE_DESC&facets=true&limit=2");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  body = json::parse(r.body());
  EXPECT_EQ(body["facets"], facets);
  ASSERT_EQ(body["hits"].size(), 2u);
  r = Get(target + "&sort=SORT_NAME_ASC");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  body = json::parse(r.body());
  // report.txt's member a-summary.txt is named before de.txt.
  EXPECT_EQ(fs::path(body["hits"][0]["path"].get<std::string>()).filename(), "a-summary.txt");
  EXPECT_EQ(body["facets"], json::array());  // not asked for

  // A name the enum does not have: 400 naming the field.
  r = Get(target + "&sort=SORT_BIGGEST");
  EXPECT_EQ(r.result_int(), 400) << r.body();
  EXPECT_NE(r.body().find("sort"), std::string::npos) << r.body();
  r = Post("/v1/analyze", {{"query", q}, {"sort", "SORT_BIGGEST"}});
  EXPECT_EQ(r.result_int(), 400) << r.body();
  EXPECT_NE(r.body().find("sort"), std::string::npos) << r.body();
}

}  // namespace
}  // namespace archivum
