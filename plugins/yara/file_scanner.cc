#include "yara/file_scanner.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "yara/yara_errors.h"

namespace archivum::bundled::yara {
namespace {

// The state of one scan, shared with libyara's callback.
class ScanState {
 public:
  ScanState(const sdk::File& file, sdk::Sink& sink) : file_(file), sink_(sink) {}

  // Set once the registration exists; read by the callback.
  void set_registration(const ScanWatch::Registration* r) { registration_ = r; }

  int OnMessage(YR_SCAN_CONTEXT* context, int message, void* data) {
    switch (message) {
      case CALLBACK_MSG_RULE_MATCHING: return OnMatch(*static_cast<const YR_RULE*>(data));
      case CALLBACK_MSG_TOO_MANY_MATCHES:
        return OnTooManyMatches(context, *static_cast<const YR_STRING*>(data));
      case CALLBACK_MSG_CONSOLE_LOG:
        // The console module's output (console.log in a rule): the rule writer's own trace.
        sink_.Log(sdk::LogLevel::kDebug, SanitizeUtf8(static_cast<const char*>(data)));
        return CALLBACK_CONTINUE;
      default: return CALLBACK_CONTINUE;
    }
  }

  bool stopped() const { return stopped_; }
  std::exception_ptr failure;  // an exception caught in the callback, rethrown after the scan

 private:
  int OnMatch(const YR_RULE& rule) {
    if (StopRequested()) return CALLBACK_ABORT;
    if (RULE_IS_PRIVATE(&rule)) return CALLBACK_CONTINUE;
    if (!Emit("rule", rule.identifier)) return CALLBACK_ABORT;
    const YR_RULE* r = &rule;  // libyara's iteration macros take a pointer name
    const char* tag = nullptr;
    yr_rule_tags_foreach(r, tag) {
      if (!Emit("tag", tag)) return CALLBACK_ABORT;
    }
    const YR_META* meta = nullptr;
    yr_rule_metas_foreach(r, meta) {
      std::string value;
      switch (meta->type) {
        case META_TYPE_INTEGER: value = std::to_string(meta->integer); break;
        case META_TYPE_BOOLEAN: value = meta->integer != 0 ? "true" : "false"; break;
        default: value = SanitizeUtf8(meta->string != nullptr ? meta->string : ""); break;
      }
      if (!Emit(std::string("meta.") + meta->identifier, value)) return CALLBACK_ABORT;
    }
    return CALLBACK_CONTINUE;
  }

  int OnTooManyMatches(YR_SCAN_CONTEXT* context, const YR_STRING& string) {
    const YR_RULE& rule = context->rules->rules_table[string.rule_idx];
    const std::string what = std::string(rule.identifier) + ":" + string.identifier;
    sink_.Log(sdk::LogLevel::kWarn, "string " + what +
                                        " has too many matches: later ones are ignored, so "
                                        "conditions on it see only the first ones");
    return Emit("too_many_matches", what) ? CALLBACK_CONTINUE : CALLBACK_ABORT;
  }

  // Emits one finding; false once no more may be emitted (the scan should stop).
  bool Emit(std::string_view key, std::string_view value) {
    if (full_) return false;
    if (emitted_ >= kMaxFindings) {
      return Full("the plugin's limit of " + std::to_string(kMaxFindings) + " findings per file");
    }
    const archivum_rc rc = sink_.Finding(key, value);
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) return Full("the host's output limit");
    if (rc != ARCHIVUM_OK) {
      sink_.Log(sdk::LogLevel::kWarn, "finding " + std::string(key) + " refused by the host");
    }
    ++emitted_;
    return true;
  }

  bool Full(const std::string& why) {
    full_ = true;
    sink_.Log(sdk::LogLevel::kWarn,
              "matches after " + std::to_string(emitted_) + " findings are not reported: " + why);
    return false;
  }

  // The watch stopped the call, or its deadline passed (the watch checks only every period).
  bool StopRequested() {
    const int64_t deadline = file_.raw().deadline_ns;
    if ((registration_ != nullptr && registration_->stopped()) ||
        (deadline != INT64_MAX && MonotonicNowNs() >= deadline)) {
      stopped_ = true;
    }
    return stopped_;
  }

