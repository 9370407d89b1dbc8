#include "ocr/leptonica_messages.h"

#include <leptonica/allheaders.h>

#include <cstdio>
#include <mutex>

#include "common/utf8.h"

namespace archivum::bundled::ocr {
namespace {

// The scope open on this thread, if any.
constinit thread_local LeptonicaMessages* current = nullptr;

// A message longer than this is cut.
constexpr size_t kMaxMessage = 512;

}  // namespace

LeptonicaMessages::LeptonicaMessages(sdk::Sink& sink) : sink_(&sink), outer_(current) {
  static std::once_flag installed;
  std::call_once(installed, [] { leptSetStderrHandler(&Receive); });
  current = this;
}

LeptonicaMessages::~LeptonicaMessages() {
  current = outer_;
  if (count_ > kMaxLogged) {
    try {
      sink_->Log(sdk::LogLevel::kDebug,
                 std::to_string(count_ - kMaxLogged) + " more leptonica messages not logged");
    } catch (...) {  // out of memory for a log line: not worth terminating for
    }
  }
}

void LeptonicaMessages::Receive(const char* message) {
  if (message == nullptr) return;
  LeptonicaMessages* scope = current;
  if (scope == nullptr) {
    std::fputs(message, stderr);
    return;
  }
  // An exception must not unwind through leptonica, which is C.
  try {
    std::string_view text(message);
    if (text.starts_with("Error in ")) text.remove_prefix(9);
    if (text.size() > kMaxMessage) text = text.substr(0, Utf8Boundary(text, kMaxMessage));
    ++scope->count_;
    scope->last_ = OneLine(text, kMaxMessage);
    if (scope->count_ <= kMaxLogged)
      scope->sink_->Log(sdk::LogLevel::kDebug, "leptonica: " + scope->last_);
  } catch (...) {
  }
}

}  // namespace archivum::bundled::ocr
