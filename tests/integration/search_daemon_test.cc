// Search over every language and over the metadata fields, through the real daemon: German,
// Japanese and Chinese text ingested with the bundled plugins and found by folded words and CJK
// substrings, over gRPC and the HTTP gateway alike; the metadata vocabulary a fixture plugin
// emits (standing in for the format plugins) found with title:, author:, from:, to:, lang:,
// pages and created, carried by hits and by GetDocument with the document's children.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"

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

}  // namespace
}  // namespace archivum
