// The direct AnalyzeRequest/AnalyzeResponse JSON (api/http/analyze_json.h) against protobuf's
// JSON mapping: whatever the fast paths produce must equal protobuf's output, and whatever they
// decline must still come out right through PrintJson/ParseJsonBody.
#include "api/http/analyze_json.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "aichemist_archivum.pb.h"
#include "api/http/json_mapping.h"

namespace archivum::api::gateway {
namespace {

namespace pb = ::aichemist_archivum;
using google::protobuf::util::MessageDifferencer;

std::string ProtobufJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

// Texts that exercise every escaping rule; the non-ASCII ones are left to protobuf.
const std::vector<std::string>& Texts() {
  static const std::vector<std::string> texts = {
      "",
      "/usr/include/linux/stat.h",
      "quote \" backslash \\ slash /",
      "a<b>c&d'e=f",
      std::string("nul \0 inside", 12),
      "\x01\x07\b\t\n\x0b\f\r\x1b\x1f\x7f",
      "snippet with [matches] and ~tilde~",
      "caf\xc3\xa9",       // UTF-8
      "\xe2\x80\xa8",      // U+2028, escaped by protobuf
      "\xc2\x80",          // C1 control
      "\xf0\x9f\x98\x80",  // astral
      "bad \xff utf-8",    // dropped by protobuf
  };
  return texts;
}

pb::AnalyzeResponse SampleResponse(const std::string& text, double score) {
  pb::AnalyzeResponse r;
  r.add_results(text);
  r.add_results("/usr/include/stdio.h");
  pb::Hit* hit = r.add_hits();
  hit->set_path(text);
  hit->set_score(score);
  hit->set_snippet("the [" + text + "] snippet");
  hit->set_mime("text/x-c");
  hit->set_size(13852);
  hit->set_mtime_ns(-1700000000123456789);
  pb::Finding* f = hit->add_findings();
  f->set_plugin("hash");
  f->set_key("sha256");
  f->set_value(text);
  pb::MetadataEntry* m = hit->add_metadata();
  m->set_key("title");
  m->set_value(text);
  m = hit->add_metadata();
  m->set_key("author");
  m->set_value("Jane Doe");
  r.add_hits()->set_path("/second/without/findings");
  r.set_total(std::numeric_limits<uint64_t>::max());
  pb::Facet* facet = r.add_facets();
  facet->set_name("author");
  pb::FacetValue* v = facet->add_values();
  v->set_value(text);
  v->set_count(3);
  v->set_query("author:\"" + text + "\"");
  v = facet->add_values();
  v->set_value("Jane Doe");
  v->set_count(std::numeric_limits<uint64_t>::max());
  facet->set_other(7);
  r.add_facets()->set_name("size");  // no values (not something the store sends; still printed)
  return r;
}

TEST(AnalyzeJson, EmptyResponsePrintsEveryFieldLikeProtobuf) {
  const pb::AnalyzeResponse r;
  std::string fast;
  ASSERT_TRUE(PrintAnalyzeResponseJson(r, &fast));
  EXPECT_EQ(fast, R"({"results":[],"hits":[],"total":"0","facets":[]})");
  EXPECT_EQ(fast, ProtobufJson(r));
}

TEST(AnalyzeJson, ResponsesMatchProtobufByteForByte) {
  const double scores[] = {0,
                           -0.0,
                           1,
                           0.5,
                           0.1,
                           1.0 / 3,
                           -7.25,
                           1e21,
                           1e-7,
                           3e-300,
                           1e15,
                           1e16,
                           1e17,
                           123456.789,
                           -2.5e-310,
                           6.02e23,
                           99999999999999999.0,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::min()};
  int fast_count = 0;
  for (const std::string& text : Texts()) {
    for (double score : scores) {
      const pb::AnalyzeResponse r = SampleResponse(text, score);
      const std::string expected = ProtobufJson(r);
      std::string fast;
      if (PrintAnalyzeResponseJson(r, &fast)) {
        ++fast_count;
        EXPECT_EQ(fast, expected) << "text " << ::testing::PrintToString(text) << " score "
                                  << score;
      }
      // Through the gateway's entry point, fast or not, the bytes are protobuf's.
      auto printed = PrintJson(r);
      ASSERT_TRUE(printed.ok());
      EXPECT_EQ(*printed, expected);
    }
  }
  EXPECT_GT(fast_count, 0);
}

TEST(AnalyzeJson, NonAsciiAndNonFiniteAreLeftToProtobuf) {
  std::string out;
  EXPECT_FALSE(PrintAnalyzeResponseJson(SampleResponse("caf\xc3\xa9", 1), &out));
  out.clear();
  EXPECT_FALSE(
      PrintAnalyzeResponseJson(SampleResponse("x", std::numeric_limits<double>::infinity()), &out));
  for (double v : {std::numeric_limits<double>::quiet_NaN(), -HUGE_VAL}) {
    const pb::AnalyzeResponse r = SampleResponse("x", v);
    auto printed = PrintJson(r);
    ASSERT_TRUE(printed.ok());
    EXPECT_EQ(*printed, ProtobufJson(r));
  }
}

TEST(AnalyzeJson, RandomResponsesMatchProtobuf) {
  std::mt19937_64 rng(7);
  const auto random_text = [&] {
    std::string s(rng() % 12, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 128);  // ASCII, controls included
    return s;
  };
  for (int n = 0; n < 300; ++n) {
    pb::AnalyzeResponse r;
    for (uint64_t i = rng() % 3; i > 0; --i) r.add_results(random_text());
    for (uint64_t i = rng() % 3; i > 0; --i) {
      pb::Hit* h = r.add_hits();
      h->set_path(random_text());
      h->set_score(std::ldexp(static_cast<double>(rng() % 2000001) - 1000000.0,
                              static_cast<int>(rng() % 80) - 60));
      h->set_snippet(random_text());
      h->set_mime(random_text());
      h->set_size(rng());
      h->set_mtime_ns(static_cast<int64_t>(rng()));
      for (uint64_t j = rng() % 3; j > 0; --j) {
        pb::Finding* f = h->add_findings();
        f->set_plugin(random_text());
        f->set_key(random_text());
        f->set_value(random_text());
      }
      for (uint64_t j = rng() % 3; j > 0; --j) {
        pb::MetadataEntry* m = h->add_metadata();
        m->set_key(random_text());
        m->set_value(random_text());
      }
    }
    r.set_total(rng());
    std::string fast;
    ASSERT_TRUE(PrintAnalyzeResponseJson(r, &fast));
    ASSERT_EQ(fast, ProtobufJson(r)) << r.DebugString();
  }
}

// Every body the fast parser accepts must be one protobuf accepts, with the same message.
TEST(AnalyzeJson, RequestsParseLikeProtobuf) {
  const std::vector<std::string> bodies = {
      R"({})",
      R"( { } )",
      R"({"query":"sha256:67c32f950ba83601c5ef92681c22ead3d9c55b6bb5d9d23c46315193b934193a"})",
      R"({"query":"path:/usr/include","limit":5,"offset":10})",
      "{\n\t\"offset\" : 0 ,\r\n \"limit\":4294967295, \"query\" : \"a b\" }",
      R"({"query":"esc \" \\ \/ \b \f \n \r \t end"})",
      R"({"query":""})",
      // Left to protobuf:
      R"({"query":"\u00e9t\u00E9"})",
      R"({"query":"caf)"
      "\xc3\xa9"
      R"("})",
      R"({"query":"a","limit":"7"})",
      R"({"query":"a","limit":7.0})",
      R"({"query":"a","limit":1e1})",
      R"({"query":"a","limit":007})",
      R"({"query":"a","query":"b"})",
      R"({"query":null})",
      R"({"query":"a","unknown":{"x":[1,2]}})",
      R"({"Query":"x"})",
      // Malformed, or refused by protobuf:
      R"({"limit":-1})",
      R"({"limit":4294967296})",
      R"({"limit":99999999999})",
      R"({"query":"bad )"
      "\xff"
      R"("})",
      R"({"query":"unterminated)",
      R"({"query":"a",})",
      R"({"query":"a"} trailing)",
      R"({"query":"a" "limit":1})",
      R"([1,2])",
      R"({"query":"raw)"
      "\x01"
      R"(control"})",
      R"({"query":"bad escape \x"})",
      R"({"query":1})",
      // Sort and facets: by name and literal on the fast path, the rest left to protobuf.
      R"({"query":"a","sort":"SORT_SIZE_DESC","facets":true})",
      R"({"facets":false,"sort":"SORT_UNSPECIFIED"})",
      R"({"query":"a","sort":4})",
      R"({"query":"a","facets":"true"})",
      R"({"query":"a","facets":1})",
      R"({"query":"a","facets":truex})",
      R"({"query":"a","sort":"SORT_SIZE_DESC","sort":"SORT_SIZE_ASC"})",
  };
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  for (const std::string& body : bodies) {
    pb::AnalyzeRequest expected;
    const bool protobuf_ok =
        google::protobuf::util::JsonStringToMessage(body, &expected, options).ok();
    pb::AnalyzeRequest fast;
    if (ParseAnalyzeRequestJson(body, &fast)) {
      EXPECT_TRUE(protobuf_ok) << body;
      EXPECT_TRUE(MessageDifferencer::Equals(fast, expected)) << body;
    } else {
      EXPECT_TRUE(MessageDifferencer::Equals(fast, pb::AnalyzeRequest())) << "untouched: " << body;
    }
    // Through the gateway's entry point the outcome is protobuf's, fast or not.
    pb::AnalyzeRequest via_gateway;
    const Status st = ParseJsonBody(body, &via_gateway);
    EXPECT_EQ(st.ok(), protobuf_ok) << body;
    if (protobuf_ok) {
      EXPECT_TRUE(MessageDifferencer::Equals(via_gateway, expected)) << body;
    }
  }
}

