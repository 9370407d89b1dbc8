// What the archive plugin says about a member besides its bytes: the name of the one member of a
// single-file compressed stream, and member times in the metadata vocabulary's UTC format.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace archivum::bundled::archives {

// The name of the single member of a compressed stream that is not an archive (a .gz, .bz2, .xz,
// .lzma, .lz, .zst, .lz4 or .Z file): the container's display name without its directory and its
// compression extension ("logs/notes.txt.gz" -> "notes.txt"), and a compressed-tar shorthand
// turned into ".tar" ("x.tgz" -> "x.tar"). Extensions match case-insensitively. A name without a
// known extension is kept as it is; an empty one (or one that would become empty) gives "data".
// The result is valid UTF-8 (invalid sequences become U+FFFD).
std::string SingleFileMemberName(std::string_view display_name);

// `seconds` since the Unix epoch as "YYYY-MM-DDTHH:MM:SSZ" (UTC), or nullopt when the year falls
// outside 0000..9999 (a hostile header can state any 64-bit time).
std::optional<std::string> FormatUtcTime(int64_t seconds);

}  // namespace archivum::bundled::archives
