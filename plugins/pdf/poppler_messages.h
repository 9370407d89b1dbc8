// Where poppler's diagnostics go.
//
// poppler reports problems in the files it reads ("Couldn't read xref table", "Illegal character")
// through one process-wide callback (poppler::set_debug_error_function) that does not say which
// document they concern, and by default prints them to stderr. A PopplerMessages scope installs
// that callback (once per process) and receives what poppler reports on the scope's thread while
// the scope is open: poppler calls back on the thread that called into it, and this plugin calls
// into poppler only inside a scope. Messages go to the host's log at debug level, the first
// kMaxLogged of them (a damaged file can produce thousands), and the last one is kept as the
// reason for a failure.
//
// The callback is process-wide state of libpoppler-cpp: another module of the same process that
// installs its own replaces this one. The plugin module is linked with -z nodelete so that the
// installed function stays mapped for as long as libpoppler-cpp can call it.
//
// Thread safety: a scope belongs to the thread that created it, and scopes nest (an inner one
// receives the messages until it closes). Scopes on different threads are independent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::pdf {

class PopplerMessages {
 public:
  // How many messages one scope logs; the rest are counted and reported as one line.
  static constexpr size_t kMaxLogged = 20;

  // Messages go to the log of the file being processed (`sink`, which must outlive the scope).
  explicit PopplerMessages(sdk::Sink& sink);
  // Messages go to the plugin's log (`host`, which must outlive the scope).
  explicit PopplerMessages(const sdk::Host& host);
  ~PopplerMessages();
  PopplerMessages(const PopplerMessages&) = delete;
  PopplerMessages& operator=(const PopplerMessages&) = delete;

  // The last message poppler reported in this scope, as valid UTF-8 without poppler's "error: "
  // prefix; empty if there was none.
  const std::string& last() const { return last_; }
  // How many messages poppler reported in this scope.
  size_t count() const { return count_; }

 private:
  PopplerMessages();
  static void Receive(const std::string& message, void* closure);
  void Log(std::string_view message);

  sdk::Sink* sink_ = nullptr;
  const sdk::Host* host_ = nullptr;
  PopplerMessages* outer_ = nullptr;  // the scope this one hides, restored on close
  size_t count_ = 0;
  std::string last_;
};

}  // namespace archivum::bundled::pdf
