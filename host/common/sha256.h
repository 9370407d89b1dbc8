// SHA-256 helpers for plugin pinning (plugins.settings.<name>.sha256) and the registry signature.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Lower-case hex SHA-256 of a file's content. Errors: NOT_FOUND/INTERNAL naming the file.
StatusOr<std::string> FileSha256Hex(const std::filesystem::path& file);

}  // namespace archivum
