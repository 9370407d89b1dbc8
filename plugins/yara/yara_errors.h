// Names of libyara's error codes (yara/error.h), for messages: libyara has no strerror of its own.
//
// Thread safety: pure function.
#pragma once

#include <string>

namespace archivum::bundled::yara {

// "ERROR_INSUFFICIENT_MEMORY" for 1, and so on; "libyara error N" for a code not listed.
std::string YaraErrorName(int code);

}  // namespace archivum::bundled::yara
