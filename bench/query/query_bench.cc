// archivum_bench_query: server-side Analyze latency, in process, on an ingested store.
//
//   archivum_bench_query --store DIR --queries FILE [--class fulltext] [--repeat 20]
//                        [--budget-ms 2000] [--json OUT]
//
// Opens the store's catalog and the bundled plugins (with a scratch data directory, so the
// store's own plugin data is never touched) and times core::Searcher::Analyze -- parse, SQL,
// ranking, snippets, the response message -- for each query of the mix, --repeat times after
// one unmeasured call, one query at a time: the time the daemon spends on a query without the
// transport and the worker-pool hop. A query stops repeating once its calls took --budget-ms
// (after at least 3), so a pathological query cannot stall the run. Run it while no daemon
// writes to the store.
// Reports per class the median, p90, p99 and max over all calls, and the slowest queries; then
// the same percentiles of the calls' thread CPU time (CLOCK_THREAD_CPUTIME_ID), which other load
// on a shared machine inflates far less than wall time. The catalog keeps no result cache, so
// every measured call computes its answer (only statements and pages are warm).
// Two classes change the request rather than only the query: "facets" asks for the facet counts
// of the whole result set (AnalyzeRequest.facets), "sorted" for the largest first
// (SORT_SIZE_DESC): what the browser UI asks for.
#include <stdlib.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "common/latency.h"
#include "common/logging.h"
#include "common/queries.h"
#include "core/searcher.h"
#include "plugins/registry.h"
#include "store/open_catalog.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

struct PerQuery {
  const archivum::bench::Query* query;
  double median_ms;
  double cpu_median_ms;
  uint64_t total;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_query: in-process Analyze latency on an ingested store"};
  std::string store, queries_file, classes, json_out;
  unsigned repeat = 20;
  double budget_ms = 2000;
  app.add_option("--store", store, "store directory of an ingested daemon")->required();
  app.add_option("--queries", queries_file, "query mix file (CLASS<TAB>QUERY per line)")
      ->required();
  app.add_option("--class", classes, "comma-separated classes (default: all)");
  app.add_option("--repeat", repeat, "measured calls per query")->check(CLI::Range(1u, 100000u));
  app.add_option("--budget-ms", budget_ms, "stop repeating a query after this much time")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", json_out, "write the figures to this JSON file");
  CLI11_PARSE(app, argc, argv);

  archivum::LogOptions log;
  log.level = "error";
  (void)archivum::ConfigureLogging(log);

  std::string error;
  const std::vector<archivum::bench::Query> queries =
      archivum::bench::LoadQueries(queries_file, archivum::bench::ParseClasses(classes), &error);
  if (queries.empty()) {
    std::cerr << "archivum_bench_query: " << error << "\n";
    return 2;
  }
  archivum::config::Store store_config;  // the default backend, as bench/run's daemon uses
  store_config.path = store;
  auto catalog = archivum::store::OpenCatalog(store_config);
  if (!catalog.ok()) {
    std::cerr << "archivum_bench_query: " << catalog.status().ToString() << "\n";
    return 1;
  }
  std::string scratch = (fs::temp_directory_path() / "archivum-bench-query-XXXXXX").string();
  if (mkdtemp(scratch.data()) == nullptr) {
    std::cerr << "archivum_bench_query: mkdtemp failed\n";
    return 1;
  }
  archivum::plugins::PluginRegistry::Options popts;
  popts.directories = archivum::plugins::DefaultPluginDirectories();
  popts.data_root = scratch;
  const auto registry = archivum::plugins::PluginRegistry::Load(popts);
  const archivum::core::Searcher searcher(catalog->get(), registry.get());

