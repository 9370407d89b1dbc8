// The decoded content of a MIME leaf part, read in pieces with GMime's filters.
//
// Thread safety: as GMime objects (see gmime_util.h): one part from one thread at a time.
#pragma once

#include <gmime/gmime.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace archivum::bundled::mail {

enum class ContentEnd {
  kComplete,  // all of the content was passed on
  kStopped,   // `consume` returned false
};

// Reads the content of `part` with its transfer encoding (base64, quoted-printable, uuencode)
// undone and, with `to_utf8` (for text), converted from its charset to UTF-8 (see TextCharset)
// with CRLF line ends made LF, passing it to `consume` in pieces of at most `piece_size` bytes.
// Stops when `consume` returns false.
ContentEnd ReadContent(GMimePart* part, bool to_utf8, size_t piece_size,
                       const std::function<bool(std::string_view)>& consume);

// The charset GMime should convert a text part from: its charset parameter, or "" when that is
// absent, UTF-8 or US-ASCII (the bytes are then taken as UTF-8, which US-ASCII is a subset of,
// and an undeclared 8-bit body most often is) or one iconv cannot convert (likewise).
std::string TextCharset(GMimeObject* part);

}  // namespace archivum::bundled::mail
