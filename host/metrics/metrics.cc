#include "metrics/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "aichemist_archivum.pb.h"
#include "metrics/process_collector.h"

namespace archivum::metrics {
namespace {

// From a cheap lookup (tens of microseconds) to a long ingest (minutes).
const prometheus::Histogram::BucketBoundaries& RpcBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    300};
  return *kBuckets;
}

std::string_view TransportName(Transport t) {
  return t == Transport::kGrpc ? "grpc" : "http";
}

std::string_view OutcomeName(IngestOutcome o) {
  switch (o) {
    case IngestOutcome::kIngested: return "ingested";
    case IngestOutcome::kUnchanged: return "unchanged";
    case IngestOutcome::kFailed: return "failed";
    case IngestOutcome::kSkipped: return "skipped";
    case IngestOutcome::kRemoved: return "removed";
  }
  return "failed";
}

constexpr IngestOutcome kOutcomes[] = {IngestOutcome::kIngested, IngestOutcome::kUnchanged,
                                       IngestOutcome::kFailed, IngestOutcome::kSkipped,
                                       IngestOutcome::kRemoved};

prometheus::ClientMetric::Label MetricLabel(std::string name, std::string value) {
  prometheus::ClientMetric::Label label;
  label.name = std::move(name);
  label.value = std::move(value);
  return label;
}

}  // namespace

struct Metrics::Impl {
  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& ingest_files =
      prometheus::BuildCounter()
          .Name("archivum_ingest_files_total")
          .Help("Files the ingests reported, by outcome (IngestEvent.Outcome).")
          .Register(registry);
  prometheus::Counter& ingest_bytes =
      prometheus::BuildCounter()
          .Name("archivum_ingest_bytes_total")
          .Help("Bytes of the files ingested (analyzed and cataloged).")
          .Register(registry)
          .Add({});
  prometheus::Counter& watch_events =
      prometheus::BuildCounter()
          .Name("archivum_watch_events_total")
          .Help("File-system events the watcher (ingest.watch) handled.")
          .Register(registry)
          .Add({});
  prometheus::Family<prometheus::Histogram>& rpc =
      prometheus::BuildHistogram()
          .Name("archivum_rpc_duration_seconds")
          .Help(
              "API calls by method, status code and transport: time from the request to the "
              "reply's status.")
          .Register(registry);
  std::array<prometheus::Counter*, std::size(kOutcomes)> outcomes{};
  ProcessCollector process;

  // Held while a source is called or replaced (taken before `mu` when both are).
  std::mutex sources_mu;
  std::function<StatusOr<uint64_t>()> document_count;        // guarded by sources_mu
  std::function<std::vector<PluginSample>()> plugin_source;  // guarded by sources_mu

  std::mutex mu;  // guards what follows, and the creation of RPC series and children
  std::map<std::pair<Transport, std::string>, std::unique_ptr<RpcSeries>, std::less<>> series;
  // The errors of kind "error" last exported per plugin instance: a failure is counted as a crash
  // or timeout by the placement before the pipeline counts it as an error, so between the two
  // the difference dips; the exported counter must never go down.
  std::map<std::string, std::pair<const void*, uint64_t>> plain_errors;
};

void RpcSeries::Observe(StatusCode code, std::chrono::steady_clock::duration elapsed) noexcept {
  int index = static_cast<int>(code);
  if (index < 0 || index >= kCodes) index = static_cast<int>(StatusCode::kUnknown);
  prometheus::Histogram* child = by_code_[index].load(std::memory_order_acquire);
  try {
    if (child == nullptr) child = owner_->RpcChild(*this, index);
    child->Observe(std::chrono::duration<double>(elapsed).count());
  } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory; the call goes unrecorded
  }
}

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
  for (IngestOutcome o : kOutcomes) {
    impl_->outcomes[static_cast<size_t>(o)] =
        &impl_->ingest_files.Add({{"outcome", std::string(OutcomeName(o))}});
  }
}

Metrics::~Metrics() = default;

RpcSeries* Metrics::Rpc(Transport transport, std::string_view method) {
  const auto* service =
      ::aichemist_archivum::IngestRequest::descriptor()->file()->FindServiceByName("FileManager");
  if (service == nullptr || service->FindMethodByName(std::string(method)) == nullptr) {
    return nullptr;
  }
  std::lock_guard lock(impl_->mu);
  auto& slot = impl_->series[{transport, std::string(method)}];
  if (!slot) {
    slot = std::make_unique<RpcSeries>();
    slot->owner_ = this;
    slot->method_ = std::string(method);
    slot->transport_ = transport;
  }
  return slot.get();
}