  const sdk::File& file_;
  sdk::Sink& sink_;
  const ScanWatch::Registration* registration_ = nullptr;
  size_t emitted_ = 0;
  bool full_ = false;
  bool stopped_ = false;
};

int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* data, void* user_data) {
  auto* state = static_cast<ScanState*>(user_data);
  // No exception may unwind through libyara.
  try {
    return state->OnMessage(context, message, data);
  } catch (...) {
    state->failure = std::current_exception();
    return CALLBACK_ERROR;
  }
}

[[noreturn]] void Cancelled() {
  throw sdk::Error(ARCHIVUM_CANCELLED, "scan stopped: the call was cancelled or out of time");
}

}  // namespace

archivum_rc FileScanner::Scan(const sdk::File& file, sdk::Sink& sink) const {
  if (file.cancelled()) Cancelled();
  ScannerPool::Lease scanner = pool_.Acquire();
  ScanState state(file, sink);
  // The host guards its mappings against files truncated underneath (SIGBUS); libyara's own
  // guard would swap the process-wide SIGBUS and SIGSEGV handlers during every scan.
  yr_scanner_set_flags(scanner.get(), SCAN_FLAGS_NO_TRYCATCH);
  yr_scanner_set_callback(scanner.get(), &OnScanMessage, &state);
  const auto externals = FileExternals(file.path(), file.mime());
  for (size_t i = 0; i < kExternals.size(); ++i) {
    if (const int rc =
            yr_scanner_define_string_variable(scanner.get(), kExternals[i], externals[i].c_str());
        rc != ERROR_SUCCESS) {
      throw sdk::Error(ARCHIVUM_ERROR, std::string("libyara: cannot set external ") +
                                           kExternals[i] + ": " + YaraErrorName(rc));
    }
  }
  // libyara's own timeout, in whole seconds rounded up, backs up the watch; 0 is none.
  int timeout_s = 0;
  if (const int64_t deadline = file.raw().deadline_ns; deadline != INT64_MAX) {
    const int64_t left = deadline - MonotonicNowNs();
    if (left <= 0) Cancelled();
    timeout_s = static_cast<int>(std::min<int64_t>((left + 999999999) / 1000000000, INT_MAX));
  }
  yr_scanner_set_timeout(scanner.get(), timeout_s);

  static constexpr uint8_t kEmpty = 0;
  const std::string_view bytes = file.bytes();
  const auto* data = bytes.empty() ? &kEmpty : reinterpret_cast<const uint8_t*>(bytes.data());
  int rc = ERROR_SUCCESS;
  {
    YR_SCANNER* s = scanner.get();
    // Stopping a scan from outside: libyara compares the time spent with scanner->timeout as it
    // goes (every few KiB of input and every few instructions of a condition), so a timeout of
    // 1 ns ends the scan at its next check with ERROR_SCAN_TIMEOUT. libyara reads the field
    // without synchronization; the store is atomic on our side and a plain aligned 64-bit store
    // on every target this builds for, so the scan sees either the old or the new value.
    const ScanWatch::Registration registration = watch_.Watch(file.raw(), [s] {
      std::atomic_ref<uint64_t>(s->timeout).store(1, std::memory_order_relaxed);
    });
    state.set_registration(&registration);
    rc = yr_scanner_scan_mem(s, data, bytes.size());
    state.set_registration(nullptr);
  }
  if (state.failure) std::rethrow_exception(state.failure);
  // A scan that completed keeps its findings even if the stop came as it ended.
  if (rc == ERROR_SCAN_TIMEOUT || state.stopped()) Cancelled();
  if (rc != ERROR_SUCCESS) {
    std::string message = "libyara: scan failed: " + YaraErrorName(rc);
    if (const YR_RULE* rule = yr_scanner_last_error_rule(scanner.get()); rule != nullptr) {
      message += std::string(" (rule ") + rule->identifier + ")";
    }
    throw sdk::Error(ARCHIVUM_ERROR, message);
  }
  scanner.Keep();  // a clean scan: the scanner may serve the next call
  return ARCHIVUM_OK;
}

}  // namespace archivum::bundled::yara
