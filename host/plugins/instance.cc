#include "plugins/instance.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "plugins/utf8.h"

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
CallOutcome PluginInstance::Invoke(Call&& call) const {
  std::unique_lock<std::mutex> lock(call_mu_, std::defer_lock);
  if (!manifest_.thread_safe) lock.lock();
  CallOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  try {
    outcome.rc = call();
  } catch (const std::exception& e) {
    // The ABI forbids exceptions across the boundary; a plugin that breaks the rule anyway (no
    // C++ helper) is contained rather than allowed to unwind into the pipeline.
    outcome.rc = ARCHIVUM_ERROR;
    outcome.error = std::string("exception escaped the plugin: ") + e.what();
  } catch (...) {
    outcome.rc = ARCHIVUM_ERROR;
    outcome.error = "exception escaped the plugin";
  }
  // last_error must be read on this thread before anyone else calls into the state.
  if (outcome.rc != ARCHIVUM_OK && outcome.error.empty()) {
    outcome.error = ErrorText(manifest_.entry_points.last_error(state_));
  }
  outcome.elapsed = std::chrono::steady_clock::now() - start;
  return outcome;
}

CallOutcome PluginInstance::Process(const archivum_file& file, ProcessSink& sink) const {
  return Invoke([&] { return manifest_.entry_points.process(state_, &file, sink.table()); });
}

CallOutcome PluginInstance::Query(std::string_view verb, std::string_view argument,
                                  QueryCollector& sink) const {
  return Invoke([&] {
    return manifest_.entry_points.query(state_, {verb.data(), verb.size()},
                                        {argument.data(), argument.size()}, sink.table());
  });
}

void PluginInstance::RecordCall(std::chrono::steady_clock::duration elapsed, bool failed) const {
  calls_.fetch_add(1, std::memory_order_relaxed);
  if (failed) errors_.fetch_add(1, std::memory_order_relaxed);
  total_time_us_.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count(),
                           std::memory_order_relaxed);
}

}  // namespace archivum::plugins
