// Where leptonica's diagnostics go.
//
// leptonica (the image library under tesseract) reports problems ("Error in pixReadMemPng: ...")
// through one process-wide handler (leptSetStderrHandler) that does not say which call they
// concern, and by default prints them to stderr. A LeptonicaMessages scope installs this plugin's
// handler (once per process) and receives what leptonica reports on the scope's thread while the
// scope is open: leptonica calls the handler on the thread that called into it. Messages go to the
// file's log at debug level, the first kMaxLogged of them, and the last one is kept as the reason
// for a failure. A message on a thread with no open scope (leptonica used by other code of the
// process) goes to stderr, as leptonica's own handler would print it.
//
// The handler is a pointer into this module held by libleptonica: the module is linked with
// -z nodelete (plugins/ocr/CMakeLists.txt), so it stays mapped for as long as leptonica can call
// it.
//
// Thread safety: a scope belongs to the thread that created it, and scopes nest (an inner one
// receives the messages until it closes). Scopes on different threads are independent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::ocr {

class LeptonicaMessages {
 public:
  // How many messages one scope logs; the rest are counted and reported as one line.
  static constexpr size_t kMaxLogged = 20;

  // Messages go to the log of the file being processed (`sink`, which must outlive the scope).
  explicit LeptonicaMessages(sdk::Sink& sink);
  ~LeptonicaMessages();
  LeptonicaMessages(const LeptonicaMessages&) = delete;
  LeptonicaMessages& operator=(const LeptonicaMessages&) = delete;

  // The last message leptonica reported in this scope, one line of valid UTF-8 without its
  // "Error in " prefix; empty if there was none.
  const std::string& last() const { return last_; }
  // How many messages leptonica reported in this scope.
  size_t count() const { return count_; }

 private:
  static void Receive(const char* message);

  sdk::Sink* sink_;
  LeptonicaMessages* outer_;  // the scope this one hides, restored on close
  size_t count_ = 0;
  std::string last_;
};

}  // namespace archivum::bundled::ocr