prometheus::Histogram* Metrics::RpcChild(const RpcSeries& series, int code) {
  std::lock_guard lock(impl_->mu);
  auto& slot = const_cast<RpcSeries&>(series).by_code_[code];
  prometheus::Histogram* child = slot.load(std::memory_order_relaxed);
  if (child == nullptr) {
    child = &impl_->rpc.Add({{"method", series.method_},
                             {"code", std::string(StatusCodeName(static_cast<StatusCode>(code)))},
                             {"transport", std::string(TransportName(series.transport_))}},
                            RpcBuckets());
    slot.store(child, std::memory_order_release);
  }
  return child;
}

void Metrics::CountIngest(IngestOutcome outcome, uint64_t n) {
  impl_->outcomes[static_cast<size_t>(outcome)]->Increment(static_cast<double>(n));
}

void Metrics::AddIngestBytes(uint64_t bytes) {
  impl_->ingest_bytes.Increment(static_cast<double>(bytes));
}

void Metrics::AddWatchEvents(uint64_t n) {
  impl_->watch_events.Increment(static_cast<double>(n));
}

void Metrics::SetDocumentCount(std::function<StatusOr<uint64_t>()> count) {
  std::lock_guard lock(impl_->sources_mu);
  impl_->document_count = std::move(count);
}

void Metrics::SetPluginSource(std::function<std::vector<PluginSample>()> source) {
  std::lock_guard lock(impl_->sources_mu);
  impl_->plugin_source = std::move(source);
}

std::string Metrics::Scrape() {
  using prometheus::MetricFamily;
  using prometheus::MetricType;
  std::vector<MetricFamily> families = impl_->registry.Collect();

  std::unique_lock sources(impl_->sources_mu);
  if (impl_->document_count) {
    const StatusOr<uint64_t> count = impl_->document_count();
    if (count.ok()) {
      MetricFamily& f = families.emplace_back();
      f.name = "archivum_documents";
      f.help = "Documents in the catalog, archive members included.";
      f.type = MetricType::Gauge;
      f.metric.emplace_back().gauge.value = static_cast<double>(*count);
    } else {
      spdlog::warn("metrics: cannot count the catalog's documents: {}", count.status().message());
    }
  }

  if (impl_->plugin_source) {
    MetricFamily calls;
    calls.name = "archivum_plugin_calls_total";
    calls.help = "Calls of each loaded plugin.";
    calls.type = MetricType::Counter;
    MetricFamily errors;
    errors.name = "archivum_plugin_errors_total";
    errors.help =
        "Failed plugin calls by kind: timeout (the worker was killed at the deadline), crash (the "
        "call killed its worker) or error (any other failure).";
    errors.type = MetricType::Counter;
    MetricFamily durations;
    durations.name = "archivum_plugin_duration_seconds";
    durations.help =
        "Time inside each plugin per call (in process, a sample of the calls after the first "
        "1024, each standing for the calls it represents; see ListPlugins' total_time_us).";
    durations.type = MetricType::Histogram;

    const std::vector<PluginSample> samples = impl_->plugin_source();
    std::lock_guard lock(impl_->mu);
    for (const PluginSample& p : samples) {
      calls.metric.emplace_back().label.push_back(MetricLabel("plugin", p.name));
      calls.metric.back().counter.value = static_cast<double>(p.calls);

      auto& [instance, last] = impl_->plain_errors[p.name];
      if (instance != p.instance) {
        instance = p.instance;
        last = 0;
      }
      const uint64_t placed = p.crashes + p.timeouts;
      last = std::max(last, p.errors > placed ? p.errors - placed : 0);
      const std::pair<const char*, uint64_t> kinds[] = {
          {"error", last}, {"timeout", p.timeouts}, {"crash", p.crashes}};
      for (const auto& [kind, value] : kinds) {
        prometheus::ClientMetric& m = errors.metric.emplace_back();
        m.label = {MetricLabel("kind", kind), MetricLabel("plugin", p.name)};
        m.counter.value = static_cast<double>(value);
      }

      prometheus::ClientMetric& h = durations.metric.emplace_back();
      h.label.push_back(MetricLabel("plugin", p.name));
      uint64_t cumulative = 0;
      for (size_t i = 0; i < p.bounds.size() && i < p.bucket_counts.size(); ++i) {
        cumulative += p.bucket_counts[i];
        h.histogram.bucket.push_back({cumulative, p.bounds[i]});
      }
      if (p.bucket_counts.size() > p.bounds.size()) cumulative += p.bucket_counts.back();
      h.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
      h.histogram.sample_count = cumulative;
      h.histogram.sample_sum = p.sum_seconds;
    }
    families.push_back(std::move(calls));
    families.push_back(std::move(errors));
    families.push_back(std::move(durations));
  }
  sources.unlock();

  for (MetricFamily& f : impl_->process.Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace archivum::metrics