  std::map<std::string, std::vector<double>> by_class;
  std::map<std::string, std::vector<double>> cpu_by_class;
  std::map<std::string, std::vector<PerQuery>> slowest;
  uint64_t failures = 0;
  for (const archivum::bench::Query& q : queries) {
    aichemist_archivum::AnalyzeRequest request;
    request.set_query(q.text);
    request.set_facets(q.klass == "facets");
    if (q.klass == "sorted") request.set_sort(aichemist_archivum::AnalyzeRequest::SORT_SIZE_DESC);
    std::vector<double> samples;
    std::vector<double> cpu_samples;
    uint64_t total = 0;
    double spent_ms = 0;
    for (unsigned i = 0; i <= repeat && (i <= 3 || spent_ms < budget_ms); ++i) {
      aichemist_archivum::AnalyzeResponse response;
      const double cpu_start = ThreadCpuMs();
      const Clock::time_point start = Clock::now();
      const archivum::Status st = searcher.Analyze(request, &response);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      const double cpu_ms = ThreadCpuMs() - cpu_start;
      if (!st.ok()) {
        std::cerr << "query failed: " << q.text << ": " << st.ToString() << "\n";
        ++failures;
        break;
      }
      total = response.total();
      spent_ms += ms;
      if (i > 0) {
        samples.push_back(ms);
        cpu_samples.push_back(cpu_ms);
      }
    }
    if (samples.empty()) continue;
    by_class[q.klass].insert(by_class[q.klass].end(), samples.begin(), samples.end());
    cpu_by_class[q.klass].insert(cpu_by_class[q.klass].end(), cpu_samples.begin(),
                                 cpu_samples.end());
    slowest[q.klass].push_back({&q, archivum::bench::Summarize(samples).p50_ms,
                                archivum::bench::Summarize(cpu_samples).p50_ms, total});
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);

  nlohmann::json out = {{"repeat", repeat}, {"budget_ms", budget_ms}, {"failures", failures}};
  std::printf("%-10s %7s %9s %9s %9s %9s\n", "class", "calls", "p50 ms", "p90 ms", "p99 ms",
              "max ms");
  for (auto& [klass, samples] : by_class) {
    const archivum::bench::LatencySummary s = archivum::bench::Summarize(samples);
    std::printf("%-10s %7zu %9.3f %9.3f %9.3f %9.3f\n", klass.c_str(), s.count, s.p50_ms, s.p90_ms,
                s.p99_ms, s.max_ms);
    nlohmann::json j = archivum::bench::ToJson(s);
    auto& per_query = slowest[klass];
    std::sort(per_query.begin(), per_query.end(),
              [](const PerQuery& a, const PerQuery& b) { return a.median_ms > b.median_ms; });
    nlohmann::json worst = nlohmann::json::array();
    for (size_t i = 0; i < std::min<size_t>(5, per_query.size()); ++i) {
      worst.push_back({{"query", per_query[i].query->text},
                       {"median_ms", archivum::bench::Round4(per_query[i].median_ms)},
                       {"cpu_median_ms", archivum::bench::Round4(per_query[i].cpu_median_ms)},
                       {"total", per_query[i].total}});
      std::printf("    slow: %8.3f ms (CPU %8.3f ms)  %7llu hits  %s\n", per_query[i].median_ms,
                  per_query[i].cpu_median_ms, static_cast<unsigned long long>(per_query[i].total),
                  per_query[i].query->text.c_str());
    }
    j["queries"] = per_query.size();
    j["slowest"] = std::move(worst);
    out[klass] = std::move(j);
  }
  std::printf("%-10s %7s %9s %9s %9s %9s  (thread CPU time)\n", "class", "calls", "p50 ms",
              "p90 ms", "p99 ms", "max ms");
  for (auto& [klass, samples] : cpu_by_class) {
    const archivum::bench::LatencySummary s = archivum::bench::Summarize(samples);
    std::printf("%-10s %7zu %9.3f %9.3f %9.3f %9.3f\n", klass.c_str(), s.count, s.p50_ms, s.p90_ms,
                s.p99_ms, s.max_ms);
    out[klass]["cpu"] = archivum::bench::ToJson(s);
  }
  if (!json_out.empty()) {
    std::ofstream file(json_out);
    file << out.dump(2) << "\n";
    if (!file) {
      std::cerr << "cannot write " << json_out << "\n";
      return 1;
    }
  }
  return failures == 0 ? 0 : 1;
}
