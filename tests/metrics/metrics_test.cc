// Metrics' exposition from its sources: plugin errors by kind never go down between scrapes
// (a crash is counted by the placement before the pipeline counts the failure), a plugin started
// anew counts from zero, the RPC series exist only for the API's methods, and the document count
// appears when it can be read.
#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace archivum::metrics {
namespace {

// Whether `scrape` has the line "<series> <value>".
bool HasSample(const std::string& scrape, const std::string& series, const std::string& value) {
  return scrape.find("\n" + series + " " + value + "\n") != std::string::npos;
}

PluginSample Sample(const void* instance, uint64_t errors, uint64_t crashes) {
  PluginSample p;
  p.name = "pdf";
  p.instance = instance;
  p.calls = 10;
  p.errors = errors;
  p.crashes = crashes;
  p.bounds = {0.1, 1};
  p.bucket_counts = {4, 5, 1};
  p.sum_seconds = 6.5;
  return p;
}

TEST(MetricsTest, PluginErrorsByKindNeverGoDownAndRestartWithTheInstance) {
  Metrics metrics;
  const int first = 0;
  const int second = 0;
  PluginSample current = Sample(&first, 2, 0);
  metrics.SetPluginSource([&] { return std::vector<PluginSample>{current}; });
  std::string scrape = metrics.Scrape();
  EXPECT_TRUE(HasSample(scrape, R"(archivum_plugin_errors_total{kind="error",plugin="pdf"})", "2"))
      << scrape;
  EXPECT_TRUE(HasSample(scrape, R"(archivum_plugin_calls_total{plugin="pdf"})", "10")) << scrape;
  EXPECT_TRUE(
      HasSample(scrape, R"(archivum_plugin_duration_seconds_bucket{plugin="pdf",le="1"})", "9"))
      << scrape;
  EXPECT_TRUE(
      HasSample(scrape, R"(archivum_plugin_duration_seconds_bucket{plugin="pdf",le="+Inf"})", "10"))
      << scrape;
  EXPECT_TRUE(HasSample(scrape, R"(archivum_plugin_duration_seconds_count{plugin="pdf"})", "10"));

  // A crash counted before its failure: errors - crashes dips to 1, the export stays at 2.
  current = Sample(&first, 2, 1);
  scrape = metrics.Scrape();
  EXPECT_TRUE(HasSample(scrape, R"(archivum_plugin_errors_total{kind="error",plugin="pdf"})", "2"))
      << scrape;
  EXPECT_TRUE(HasSample(scrape, R"(archivum_plugin_errors_total{kind="crash",plugin="pdf"})", "1"));

  // The plugin started anew (a reload): its counters start over, and so does the export.
  current = Sample(&second, 1, 0);
  scrape = metrics.Scrape();
  EXPECT_TRUE(HasSample(scrape, R"(archivum_plugin_errors_total{kind="error",plugin="pdf"})", "1"))
      << scrape;
}

TEST(MetricsTest, RpcSeriesAreTheApisMethodsOnly) {
  Metrics metrics;
  EXPECT_EQ(metrics.Rpc(Transport::kHttp, "/no/such/path"), nullptr);
  RpcSeries* analyze = metrics.Rpc(Transport::kHttp, "Analyze");
  ASSERT_NE(analyze, nullptr);
  EXPECT_EQ(metrics.Rpc(Transport::kHttp, "Analyze"), analyze);
  EXPECT_NE(metrics.Rpc(Transport::kGrpc, "Analyze"), analyze);
  analyze->Observe(StatusCode::kNotFound, std::chrono::milliseconds(3));
  analyze->Observe(StatusCode::kNotFound, std::chrono::milliseconds(2));
  const std::string scrape = metrics.Scrape();
  EXPECT_TRUE(HasSample(
      scrape,
      R"(archivum_rpc_duration_seconds_count{code="NOT_FOUND",method="Analyze",transport="http"})",
      "2"))
      << scrape;
}

TEST(MetricsTest, TheDocumentCountAppearsWhenItCanBeRead) {
  Metrics metrics;
  EXPECT_EQ(metrics.Scrape().find("archivum_documents"), std::string::npos);
  StatusOr<uint64_t> count = uint64_t{42};
  metrics.SetDocumentCount([&] { return count; });
  EXPECT_TRUE(HasSample(metrics.Scrape(), "archivum_documents", "42"));
  count = Internal("the store is gone");
  EXPECT_EQ(metrics.Scrape().find("archivum_documents "), std::string::npos);
  metrics.CountIngest(IngestOutcome::kRemoved, 2);
  metrics.AddWatchEvents(5);
  const std::string scrape = metrics.Scrape();
  EXPECT_TRUE(HasSample(scrape, R"(archivum_ingest_files_total{outcome="removed"})", "2"))
      << scrape;
  EXPECT_TRUE(HasSample(scrape, "archivum_watch_events_total", "5")) << scrape;
}

}  // namespace
}  // namespace archivum::metrics
