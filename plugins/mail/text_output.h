// TextOutput: the extracted text of one message, sent to the host in pieces of well-formed UTF-8
// within a byte budget.
//
// Thread safety: none; one object per Process call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::mail {

class TextOutput {
 public:
  // Pieces go to `sink` (which must outlive this object) with at most `budget` bytes in all.
  TextOutput(sdk::Sink& sink, uint64_t budget) : sink_(sink), budget_(budget) {}

  // Appends `bytes`, meant to be UTF-8: an invalid sequence becomes U+FFFD, and a sequence cut
  // off at the end of `bytes` waits for the next call to complete it. Returns false once the
  // budget or the host's limit is reached; what is appended after that is dropped. Throws
  // sdk::Error if the host refuses text for another reason.
  bool Append(std::string_view bytes);
  // Ends a run of appended bytes (a body part): a sequence still incomplete becomes U+FFFD.
  void EndRun();
  // Sends what is pending to the host; call once at the end.
  void Flush();

  // True if no text was appended yet, or the last byte appended was a newline.
  bool at_line_start() const { return at_line_start_; }
  // True if the budget or the host's limit cut the text short.
  bool truncated() const { return truncated_; }
  // True once no more text is taken (the budget or the host's limit was reached).
  bool full() const { return full_; }

 private:
  void Add(std::string_view text);
  void SendPending(size_t keep_below);
  void Send(std::string_view piece);

  sdk::Sink& sink_;
  const uint64_t budget_;
  uint64_t used_ = 0;    // bytes accepted into pending_ or sent
  std::string carry_;    // the start of a sequence cut off by the end of the last Append
  std::string pending_;  // accepted, not yet sent
  bool at_line_start_ = true;
  bool truncated_ = false;
  bool full_ = false;     // no more text is taken
  bool refused_ = false;  // the host took no more text
};

}  // namespace archivum::bundled::mail