// protobuf's parser, ignoring unknown fields, would drop an enum name it does not know; the
// gateway refuses it, naming the field and the values it has.
TEST(AnalyzeJson, UnknownSortNamesAreRefused) {
  for (const std::string body : {R"({"query":"a","sort":"SORT_BIGGEST"})",
                                 R"({"query":"a","sort":"size_desc","limit":2})"}) {
    pb::AnalyzeRequest r;
    EXPECT_FALSE(ParseAnalyzeRequestJson(body, &r)) << body;
    const Status st = ParseJsonBody(body, &r);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << body;
    EXPECT_NE(st.message().find("field 'sort' has no value named"), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("SORT_NAME_DESC"), std::string::npos) << st.message();
  }
  pb::AnalyzeRequest r;
  ASSERT_TRUE(ParseJsonBody(R"({"query":"a","sort":"SORT_NAME_DESC","facets":true})", &r).ok());
  EXPECT_EQ(r.sort(), pb::AnalyzeRequest::SORT_NAME_DESC);
  EXPECT_TRUE(r.facets());
}

TEST(AnalyzeJson, TheUsualBodiesTakeTheFastPath) {
  pb::AnalyzeRequest r;
  ASSERT_TRUE(ParseAnalyzeRequestJson(R"({"query":"path:/usr/include/linux","limit":3})", &r));
  EXPECT_EQ(r.query(), "path:/usr/include/linux");
  EXPECT_EQ(r.limit(), 3u);
  EXPECT_EQ(r.offset(), 0u);
}

}  // namespace
}  // namespace archivum::api::gateway
