#include "mail/parse_guard.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "mail/gmime_util.h"

namespace archivum::bundled::mail {
namespace {

// GMime's is_lwsp: the white space allowed after a boundary.
bool IsLwsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view TrimTrailingLwsp(std::string_view s) {
  while (!s.empty() && IsLwsp(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimLwsp(std::string_view s) {
  s = TrimTrailingLwsp(s);
  while (!s.empty() && IsLwsp(s.front())) s.remove_prefix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return g_ascii_tolower(x) == g_ascii_tolower(y);
         });
}

// "4 MiB", "64 KiB" or "1000 bytes".
std::string Size(size_t bytes) {
  if (bytes != 0 && bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes != 0 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

ParseGuard::ParseGuard(std::string_view bytes, bool mbox, GuardLimits limits)
    : bytes_(bytes), mbox_(mbox), limits_(limits) {
  EnsureGMime();  // g_mime_content_type_parse needs GMime's default options
  Restart(0);
}

void ParseGuard::Restart(size_t offset) {
  next_line_ = std::min(offset, bytes_.size());
  tripped_ = false;
  reason_.clear();
  StartMessage(next_line_);
  // An mbox message begins with its "From " line, which opens the header block (see Line).
  in_headers_ = false;
  if (!mbox_) StartBlock(false);
}

void ParseGuard::Advance(size_t offset) {
  offset = std::min(offset, bytes_.size());
  while (!tripped_ && next_line_ < offset) {
    const char* begin = bytes_.data() + next_line_;
    const void* newline = std::memchr(begin, '\n', bytes_.size() - next_line_);
    const size_t end =
        newline == nullptr
            ? bytes_.size()
            : static_cast<size_t>(static_cast<const char*>(newline) - bytes_.data()) + 1;
    Line(next_line_, end);
    next_line_ = end;
  }
}

void ParseGuard::Line(size_t begin, size_t end) {
  const std::string_view line = bytes_.substr(begin, end - begin);
  std::string_view content = line;
  if (!content.empty() && content.back() == '\n') content.remove_suffix(1);
  if (!content.empty() && content.back() == '\r') content.remove_suffix(1);

  if (mbox_ && content.starts_with("From ")) {
    // GMime keeps the marker line of each message.
    StartMessage(begin);
    StartBlock(false);
    if (line.size() > limits_.max_header_field_bytes) {
      Trip(begin, "an mbox \"From \" line longer than " + Size(limits_.max_header_field_bytes));
    }
    return;
  }
  if (content.starts_with("--") && IsBoundaryLine(content)) {
    FinishField();
    if (++parts_ > limits_.max_parts) {
      Trip(begin, "more than " + std::to_string(limits_.max_parts) + " MIME parts");
      return;
    }
    StartBlock(true);
    return;
  }
  if (!in_headers_) return;

  header_bytes_ += line.size();
  if (header_bytes_ > limits_.max_header_bytes) {
    Trip(begin, "more than " + Size(limits_.max_header_bytes) + " of header fields");
    return;
  }
  if (content.empty()) {
    FinishField();
    EndBlock();
    return;
  }
  if ((content.front() == ' ' || content.front() == '\t') && in_field_) {
    field_end_ = end;
  } else {
    FinishField();
    if (tripped_) return;
    if (++fields_ > limits_.max_header_fields) {
      Trip(begin, "more than " + std::to_string(limits_.max_header_fields) + " header fields");
      return;
    }
    in_field_ = true;
    field_begin_ = begin;
    field_end_ = end;
  }
  if (field_end_ - field_begin_ > limits_.max_header_field_bytes) {
    Trip(begin, "a header field longer than " + Size(limits_.max_header_field_bytes));
  }
}

void ParseGuard::StartMessage(size_t offset) {
  message_start_ = offset;
  parts_ = 0;
  fields_ = 0;
  header_bytes_ = 0;
  digest_declared_ = false;
  boundaries_.clear();
}

void ParseGuard::StartBlock(bool part_headers) {
  in_headers_ = true;
  part_headers_ = part_headers;
  has_content_type_ = false;
  message_type_ = false;
  seen_encoding_ = false;
  encoded_ = false;
  in_field_ = false;
}

void ParseGuard::EndBlock() {
  // GMime parses the body of a message/* part as a message (headers first) unless it is
  // transfer-encoded; a part of a multipart/digest without Content-Type is message/rfc822.
  const bool nested =
      !encoded_ && (message_type_ || (digest_declared_ && part_headers_ && !has_content_type_));
  if (nested) {
    StartBlock(false);
  } else {
    in_headers_ = false;
  }
}

void ParseGuard::FinishField() {
  if (!in_field_) return;
  in_field_ = false;
  const std::string_view field = bytes_.substr(field_begin_, field_end_ - field_begin_);
  const size_t colon = field.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = TrimLwsp(field.substr(0, colon));
  const std::string_view value = field.substr(colon + 1);
  if (EqualsIgnoreCase(name, "content-type")) {
    NoteContentType(value);
  } else if (EqualsIgnoreCase(name, "content-transfer-encoding") && !seen_encoding_) {
    seen_encoding_ = true;
    const std::string text(TrimLwsp(value));
    switch (g_mime_content_encoding_from_string(text.c_str())) {
      case GMIME_CONTENT_ENCODING_BASE64:
      case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
      case GMIME_CONTENT_ENCODING_UUENCODE: encoded_ = true; break;
      default: break;
    }
  }
}

void ParseGuard::NoteContentType(std::string_view value) {
  has_content_type_ = true;
  const std::string text(value);
  GRef<GMimeContentType> type(g_mime_content_type_parse(nullptr, text.c_str()));
  if (type == nullptr) return;
  const char* media = g_mime_content_type_get_media_type(type.get());
  if (media != nullptr && g_ascii_strcasecmp(media, "message") == 0) message_type_ = true;
  if (g_mime_content_type_is_type(type.get(), "multipart", "digest")) digest_declared_ = true;
  // Kept whatever the type: a superset of the boundaries GMime will look for.
  const char* boundary = g_mime_content_type_get_parameter(type.get(), "boundary");
  if (boundary == nullptr) return;
  const std::string_view key = TrimTrailingLwsp(boundary);
  if (boundaries_.find(key) != boundaries_.end()) return;
  if (boundaries_.size() >= limits_.max_boundaries) {
    Trip(field_begin_,
         "more than " + std::to_string(limits_.max_boundaries) + " multipart boundaries");
    return;
  }
  boundaries_.emplace(key);
}

bool ParseGuard::IsBoundaryLine(std::string_view line) const {
  // GMime: "--" BOUNDARY, then only white space; or "--" BOUNDARY "--", then only white space.
  if (boundaries_.empty()) return false;
  std::string_view rest = TrimTrailingLwsp(line.substr(2));
  if (boundaries_.find(rest) != boundaries_.end()) return true;
  if (!rest.ends_with("--")) return false;
  rest = TrimTrailingLwsp(rest.substr(0, rest.size() - 2));
  return boundaries_.find(rest) != boundaries_.end();
}

void ParseGuard::Trip(size_t offset, std::string reason) {
  if (tripped_) return;  // the first limit passed is the one reported
  tripped_ = true;
  trip_offset_ = offset;
  trip_message_ = message_start_;
  reason_ = std::move(reason);
}

}  // namespace archivum::bundled::mail
