// UTF-8 validation for strings plugins hand to the host (they end up in protobuf string fields
// and the catalog, both of which require valid UTF-8).
#pragma once

#include <string_view>

namespace archivum::plugins {

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace archivum::plugins
