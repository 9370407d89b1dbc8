// Files compiled into the daemon (cmake/EmbedAssets.cmake generates the tables), served by the
// HTTP gateway without any file at run time.
//
// Ownership: every pointer refers to static storage that lives as long as the program.
// Thread safety: immutable; safe to read from any thread.
#pragma once

#include <cstddef>

namespace archivum::api::gateway {

struct EmbeddedAsset {
  const char* path;          // URL path: "/ui/app.js"
  const char* content_type;  // "text/javascript; charset=utf-8"
  const unsigned char* data;
  size_t size;
  const unsigned char* gzip;  // the bytes gzip-compressed; null when that is not smaller
  size_t gzip_size;
  const char* sha256;  // lower-case hex of data's SHA-256
};

struct EmbeddedAssetSet {
  const EmbeddedAsset* assets;
  size_t count;
};

// The sets the daemon embeds (host/api/http/CMakeLists.txt): the browser UI (ui/ at /ui/), and
// the API explorer at /docs/: Swagger UI's files and our page and initializer (explorer/).
extern const EmbeddedAssetSet kUiAssets;
extern const EmbeddedAssetSet kSwaggerUiAssets;
extern const EmbeddedAssetSet kExplorerAssets;
// Not served: the API's descriptor set with source info (the proto's comments), for openapi.h.
extern const EmbeddedAssetSet kApiDescriptorAssets;

}  // namespace archivum::api::gateway
