// Header-only C++ helper for writing Archivum plugins (C++20).
//
// A plugin author writes one class and one macro:
//
//   class Wordcount {
//    public:
//     static constexpr std::string_view kName = "wordcount";
//     static constexpr std::string_view kVersion = "1.0.0";
//     static constexpr std::string_view kDescription = "Counts words";   // optional
//     static constexpr archivum::sdk::Stage kStage = archivum::sdk::Stage::kAnalyze;
//     static constexpr std::string_view kAccept[] = {"text/*"};
//     static constexpr bool kThreadSafe = true;                          // optional, false
//     static constexpr uint64_t kMaxFileSize = 0;                        // optional, 0 = any
//     static constexpr std::string_view kQueryVerbs[] = {"words"};       // optional
//     static constexpr std::string_view kTuningKeys[] = {"cache"};       // optional, ABI 1.2
//     static constexpr bool kOptIn = true;  // optional, false; off unless enabled (ABI 1.4)
//     static constexpr std::string_view kPathKeys[] = {"rules"};      // optional, ABI 1.4
//
//     Wordcount(std::string_view config_json, const archivum::sdk::Host& host);
//     void Process(const archivum::sdk::File& file, archivum::sdk::Sink& sink);
//     // Optional, iff kQueryVerbs is declared:
//     void Query(std::string_view verb, std::string_view arg, archivum::sdk::QuerySink& sink);
//     // Optional: makes durable what the plugin keeps of the files processed so far (the
//     // descriptor's flush entry point, ABI 1.2; see plugin.h for when the host calls it).
//     void Flush();
//   };
//   ARCHIVUM_PLUGIN(Wordcount)
//
// The helper fills the C descriptor (plugin.h) from the static members, owns the instance as the
// plugin state, and catches every exception at the boundary: a throw from the constructor,
// Process or Query becomes an error code plus last_error(). Throw archivum::sdk::Error to choose
// the code (e.g. ARCHIVUM_INVALID_ARGUMENT); any other exception becomes ARCHIVUM_ERROR. The
// same holds for Flush. Process, Query and Flush may return void (success) or an archivum_rc
// (e.g. ARCHIVUM_UNSUPPORTED).
//
// Threading: if kThreadSafe is true, Process/Query/Flush must be safe to call concurrently on
// one instance; the host serializes calls otherwise. All views (File, Host strings, arguments) are
// valid only as documented in plugin.h: File and sinks during the call, Host until destruction.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <exception>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "archivum/plugin.h"

