// SHA-256 helpers for plugin pinning (plugins.settings.<name>.sha256), the registry signature and
// the quarantine's content keys.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// True if `text` is a SHA-256 digest in hex: exactly 64 hex digits, either case.
bool IsSha256Hex(std::string_view text);

// Lower-case hex SHA-256 of a file's content. Errors: NOT_FOUND/INTERNAL naming the file.
StatusOr<std::string> FileSha256Hex(const std::filesystem::path& file);

}  // namespace archivum
