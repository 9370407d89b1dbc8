// ParseGuard: bounds the memory GMime's parser can be made to allocate by a hostile message.
//
// GMime builds an object tree for the whole message and offers no limits of its own: each MIME
// part costs it about 1.3 to 2.3 KB and each header field about 500 bytes (measured with GMime
// 3.2.13), so 700 KB of "--b\n\nx\n" lines become 130 MB of parts; and it holds every header
// field in memory whole (about three times its length), however long it is folded. ParseGuard
// examines the lines of the input as GMime's parser reads them (InputFile calls Advance) and
// trips when a message goes past one of GuardLimits; InputFile then ends the input there, so
// GMime stops early, and the reader reports the limit.
//
// The guard follows GMime's reading of a message only as far as memory is concerned, and errs on
// the side of counting too much:
//  - a MIME part begins at a line "--BOUNDARY" (optionally "--" and white space after it) whose
//    BOUNDARY was declared by a Content-Type field seen earlier in the same message; such lines
//    are counted and open a part header block;
//  - header blocks are the top of a message, the lines after a boundary line, and the body of a
//    part declared message/* (or of a part without Content-Type after a multipart/digest was
//    declared) unless its Content-Transfer-Encoding is base64, quoted-printable or uuencode, as
//    GMime reads it; a block ends at an empty line;
//  - in mbox mode (GMIME_FORMAT_MBOX) every line starting "From " ends the current message and
//    begins a new one, whose counters start from zero.
// Within header blocks it bounds the number of fields, their total size and the length of one
// field with its folded continuation lines.
//
// Thread safety: none; one guard per parse.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace archivum::bundled::mail {

// Per message. With the defaults GMime's tree of one message stays within a few tens of MB
// (measured: 4999 parts with two header fields each, 20 MB; 19999 short fields, 11 MB; 4 MiB
// of fields, 13 MB).
struct GuardLimits {
  size_t max_parts = 5000;                          // boundary lines
  size_t max_boundaries = 1000;                     // distinct multipart boundaries declared
  size_t max_header_fields = 20000;                 // fields in all header blocks
  size_t max_header_bytes = size_t{4} << 20;        // bytes of all header blocks
  size_t max_header_field_bytes = size_t{1} << 20;  // one field with its continuation lines
};

class ParseGuard {
 public:
  // `bytes` is the whole input (it must outlive the guard); with `mbox`, the input is an mbox
  // whose messages begin at "From " lines, else a single message starting at offset 0.
  ParseGuard(std::string_view bytes, bool mbox, GuardLimits limits = {});

  // Examines every line that begins before `offset` and was not examined yet. A line is examined
  // whole even where it extends past `offset`. Once tripped, does nothing.
  void Advance(size_t offset);

  // Starts over at `offset`, the beginning of a message (mbox: its "From " line), forgetting a
  // trip: the reader resumes parsing there after handing over a message GMime could not read.
  void Restart(size_t offset);

  bool tripped() const { return tripped_; }
  // Where the line that tripped the guard begins; GMime must not be given bytes from here on.
  size_t trip_offset() const { return trip_offset_; }
  // Where the message that tripped the guard begins (mbox: its "From " line; else 0).
  size_t trip_message() const { return trip_message_; }
  // Which limit was passed, e.g. "more than 5000 MIME parts".
  const std::string& reason() const { return reason_; }

 private:
  void Line(size_t begin, size_t end);
  void StartMessage(size_t offset);
  void StartBlock(bool part_headers);
  void EndBlock();
  void FinishField();
  void NoteContentType(std::string_view value);
  bool IsBoundaryLine(std::string_view line) const;
  void Trip(size_t offset, std::string reason);

  const std::string_view bytes_;
  const bool mbox_;
  const GuardLimits limits_;
  size_t next_line_ = 0;  // where the next unexamined line begins

  bool tripped_ = false;
  size_t trip_offset_ = 0;
  size_t trip_message_ = 0;
  std::string reason_;

  // The current message.
  size_t message_start_ = 0;
  size_t parts_ = 0;
  size_t fields_ = 0;
  size_t header_bytes_ = 0;
  bool digest_declared_ = false;
  std::set<std::string, std::less<>> boundaries_;  // declared, trailing white space removed

  // The current header block, if in one.
  bool in_headers_ = false;
  bool part_headers_ = false;  // the block follows a boundary line
  bool has_content_type_ = false;
  bool message_type_ = false;   // a Content-Type of type "message"
  bool seen_encoding_ = false;  // a Content-Transfer-Encoding field was seen (GMime uses the first)
  bool encoded_ = false;        // ... and it is base64, quoted-printable or uuencode
  size_t field_begin_ = 0;      // the current field (first line to last continuation line)
  size_t field_end_ = 0;
  bool in_field_ = false;
};

}  // namespace archivum::bundled::mail
