// Metrics: the daemon's Prometheus metrics, served as the text exposition format (version 0.0.4)
// at GET /metrics on the HTTP port (api/http). Built on prometheus-cpp's core library: its
// registry holds the counters and histograms the daemon updates as it works, and Scrape() adds
// what is read at scrape time (the catalog's document count, the plugins' counters, the
// process's own figures) and serializes it all with prometheus::TextSerializer.
//
// The metrics and their contract (README, "Metrics"):
//   archivum_documents                         gauge: documents in the catalog (archive members
//                                              included), counted at scrape time
//   archivum_ingest_files_total{outcome}       counter: files by IngestEvent outcome (ingested,
//                                              unchanged, failed, skipped, removed), as the
//                                              ingests report them, uploads included
//   archivum_ingest_bytes_total                counter: bytes of the files ingested (analyzed)
//   archivum_plugin_calls_total{plugin}        counter: calls of each loaded plugin
//   archivum_plugin_errors_total{plugin,kind}  counter: failed calls; kind "timeout" (its worker
//                                              killed at the deadline), "crash" (it killed its
//                                              worker) or "error" (any other failure)
//   archivum_plugin_duration_seconds{plugin}   histogram: time inside the plugin per call
//   archivum_rpc_duration_seconds{method,code,transport}
//                                              histogram: API calls by FileManager method name
//                                              ("Analyze"), gRPC status code name ("OK",
//                                              "INVALID_ARGUMENT"; HTTP calls report the code
//                                              their reply maps from) and transport ("grpc" or
//                                              "http")
//   archivum_watch_events_total                counter: file-system events the watcher handled
//   process_*                                  the process metrics (process_collector.h)
// Label values are bounded: plugin names come from the loaded plugins, methods from the fixed
// API (a request for any other path is not recorded), codes and outcomes from fixed sets.
//
// Cost on the hot path: updates are atomic operations on series looked up once (an RPC's series
// per method is resolved when a server starts, its child per code on the first call with that
// code); nothing allocates after the first use of a series. The plugins' figures are the
// counters the plugins keep anyway (plugins/plugin.h), read only when scraped.
//
// Ownership: the daemon creates one Metrics and hands a pointer to the servers, the core and the
// pipeline, which keep working without one (null). It must outlive them.
// Thread safety: every method is safe to call concurrently from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace prometheus {
class Histogram;
}  // namespace prometheus

namespace archivum::metrics {

enum class Transport { kGrpc, kHttp };

// IngestEvent.Outcome, one counter each.
enum class IngestOutcome { kIngested, kUnchanged, kFailed, kSkipped, kRemoved };

// One loaded plugin's counters as Scrape reads them (see plugins::Plugin's counters).
struct PluginSample {
  std::string name;
  // Identifies the plugin instance: a plugin started anew (a reload) counts from zero again.
  const void* instance = nullptr;
  uint64_t calls = 0;
  uint64_t errors = 0;  // every failure, crashes and timeouts included
  uint64_t timeouts = 0;
  uint64_t crashes = 0;
  // The duration histogram: upper bounds in seconds (increasing) and the calls in each bucket
  // (not cumulative; one more than the bounds: the last is above every bound), and the sum.
  std::vector<double> bounds;
  std::vector<uint64_t> bucket_counts;
  double sum_seconds = 0;
};

// The calls of one API method over one transport: a histogram per status code, created on the
// first call with that code. Obtained from Metrics::Rpc; lives as long as the Metrics.
class RpcSeries {
 public:
  static constexpr int kCodes = 17;  // StatusCode's values, 0-16
  // Records one call that ended with `code` after `elapsed`. Never throws.
  void Observe(StatusCode code, std::chrono::steady_clock::duration elapsed) noexcept;

 private:
  friend class Metrics;
  class Metrics* owner_ = nullptr;
  std::string method_;
  Transport transport_ = Transport::kGrpc;
  std::array<std::atomic<prometheus::Histogram*>, kCodes> by_code_{};
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The series of FileManager method `method` (its simple name, "Analyze") over `transport`;
  // null for a name the API does not have. Look it up once and keep it: the pointer stays valid
  // for the Metrics' life.
  RpcSeries* Rpc(Transport transport, std::string_view method);

  // Ingests: one file's outcome (n files), and the bytes of ingested files.
  void CountIngest(IngestOutcome outcome, uint64_t n = 1);
  void AddIngestBytes(uint64_t bytes);

  // The watcher's events (archivum_watch_events_total): the watch part adds what it handled.
  void AddWatchEvents(uint64_t n);

  // What Scrape reads at scrape time; either may be unset (its metrics are then absent) and may
  // be replaced at any time (e.g. after a reload): once a setter returns, the source it replaced
  // is not running and is never called again, so what it reads may then be destroyed. Sources
  // are called on the thread that scrapes, one scrape at a time, must be safe to call from any
  // thread and must not throw. The document count's error leaves the gauge out of that scrape
  // (and is logged).
  void SetDocumentCount(std::function<StatusOr<uint64_t>()> count);
  void SetPluginSource(std::function<std::vector<PluginSample>()> source);

  // Every metric, in the Prometheus text format (version 0.0.4).
  std::string Scrape();
  // The Content-Type of Scrape's text.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  friend class RpcSeries;
  struct Impl;
  prometheus::Histogram* RpcChild(const RpcSeries& series, int code);

  std::unique_ptr<Impl> impl_;
};

}  // namespace archivum::metrics
