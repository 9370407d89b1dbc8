// UTF-8 validation for strings plugins and the file system hand to the host (they end up in
// protobuf string fields and the catalog, both of which require valid UTF-8).
#pragma once

#include <string>
#include <string_view>

namespace archivum {

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with every byte that is not part of a well-formed UTF-8 sequence written as "\xNN"
// (upper-case hex); valid text is returned unchanged. For showing file names and messages that
// may carry arbitrary bytes in places that require UTF-8 (protobuf strings, JSON). The escaping is
// for people, not reversible: a literal "\x41" in the input stays as it is.
std::string EscapeInvalidUtf8(std::string_view text);

}  // namespace archivum
