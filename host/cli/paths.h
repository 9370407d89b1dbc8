// Turning the paths a user types into the absolute paths the daemon expects.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace archivum::cli {

// Returns `path` unchanged if it is absolute or empty (the server reports the empty path);
// otherwise `cwd / path` with symlinks, "." and ".." resolved as far as the path exists (and
// lexically beyond), without a trailing separator. The daemon resolves what it ingests with
// realpath and catalogs the result, so this is also the key `get` must ask for. A relative path
// only makes sense when the daemon shares this filesystem; absolute ones are never touched, as
// they may name files on another machine.
std::string MakeAbsolute(std::string_view path, const std::filesystem::path& cwd);

// MakeAbsolute against the process's working directory. If that cannot be determined, returns
// `path` unchanged (the daemon then refuses it with a clear error).
std::string MakeAbsolute(std::string_view path);

}  // namespace archivum::cli
