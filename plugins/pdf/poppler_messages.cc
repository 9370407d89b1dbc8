#include "pdf/poppler_messages.h"

#include <poppler-global.h>

#include <mutex>

#include "common/utf8.h"

namespace archivum::bundled::pdf {
namespace {

// The scope open on this thread, if any.
constinit thread_local PopplerMessages* current = nullptr;

// A message longer than this is cut: poppler quotes bytes of the file in some of them.
constexpr size_t kMaxMessage = 512;

}  // namespace

PopplerMessages::PopplerMessages() : outer_(current) {
  static std::once_flag installed;
  std::call_once(installed, [] { poppler::set_debug_error_function(&Receive, nullptr); });
  current = this;
}

PopplerMessages::PopplerMessages(sdk::Sink& sink) : PopplerMessages() {
  sink_ = &sink;
}

PopplerMessages::PopplerMessages(const sdk::Host& host) : PopplerMessages() {
  host_ = &host;
}

PopplerMessages::~PopplerMessages() {
  current = outer_;
  if (count_ > kMaxLogged) {
    try {
      Log(std::to_string(count_ - kMaxLogged) + " more poppler messages not logged");
    } catch (...) {  // out of memory for a log line: not worth terminating for
    }
  }
}

void PopplerMessages::Receive(const std::string& message, void* /*closure*/) {
  PopplerMessages* scope = current;
  if (scope == nullptr) return;  // poppler called outside this plugin's calls: nobody to tell
  // An exception must not unwind through poppler, which is not written to survive one.
  try {
    std::string_view text(message);
    // poppler-cpp prefixes "error: " or "error (<offset>): "; the offset is worth keeping.
    if (text.starts_with("error: ")) text.remove_prefix(7);
    if (text.size() > kMaxMessage) text = text.substr(0, Utf8Boundary(text, kMaxMessage));
    ++scope->count_;
    scope->last_ = SanitizeUtf8(text);
    if (scope->count_ <= kMaxLogged) scope->Log("poppler: " + scope->last_);
  } catch (...) {
  }
}

void PopplerMessages::Log(std::string_view message) {
  if (sink_ != nullptr) {
    sink_->Log(sdk::LogLevel::kDebug, message);
  } else if (host_ != nullptr) {
    host_->Log(sdk::LogLevel::kDebug, message);
  }
}

}  // namespace archivum::bundled::pdf
