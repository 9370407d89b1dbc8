// Reads the small files security settings point at (token lists, PEM certificates and keys).
//
// Thread safety: reentrant.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::auth {

// The whole content of `file`. `key` is the config key that named the file; every error starts
// with it and names the file, e.g.
//   "server.grpc.tls.cert: cannot read /etc/archivum/cert.pem: No such file or directory".
// Errors: NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT (a directory, or larger than 1M).
StatusOr<std::string> ReadSecretFile(const std::filesystem::path& file, std::string_view key);

}  // namespace archivum::auth
