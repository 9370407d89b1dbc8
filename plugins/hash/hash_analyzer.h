// SHA-256 of file content, the logic of the `hash` plugin: common/sha256.h's Sha256.
#pragma once

#include <cstddef>

#include "common/sha256.h"

namespace archivum::bundled::hash {

using bundled::Sha256;

// Bytes hashed between two polls of the cancellation check (see kSha256ChunkSize).
inline constexpr size_t kDefaultChunkSize = kSha256ChunkSize;

}  // namespace archivum::bundled::hash
