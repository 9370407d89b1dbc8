#include "plugins/instance.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "common/utf8.h"

namespace archivum::plugins {
namespace {

// A plugin's message, bounded (a bad size must not make us copy gigabytes) and made printable
// ASCII if it is not valid UTF-8, since it ends up in findings and responses.
std::string ErrorText(archivum_str s) {
  if (s.data == nullptr || s.size == 0) return {};
  std::string text(s.data, std::min<size_t>(s.size, 4096));
  if (!IsValidUtf8(text)) {
    for (char& c : text) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  return text;
}

// The time weight of the call with this ordinal (0-based, per plugin): see instance.h. Fibonacci
// hashing spreads the sampled ordinals evenly (about one in every kTimeSampleEvery consecutive
// calls) without a period an input order could line up with.
uint32_t SampleWeight(uint64_t ordinal) {
  static_assert(PluginInstance::kTimeSampleEvery == 16, "the top 4 bits select 1 in 16");
  if (ordinal < PluginInstance::kExactlyTimedCalls) return 1;
  return (ordinal * 0x9E3779B97F4A7C15ull) >> 60 == 0 ? PluginInstance::kTimeSampleEvery : 0;
}

// Runs `call`, turning an exception that escaped the plugin into an error outcome.
template <class Call>
void RunContained(Call&& call, CallOutcome* outcome) {
  try {
    outcome->rc = call();
  } catch (const std::exception& e) {
    // The ABI forbids exceptions across the boundary; a plugin that breaks the rule anyway (no
    // C++ helper) is contained rather than allowed to unwind into the pipeline.
    outcome->rc = ARCHIVUM_ERROR;
    outcome->error = std::string("exception escaped the plugin: ") + e.what();
  } catch (...) {
    outcome->rc = ARCHIVUM_ERROR;
    outcome->error = "exception escaped the plugin";
  }
}

}  // namespace

std::string RcName(archivum_rc rc) {
  switch (rc) {
    case ARCHIVUM_OK: return "ok";
    case ARCHIVUM_ERROR: return "error";
    case ARCHIVUM_INVALID_ARGUMENT: return "invalid argument";
    case ARCHIVUM_UNSUPPORTED: return "unsupported";
    case ARCHIVUM_CANCELLED: return "cancelled";
    case ARCHIVUM_RESOURCE_EXHAUSTED: return "resource exhausted";
    case ARCHIVUM_NOT_FOUND: return "not found";
    default: return "return code " + std::to_string(rc);
  }
}

StatusOr<std::unique_ptr<PluginInstance>> PluginInstance::Create(
    std::unique_ptr<PluginLibrary> library, Manifest manifest, const std::string& config_json,
    const std::filesystem::path& data_dir) {
  auto host = std::make_unique<HostApi>(manifest.name, data_dir.string());
  std::unique_ptr<PluginInstance> instance(
      new PluginInstance(std::move(library), std::move(manifest), std::move(host)));
  const archivum_plugin_descriptor& d = instance->manifest_.entry_points;
  archivum_plugin_state* state = nullptr;
  archivum_rc rc = ARCHIVUM_ERROR;
  try {
    rc = d.create({config_json.data(), config_json.size()}, instance->host_->table(), &state);
  } catch (const std::exception& e) {
    return FailedPrecondition(std::string("create failed: exception escaped the plugin: ") +
                              e.what());
  } catch (...) {
    return FailedPrecondition("create failed: exception escaped the plugin");
  }
  if (rc != ARCHIVUM_OK || state == nullptr) {
    std::string why = ErrorText(d.last_error(nullptr));
    if (why.empty()) why = rc == ARCHIVUM_OK ? "returned no state" : RcName(rc);
    // A state returned alongside a failure would leak; the contract says it stays NULL, but
    // freeing it is the safe reading.
    if (state != nullptr) d.destroy(state);
    return FailedPrecondition("create failed: " + why);
  }
  instance->state_ = state;
  return instance;
}

PluginInstance::PluginInstance(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                               std::unique_ptr<HostApi> host)
    : library_(std::move(library)), manifest_(std::move(manifest)), host_(std::move(host)) {}

PluginInstance::~PluginInstance() {
  if (state_ != nullptr) manifest_.entry_points.destroy(state_);
}

template <class Call>
CallOutcome PluginInstance::Invoke(Call&& call, bool always_time) const {
  using Clock = std::chrono::steady_clock;
  std::unique_lock<std::mutex> lock(call_mu_, std::defer_lock);
  if (!manifest_.thread_safe) lock.lock();
  CallOutcome outcome;
  // Calls of a plugin that is not thread-safe are serialized by the lock, so its counter needs no
  // atomic read-modify-write (readers still load it atomically).
  uint64_t ordinal;
  if (manifest_.thread_safe) {
    ordinal = calls_.fetch_add(1, std::memory_order_relaxed);
  } else {
    ordinal = calls_.load(std::memory_order_relaxed);
    calls_.store(ordinal + 1, std::memory_order_relaxed);
  }
  outcome.time_weight = always_time ? 1 : SampleWeight(ordinal);
  Clock::time_point start{};
  if (outcome.time_weight != 0) start = Clock::now();
  RunContained(call, &outcome);
  if (outcome.time_weight != 0) {
    outcome.finished = Clock::now();
    outcome.elapsed = outcome.finished - start;
  }
  // last_error must be read on this thread before anyone else calls into the state.
  if (outcome.rc != ARCHIVUM_OK && outcome.error.empty()) {
    outcome.error = ErrorText(manifest_.entry_points.last_error(state_));
  }
  return outcome;
}

CallOutcome PluginInstance::Process(const archivum_file& file, ProcessSink& sink,
                                    bool need_finish_time) const {
  return Invoke([&] { return manifest_.entry_points.process(state_, &file, sink.table()); },
                need_finish_time);
}

CallOutcome PluginInstance::Query(std::string_view verb, std::string_view argument,
                                  QueryCollector& sink) const {
  // Queries are rare and slow next to a clock read: always timed.
  return Invoke(
      [&] {
        return manifest_.entry_points.query(state_, {verb.data(), verb.size()},
                                            {argument.data(), argument.size()}, sink.table());
      },
      /*always_time=*/true);
}

CallOutcome PluginInstance::Flush() const {
  CallOutcome outcome;
  const auto flush = manifest_.entry_points.flush;
  if (flush == nullptr) return outcome;
  std::unique_lock<std::mutex> lock(call_mu_, std::defer_lock);
  if (!manifest_.thread_safe) lock.lock();
  RunContained([&] { return flush(state_); }, &outcome);
  if (outcome.rc != ARCHIVUM_OK && outcome.error.empty()) {
    outcome.error = ErrorText(manifest_.entry_points.last_error(state_));
  }
  return outcome;
}

void PluginInstance::RecordCall(const CallOutcome& outcome, bool failed) const {
  if (failed) errors_.fetch_add(1, std::memory_order_relaxed);
  if (outcome.time_weight != 0) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(outcome.elapsed).count();
    weighted_time_ns_.fetch_add(
        static_cast<uint64_t>(std::max<int64_t>(ns, 0)) * outcome.time_weight,
        std::memory_order_relaxed);
  }
}

}  // namespace archivum::plugins
