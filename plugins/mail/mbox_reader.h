// An mbox mailbox: its messages as child documents.
//
// Thread safety: ReadMbox may run concurrently on different files (see gmime_util.h).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::mail {

// Reads `file` as an mbox with GMime's parser (GMIME_FORMAT_MBOX: every line that starts with
// "From " begins a message) and emits each message, in file order, as a streamed child
// "message-N.eml" (N from 1) holding its bytes after the "From " line, with the mbox quoting
// undone (MboxMessageBytes), then the finding "messages" = the number of messages. No text: a
// message's text belongs to its child, which the host reads with this plugin in turn. Only one
// message is parsed at a time. A message GMime cannot read (ParseGuard's limits, malformed
// header fields) is still handed over whole, up to the next "From " line, so that reading it
// fails on its own. Children the host refuses are left out; the count still covers them.
// Returns ARCHIVUM_OK, ARCHIVUM_CANCELLED, or ARCHIVUM_UNSUPPORTED when `sniffed` and no
// message is found. Throws sdk::Error(ARCHIVUM_ERROR) for a file with no "From " line.
archivum_rc ReadMbox(const sdk::File& file, sdk::Sink& sink, bool sniffed);

// Passes the bytes of the message `mbox`[begin, end) on to `write` in pieces of at most
// `piece_size` bytes, as the message was before it was stored in the mbox: one '>' is removed
// from each line that starts with '>'s followed by "From " (the mboxrd quoting, which also
// undoes mboxo's), and one empty line at the end (the separator the mbox put before the next
// "From " line) is dropped. Stops when `write` returns false; returns false then.
bool MboxMessageBytes(std::string_view mbox, size_t begin, size_t end, size_t piece_size,
                      const std::function<bool(std::string_view)>& write);

// The offset of the first line at or after `line_start` (which must begin a line) that starts
// with "From ", or mbox.size() if none does.
size_t NextFromLine(std::string_view mbox, size_t line_start);

}  // namespace archivum::bundled::mail
