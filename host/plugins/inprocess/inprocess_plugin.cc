#include "plugins/inprocess/inprocess_plugin.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <utility>

#include "common/utf8.h"
#include "plugins/inprocess/c_tables.h"
#include "plugins/inprocess/descriptor.h"

namespace archivum::plugins::inprocess {
namespace {

using Clock = std::chrono::steady_clock;

static_assert(static_cast<int32_t>(CallCode::kOk) == ARCHIVUM_OK &&
                  static_cast<int32_t>(CallCode::kError) == ARCHIVUM_ERROR &&
                  static_cast<int32_t>(CallCode::kInvalidArgument) == ARCHIVUM_INVALID_ARGUMENT &&
                  static_cast<int32_t>(CallCode::kUnsupported) == ARCHIVUM_UNSUPPORTED &&
                  static_cast<int32_t>(CallCode::kCancelled) == ARCHIVUM_CANCELLED &&
                  static_cast<int32_t>(CallCode::kResourceExhausted) ==
                      ARCHIVUM_RESOURCE_EXHAUSTED &&
                  static_cast<int32_t>(CallCode::kNotFound) == ARCHIVUM_NOT_FOUND,
              "CallCode mirrors the ABI's return codes");

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

// Runs `call`, turning an exception that escaped the plugin into an error.
template <class Call>
archivum_rc RunContained(Call&& call, std::string* error) {
  try {
    return call();
  } catch (const std::exception& e) {
    // The ABI forbids exceptions across the boundary; a plugin that breaks the rule anyway (no
    // C++ helper) is contained rather than allowed to unwind into the pipeline.
    *error = std::string("exception escaped the plugin: ") + e.what();
  } catch (...) {
    *error = "exception escaped the plugin";
  }
  return ARCHIVUM_ERROR;
}

class InProcessPlugin final : public Plugin {
 public:
  InProcessPlugin(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                  const archivum_plugin_descriptor& entry_points, std::unique_ptr<HostApi> host,
                  archivum_plugin_state* state, const OutputLimits& limits)
      : Plugin(std::move(manifest)),
        library_(std::move(library)),
        entry_points_(entry_points),
        host_(std::move(host)),
        state_(state),
        limits_(limits) {}
  ~InProcessPlugin() override { entry_points_.destroy(state_); }

  void Process(const PluginInput& input, bool need_finish_time,
               PluginOutput* output) const override {
    FileView view(input);
    ProcessSink sink(manifest().name, manifest().stage == Stage::kDetect, limits_.max_output_bytes,
                     input.file->child_budget, limits_.spool_dir, output);
    Invoke([&] { return entry_points_.process(state_, view.get(), sink.table()); },
           need_finish_time, output);
    sink.Finish();
  }

  StatusOr<std::vector<QueryHit>> Query(std::string_view verb,
                                        std::string_view argument) const override {
    QueryCollector collector(manifest().name, limits_.max_query_hits);
    PluginOutput outcome;
    // Queries are rare and slow next to a clock read: always timed.
    Invoke(
        [&] {
          return entry_points_.query(state_, {verb.data(), verb.size()},
                                     {argument.data(), argument.size()}, collector.table());
        },
        /*always_time=*/true, &outcome);
    if (outcome.code == CallCode::kOk) return std::move(collector.hits());
    std::string why = outcome.error.empty() ? CallCodeName(outcome.code) : outcome.error;
    switch (outcome.code) {
      case CallCode::kInvalidArgument: return InvalidArgument(std::move(why));
      case CallCode::kNotFound: return NotFound(std::move(why));
      default: return Internal(std::move(why));
    }
  }

  Status Flush() const override {
    const auto flush = entry_points_.flush;
    if (flush == nullptr) return Status::Ok();
    std::unique_lock<std::mutex> lock(call_mu_, std::defer_lock);
    if (!manifest().thread_safe) lock.lock();
    std::string error;
    const archivum_rc rc = RunContained([&] { return flush(state_); }, &error);
    if (rc == ARCHIVUM_OK) return Status::Ok();
    if (error.empty()) error = ErrorText(entry_points_.last_error(state_));
    return Internal(error.empty() ? CallCodeName(static_cast<CallCode>(rc)) : error);
  }

