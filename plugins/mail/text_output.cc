#include "mail/text_output.h"

#include "common/utf8.h"

namespace archivum::bundled::mail {
namespace {

// Text reaches the host in pieces of at most this size, so that no single copy is large.
constexpr size_t kPieceSize = size_t{64} << 10;

// Where a multi-byte sequence that `s` ends in the middle of begins; s.size() if none does.
size_t IncompleteTail(std::string_view s) {
  for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    if (c >= 0xC0 && DecodeUtf8(s.substr(s.size() - back)).incomplete) return s.size() - back;
    break;
  }
  return s.size();
}

}  // namespace

bool TextOutput::Append(std::string_view bytes) {
  if (full_ || bytes.empty()) return !full_;
  std::string joined;
  if (!carry_.empty()) {
    joined = carry_;
    joined.append(bytes);
    bytes = joined;
    carry_.clear();
  }
  const size_t cut = IncompleteTail(bytes);
  carry_.assign(bytes.substr(cut));
  Add(SanitizeUtf8(bytes.substr(0, cut)));
  return !full_;
}

void TextOutput::EndRun() {
  if (carry_.empty()) return;
  const std::string rest = SanitizeUtf8(carry_);
  carry_.clear();
  Add(rest);
}

void TextOutput::Flush() {
  EndRun();
  SendPending(0);
}

void TextOutput::Add(std::string_view text) {
  if (full_ || text.empty()) return;
  const uint64_t room = budget_ - used_;
  if (text.size() > room) {
    text = text.substr(0, Utf8Boundary(text, static_cast<size_t>(room)));
    truncated_ = true;
    full_ = true;
  }
  if (text.empty()) return;
  used_ += text.size();
  at_line_start_ = text.back() == '\n';
  pending_.append(text);
  SendPending(kPieceSize);
}

void TextOutput::SendPending(size_t keep_below) {
  // Whole pieces while at least `keep_below` bytes wait (everything when it is 0).
  const std::string_view all = pending_;
  size_t sent = 0;
  while (!refused_ && all.size() - sent > 0 && all.size() - sent >= keep_below) {
    const std::string_view rest = all.substr(sent);
    const size_t n = rest.size() <= kPieceSize ? rest.size() : Utf8Boundary(rest, kPieceSize);
    Send(rest.substr(0, n));
    sent += n;
  }
  if (refused_) {
    pending_.clear();
  } else {
    pending_.erase(0, sent);
  }
}

void TextOutput::Send(std::string_view piece) {
  const archivum_rc rc = sink_.Text(piece);
  if (rc == ARCHIVUM_OK) return;
  if (rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
    throw sdk::Error(ARCHIVUM_ERROR,
                     "the host refused extracted text (code " + std::to_string(rc) + ")");
  }
  // The host's own text limit is smaller than ours: the rest is dropped.
  refused_ = true;
  truncated_ = true;
  full_ = true;
}

}  // namespace archivum::bundled::mail
