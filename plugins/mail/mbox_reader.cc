#include "mail/mbox_reader.h"

#include <gmime/gmime.h>

#include <cstdint>
#include <string>

#include "mail/cookie_streams.h"
#include "mail/gmime_util.h"
#include "mail/message_headers.h"
#include "mail/parse_guard.h"

namespace archivum::bundled::mail {
namespace {

// A message reaches the host in pieces of at most this size (straight from the input).
constexpr size_t kPieceSize = size_t{256} << 10;
// Input the reader is done with is released to the host in steps of this size.
constexpr uint64_t kReleaseStep = uint64_t{64} << 20;

// Where the line that begins at `line_start` ends (after its '\n').
size_t LineEnd(std::string_view bytes, size_t line_start) {
  const size_t newline = bytes.find('\n', line_start);
  return newline == std::string_view::npos ? bytes.size() : newline + 1;
}

class MboxWriter {
 public:
  MboxWriter(const sdk::File& file, sdk::Sink& sink) : file_(file), sink_(sink) {}

  // Hands over the message whose "From " line begins at `from_line` and which ends at `end`.
  // Returns false if cancelled.
  bool Message(size_t from_line, size_t end) {
    const std::string_view bytes = file_.bytes();
    ++messages_;
    if (!children_closed_) {
      const std::string name = "message-" + std::to_string(messages_) + ".eml";
      const archivum_rc rc = sink_.BeginChild(name);
      if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) {
        children_closed_ = true;
      } else if (rc != ARCHIVUM_OK) {
        throw sdk::Error(ARCHIVUM_ERROR, "the host refused the child \"" + name + "\" (code " +
                                             std::to_string(rc) + ")");
      } else {
        bool cancelled = false;
        MboxMessageBytes(bytes, LineEnd(bytes, from_line), end, kPieceSize,
                         [&](std::string_view piece) {
                           if (file_.cancelled()) {
                             cancelled = true;
                             return false;
                           }
                           return Write(piece);
                         });
        if (cancelled) return false;
        const archivum_rc ended = sink_.EndChild();
        if (ended != ARCHIVUM_OK && ended != ARCHIVUM_RESOURCE_EXHAUSTED) {
          throw sdk::Error(ARCHIVUM_ERROR, "the host refused to close a child (code " +
                                               std::to_string(ended) + ")");
        }
      }
    }
    if (end - released_ >= kReleaseStep) {
      file_.Release(released_, end - released_);
      released_ = end;
    }
    return true;
  }

  uint64_t messages() const { return messages_; }

 private:
  bool Write(std::string_view piece) {
    const archivum_rc rc = sink_.WriteChild(piece);
    if (rc == ARCHIVUM_OK) return true;
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) return false;  // dropped for its size; go on
    throw sdk::Error(ARCHIVUM_ERROR,
                     "the host refused child content (code " + std::to_string(rc) + ")");
  }

  const sdk::File& file_;
  sdk::Sink& sink_;
  uint64_t messages_ = 0;
  uint64_t released_ = 0;
  bool children_closed_ = false;
};

}  // namespace

size_t NextFromLine(std::string_view mbox, size_t line_start) {
  for (size_t line = line_start; line < mbox.size(); line = LineEnd(mbox, line)) {
    if (mbox.substr(line).starts_with("From ")) return line;
  }
  return mbox.size();
}

bool MboxMessageBytes(std::string_view mbox, size_t begin, size_t end, size_t piece_size,
                      const std::function<bool(std::string_view)>& write) {
  std::string_view message = mbox.substr(begin, end - begin);
  // The separator is an empty last line.
  if (message == "\r\n" || message.ends_with("\n\r\n")) {
    message.remove_suffix(2);
  } else if (message == "\n" || message.ends_with("\n\n")) {
    message.remove_suffix(1);
  }
  const auto emit = [&](std::string_view run) {
    while (!run.empty()) {
      const size_t n = run.size() < piece_size ? run.size() : piece_size;
      if (!write(run.substr(0, n))) return false;
      run.remove_prefix(n);
    }
    return true;
  };
  size_t run_start = 0;
  for (size_t line = 0; line < message.size(); line = LineEnd(message, line)) {
    if (message[line] != '>') continue;
    const size_t from = message.find_first_not_of('>', line);
    if (from != std::string_view::npos && message.substr(from).starts_with("From ")) {
      if (!emit(message.substr(run_start, line - run_start))) return false;
      run_start = line + 1;  // drop one '>'
    }
  }
  return emit(message.substr(run_start));
}

archivum_rc ReadMbox(const sdk::File& file, sdk::Sink& sink, bool sniffed) {
  EnsureGMime();
  const std::string_view bytes = file.bytes();
  ParseGuard guard(bytes, /*mbox=*/true);
  InputFile input(bytes, &guard, [&file] { return file.cancelled(); });
  MboxWriter writer(file, sink);

  // One parser reads messages until the end, or until it meets a message it cannot read; that
  // one is handed over whole and a new parser starts at the next "From " line.
  size_t start = 0;
  while (start < bytes.size()) {
    GRef<GMimeStream> stream = input.Open(start);
    GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MBOX);
    gint64 last_marker = -1;
    size_t trouble = SIZE_MAX;  // the "From " line of a message GMime could not read
    while (true) {
      if (file.cancelled()) return ARCHIVUM_CANCELLED;
      const bool parsed =
          GRef<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr)) != nullptr;
      if (input.cancelled()) return ARCHIVUM_CANCELLED;
      if (input.failed()) throw sdk::Error(ARCHIVUM_ERROR, "out of memory while parsing the mbox");
      const gint64 marker = g_mime_parser_get_mbox_marker_offset(parser.get());
      const bool found = marker >= 0 && marker != last_marker;
      if (guard.tripped() && (!found || guard.trip_message() == static_cast<size_t>(marker))) {
        trouble = guard.trip_message();
        break;
      }
      if (!found) break;  // no further "From " line
      if (!parsed) {
        trouble = static_cast<size_t>(marker);
        break;
      }
      last_marker = marker;
      const size_t end = g_mime_parser_eos(parser.get())
                             ? bytes.size()
                             : static_cast<size_t>(g_mime_parser_tell(parser.get()));
      if (!writer.Message(static_cast<size_t>(marker), end)) return ARCHIVUM_CANCELLED;
      if (end >= bytes.size()) break;
    }
    if (trouble == SIZE_MAX) break;
    const size_t next = NextFromLine(bytes, LineEnd(bytes, trouble));
    if (!writer.Message(trouble, next)) return ARCHIVUM_CANCELLED;
    start = next;
    guard.Restart(next);
  }

  if (writer.messages() == 0) {
    if (sniffed) return ARCHIVUM_UNSUPPORTED;
    throw sdk::Error(ARCHIVUM_ERROR,
                     bytes.empty() ? std::string("not an mbox: the file is empty")
                                   : std::string("not an mbox: no line starts with \"From \""));
  }
  EmitFinding(sink, "messages", std::to_string(writer.messages()));
  return ARCHIVUM_OK;
}

}  // namespace archivum::bundled::mail