namespace archivum::sdk {

enum class Stage : archivum_stage {
  kDetect = ARCHIVUM_STAGE_DETECT,
  kExtract = ARCHIVUM_STAGE_EXTRACT,
  kAnalyze = ARCHIVUM_STAGE_ANALYZE,
};

enum class LogLevel : archivum_log_level {
  kTrace = ARCHIVUM_LOG_TRACE,
  kDebug = ARCHIVUM_LOG_DEBUG,
  kInfo = ARCHIVUM_LOG_INFO,
  kWarn = ARCHIVUM_LOG_WARN,
  kError = ARCHIVUM_LOG_ERROR,
};

inline archivum_str ToStr(std::string_view s) {
  return {s.data(), s.size()};
}
inline std::string_view ToView(archivum_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

// Thrown by plugin code to fail a call with a specific return code.
class Error : public std::runtime_error {
 public:
  Error(archivum_rc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  archivum_rc code() const { return code_; }

 private:
  archivum_rc code_;
};

// Host services. Valid from construction of the plugin until its destruction. Thread-safe.
class Host {
 public:
  explicit Host(const archivum_host_api* api) : api_(api) {}
  std::string_view plugin_name() const { return ToView(api_->plugin_name); }
  // This plugin's private directory under the store; empty if there is none.
  std::string_view data_dir() const { return ToView(api_->data_dir); }
  void Log(LogLevel level, std::string_view message) const {
    api_->log(api_->ctx, static_cast<archivum_log_level>(level), ToStr(message));
  }

 private:
  const archivum_host_api* api_;
};

// The file of one Process call. A view; valid only during that call.
class File {
 public:
  explicit File(const archivum_file* file) : file_(file) {}
  std::string_view path() const { return ToView(file_->path); }
  std::string_view display_name() const { return ToView(file_->display_name); }
  uint64_t size() const { return file_->size; }
  std::string_view mime() const { return ToView(file_->mime); }
  // The content, read-only.
  std::string_view bytes() const {
    if (file_->bytes.data == nullptr) return {};
    return {reinterpret_cast<const char*>(file_->bytes.data), file_->bytes.size};
  }
  std::string_view text() const { return ToView(file_->text); }
  // True once the deadline has passed or the host cancelled the call. Poll it in long loops.
  bool cancelled() const {
    if (file_->is_cancelled != nullptr && file_->is_cancelled(file_->cancel_ctx) != 0) return true;
    if (file_->deadline_ns == INT64_MAX) return false;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t now_ns = static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
    return now_ns >= file_->deadline_ns;
  }
  // Tells the host that bytes()[offset, offset + length) may leave memory (see
  // archivum_file.release_bytes). A no-op with hosts older than ABI 1.1.
  void Release(uint64_t offset, uint64_t length) const {
    if (ARCHIVUM_HAS_FIELD(file_, archivum_file, release_ctx) && file_->release_bytes != nullptr) {
      file_->release_bytes(file_->release_ctx, offset, length);
    }
  }
  const archivum_file& raw() const { return *file_; }

 private:
  const archivum_file* file_;
};

// Output of one Process call. Each function copies its arguments and returns ARCHIVUM_OK or the
// host's refusal code (see archivum_sink). Use only during the call, from the calling thread.
class Sink {
 public:
  explicit Sink(const archivum_sink* sink) : sink_(sink) {}
  archivum_rc Finding(std::string_view key, std::string_view value) {
    return sink_->emit_finding(sink_->ctx, ToStr(key), ToStr(value));
  }
  archivum_rc Finding(std::string_view key, uint64_t value) {
    return Finding(key, std::string_view(std::to_string(value)));
  }
  archivum_rc Text(std::string_view text) { return sink_->emit_text(sink_->ctx, ToStr(text)); }
  archivum_rc Tag(std::string_view tag) { return sink_->emit_tag(sink_->ctx, ToStr(tag)); }
  archivum_rc Child(std::string_view name, std::string_view bytes) {
    return sink_->emit_child(sink_->ctx, ToStr(name),
                             {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  }
  // Streaming children (ABI 1.3; see archivum_sink): BeginChild, any number of WriteChild,
  // ChildFinding and ChildTag, then EndChild. ARCHIVUM_RESOURCE_EXHAUSTED from BeginChild means no
  // more children are taken; from WriteChild, that this child is dropped (call EndChild and go
  // on). A host older than 1.3 never loads a plugin built against this header, so these are
  // always present; StreamsChildren() says so for code shared with older hosts.
  bool StreamsChildren() const { return ARCHIVUM_HAS_FIELD(sink_, archivum_sink, end_child); }
  archivum_rc BeginChild(std::string_view name) {
    if (!StreamsChildren()) return ARCHIVUM_UNSUPPORTED;
    return sink_->begin_child(sink_->ctx, ToStr(name));
  }
  archivum_rc WriteChild(std::string_view bytes) {
    if (!StreamsChildren()) return ARCHIVUM_UNSUPPORTED;
    return sink_->write_child(sink_->ctx,
                              {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  }
  archivum_rc ChildFinding(std::string_view key, std::string_view value) {
    if (!StreamsChildren()) return ARCHIVUM_UNSUPPORTED;
    return sink_->child_finding(sink_->ctx, ToStr(key), ToStr(value));
  }
  archivum_rc ChildTag(std::string_view tag) {
    if (!StreamsChildren()) return ARCHIVUM_UNSUPPORTED;
    return sink_->child_tag(sink_->ctx, ToStr(tag));
  }
  archivum_rc EndChild() {
    if (!StreamsChildren()) return ARCHIVUM_UNSUPPORTED;
    return sink_->end_child(sink_->ctx);
  }
  // A thumbnail of the file (ABI 1.4; see archivum_sink.emit_preview): at most 256 px on the long
  // side, "image/webp", "image/jpeg" or "image/png", at most 512 KiB.
  bool TakesPreviews() const { return ARCHIVUM_HAS_FIELD(sink_, archivum_sink, emit_text_as); }
  archivum_rc Preview(std::string_view mime, std::string_view bytes) {
    if (!TakesPreviews()) return ARCHIVUM_UNSUPPORTED;
    return sink_->emit_preview(sink_->ctx, ToStr(mime),
                               {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  }
  // Text with its origin, e.g. TextAs("ocr", words) (ABI 1.4; see archivum_sink.emit_text_as).
  archivum_rc TextAs(std::string_view kind, std::string_view text) {
    if (!TakesPreviews()) return ARCHIVUM_UNSUPPORTED;
    return sink_->emit_text_as(sink_->ctx, ToStr(kind), ToStr(text));
  }
  archivum_rc SetMime(std::string_view mime) { return sink_->set_mime(sink_->ctx, ToStr(mime)); }
  void Log(LogLevel level, std::string_view message) {
    sink_->log(sink_->ctx, static_cast<archivum_log_level>(level), ToStr(message));
  }

 private:
  const archivum_sink* sink_;
};

// Output of one Query call; same contract as Sink.
class QuerySink {
 public:
  explicit QuerySink(const archivum_query_sink* sink) : sink_(sink) {}
  archivum_rc Hit(std::string_view path, double score, std::string_view detail) {
    return sink_->emit_hit(sink_->ctx, ToStr(path), score, ToStr(detail));
  }
  void Log(LogLevel level, std::string_view message) {
    sink_->log(sink_->ctx, static_cast<archivum_log_level>(level), ToStr(message));
  }

 private:
  const archivum_query_sink* sink_;
};

namespace detail {

template <class P>
concept HasQuery = requires {
  std::size(P::kQueryVerbs);
};
template <class P>
concept HasDescription = requires {
  std::string_view(P::kDescription);
};
template <class P>
concept HasThreadSafe = requires {
  bool(P::kThreadSafe);
};
template <class P>
concept HasPathKeys = requires {
  std::size(P::kPathKeys);
};
template <class P>
concept HasOptIn = requires {
  bool(P::kOptIn);
};
template <class P>
concept HasMaxFileSize = requires {
  uint64_t(P::kMaxFileSize);
};

template <class P>
concept HasFlush = requires(P& plugin) {
  plugin.Flush();
};
template <class P>
concept HasTuningKeys = requires {
  std::size(P::kTuningKeys);
};

template <size_t N, class Range>
constexpr std::array<archivum_str, N> ToStrArray(const Range& range) {
  std::array<archivum_str, N> out{};
  size_t i = 0;
  for (std::string_view s : range) out[i++] = archivum_str{s.data(), s.size()};
  return out;
}

// Runs `fn` and converts its result or exception into a return code; the message of a failure
// goes to the thread-local last error that last_error() reports.
template <class Fn>
archivum_rc Guard(std::string& last_error, Fn&& fn) noexcept {
  try {
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      return ARCHIVUM_OK;
    } else {
      return static_cast<archivum_rc>(fn());
    }
  } catch (const Error& e) {
    last_error = e.what();
    return e.code() == ARCHIVUM_OK ? ARCHIVUM_ERROR : e.code();
  } catch (const std::exception& e) {
    last_error = e.what();
    return ARCHIVUM_ERROR;
  } catch (...) {
    last_error = "unknown exception";
    return ARCHIVUM_ERROR;
  }
}

template <class P>
class Adapter {
 public:
  static const archivum_plugin_descriptor* Descriptor() {
    static const archivum_plugin_descriptor descriptor = Make();
    return &descriptor;
  }

 private:
  struct State {
    State(std::string_view config, const archivum_host_api* api)
        : host(api), plugin(config, host) {}
    Host host;
    P plugin;
  };

  static constexpr auto kAccept = ToStrArray<std::size(P::kAccept)>(P::kAccept);

  static std::string& LastError() {
    thread_local std::string message;
    return message;
  }
  static State* Cast(archivum_plugin_state* s) { return reinterpret_cast<State*>(s); }

  static archivum_rc Create(archivum_str config, const archivum_host_api* host,
                            archivum_plugin_state** out) noexcept {
    LastError().clear();
    if (out == nullptr || host == nullptr) return ARCHIVUM_INVALID_ARGUMENT;
    *out = nullptr;
    return Guard(LastError(), [&] {
      *out = reinterpret_cast<archivum_plugin_state*>(new State(ToView(config), host));
    });
  }
  static void Destroy(archivum_plugin_state* state) noexcept {
    try {
      delete Cast(state);
    } catch (...) {  // A throwing destructor must not cross the boundary.
    }
  }
  static archivum_rc Process(archivum_plugin_state* state, const archivum_file* file,
                             const archivum_sink* sink) noexcept {
    LastError().clear();
    return Guard(LastError(), [&] {
      File f(file);
      Sink s(sink);
      return Cast(state)->plugin.Process(f, s);
    });
  }
  static archivum_rc Query(archivum_plugin_state* state, archivum_str verb, archivum_str arg,
                           const archivum_query_sink* sink) noexcept {
    LastError().clear();
    return Guard(LastError(), [&] {
      QuerySink s(sink);
      return Cast(state)->plugin.Query(ToView(verb), ToView(arg), s);
    });
  }
  static archivum_rc Flush(archivum_plugin_state* state) noexcept {
    LastError().clear();
    return Guard(LastError(), [&] { return Cast(state)->plugin.Flush(); });
  }
  static archivum_str LastErrorEntry(archivum_plugin_state*) noexcept { return ToStr(LastError()); }

  static archivum_plugin_descriptor Make() {
    archivum_plugin_descriptor d{};
    d.struct_size = sizeof(archivum_plugin_descriptor);
    d.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    d.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    d.name = ToStr(P::kName);
    d.version = ToStr(P::kVersion);
    if constexpr (HasDescription<P>) d.description = ToStr(P::kDescription);
    d.stage = static_cast<archivum_stage>(P::kStage);
    if constexpr (HasThreadSafe<P>) d.flags = P::kThreadSafe ? ARCHIVUM_FLAG_THREAD_SAFE : 0u;
    if constexpr (HasOptIn<P>) d.flags |= P::kOptIn ? ARCHIVUM_FLAG_OPT_IN : 0u;
    d.accept = kAccept.data();
    d.accept_count = kAccept.size();
    if constexpr (HasQuery<P>) {
      static constexpr auto kVerbs = ToStrArray<std::size(P::kQueryVerbs)>(P::kQueryVerbs);
      d.query_verbs = kVerbs.data();
      d.query_verb_count = kVerbs.size();
      d.query = &Query;
    }
    d.create = &Create;
    d.destroy = &Destroy;
    d.process = &Process;
    d.last_error = &LastErrorEntry;
    if constexpr (HasMaxFileSize<P>) d.max_file_size = P::kMaxFileSize;
    if constexpr (HasFlush<P>) d.flush = &Flush;
    if constexpr (HasTuningKeys<P>) {
      static constexpr auto kKeys = ToStrArray<std::size(P::kTuningKeys)>(P::kTuningKeys);
      d.tuning_keys = kKeys.data();
      d.tuning_key_count = kKeys.size();
    }
    if constexpr (HasPathKeys<P>) {
      static constexpr auto kKeys = ToStrArray<std::size(P::kPathKeys)>(P::kPathKeys);
      d.path_keys = kKeys.data();
      d.path_key_count = kKeys.size();
    }
    return d;
  }
};

}  // namespace detail
}  // namespace archivum::sdk

// Defines the plugin's entry symbol for `PluginClass`. Use once per library, at namespace scope.
#define ARCHIVUM_PLUGIN(PluginClass)                                                         \
  extern "C" ARCHIVUM_EXPORT const archivum_plugin_descriptor* archivum_plugin_entry(void) { \
    return ::archivum::sdk::detail::Adapter<PluginClass>::Descriptor();                      \
  }