 private:
  // Runs `call` under the plugin's lock when needed, counting it, timing it if `always_time` or
  // sampled, and fetching last_error on failure. Fills output->code, error and finished.
  template <class Call>
  void Invoke(Call&& call, bool always_time, PluginOutput* output) const {
    std::unique_lock<std::mutex> lock(call_mu_, std::defer_lock);
    if (!manifest().thread_safe) lock.lock();
    // Calls of a plugin that is not thread-safe are serialized by the lock, so its counter needs
    // no atomic read-modify-write (readers still load it atomically).
    std::atomic<uint64_t>& calls = call_counter();
    uint64_t ordinal;
    if (manifest().thread_safe) {
      ordinal = calls.fetch_add(1, std::memory_order_relaxed);
    } else {
      ordinal = calls.load(std::memory_order_relaxed);
      calls.store(ordinal + 1, std::memory_order_relaxed);
    }
    const uint32_t weight = always_time ? 1 : SampleWeight(ordinal);
    Clock::time_point start{};
    if (weight != 0) start = Clock::now();
    const archivum_rc rc = RunContained(call, &output->error);
    if (weight != 0) {
      const Clock::time_point finished = Clock::now();
      output->finished = finished;
      AddTime(finished - start, weight);
    }
    output->code = static_cast<CallCode>(rc);
    // last_error must be read on this thread before anyone else calls into the state.
    if (rc != ARCHIVUM_OK && output->error.empty()) {
      output->error = ErrorText(entry_points_.last_error(state_));
    }
  }

  std::unique_ptr<PluginLibrary> library_;  // destroyed last: everything below points into it
  const archivum_plugin_descriptor entry_points_;
  std::unique_ptr<HostApi> host_;  // the table create() was given; outlives the state
  archivum_plugin_state* const state_;
  const OutputLimits limits_;
  mutable std::mutex call_mu_;  // serializes calls of plugins that are not thread-safe
};

class InProcessModule final : public PluginModule {
 public:
  InProcessModule(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                  const archivum_plugin_descriptor& entry_points)
      : library_(std::move(library)), manifest_(std::move(manifest)), entry_points_(entry_points) {}

  const Manifest& manifest() const override { return manifest_; }

  StatusOr<std::unique_ptr<Plugin>> Start(const std::string& config_json,
                                          const std::filesystem::path& data_dir,
                                          const std::vector<std::filesystem::path>& read_paths,
                                          const OutputLimits& limits) &&
      override {
    (void)read_paths;  // no sandbox in this process
    auto host = std::make_unique<HostApi>(manifest_.name, data_dir.string());
    const archivum_plugin_descriptor& d = entry_points_;
    archivum_plugin_state* state = nullptr;
    archivum_rc rc = ARCHIVUM_ERROR;
    try {
      rc = d.create({config_json.data(), config_json.size()}, host->table(), &state);
    } catch (const std::exception& e) {
      return FailedPrecondition(std::string("create failed: exception escaped the plugin: ") +
                                e.what());
    } catch (...) {
      return FailedPrecondition("create failed: exception escaped the plugin");
    }
    if (rc != ARCHIVUM_OK || state == nullptr) {
      std::string why = ErrorText(d.last_error(nullptr));
      if (why.empty()) {
        why = rc == ARCHIVUM_OK ? "returned no state" : CallCodeName(static_cast<CallCode>(rc));
      }
      // A state returned alongside a failure would leak; the contract says it stays NULL, but
      // freeing it is the safe reading.
      if (state != nullptr) d.destroy(state);
      return FailedPrecondition("create failed: " + why);
    }
    return std::unique_ptr<Plugin>(new InProcessPlugin(
        std::move(library_), std::move(manifest_), entry_points_, std::move(host), state, limits));
  }

 private:
  std::unique_ptr<PluginLibrary> library_;
  Manifest manifest_;
  archivum_plugin_descriptor entry_points_;
};

}  // namespace

StatusOr<std::unique_ptr<PluginModule>> OpenModule(const std::filesystem::path& file,
                                                   Manifest* partial) {
  auto library = PluginLibrary::Open(file);
  if (!library.ok()) return library.status();
  archivum_plugin_descriptor entry_points;
  ARCHIVUM_RETURN_IF_ERROR(ReadDescriptor((*library)->descriptor(), partial, &entry_points));
  return MakeModule(std::move(*library), *partial, entry_points);
}

std::unique_ptr<PluginModule> MakeModule(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                                         const archivum_plugin_descriptor& entry_points) {
  return std::make_unique<InProcessModule>(std::move(library), std::move(manifest), entry_points);
}

}  // namespace archivum::plugins::inprocess
