// Manifest: what the host knows about a plugin, copied and validated out of its C descriptor.
//
// ReadDescriptor() is the load-time gate of ABI principles 1-3: version compatibility, descriptor
// size (append-only structs), string and pattern syntax, and capability consistency. Every
// string is copied, so a Manifest never points into the plugin library.
//
// Thread safety: a Manifest is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archivum/plugin.h"
#include "common/status.h"

namespace archivum::plugins {

enum class Stage { kDetect = ARCHIVUM_STAGE_DETECT, kExtract, kAnalyze };

// "detect" | "extract" | "analyze".
std::string_view StageName(Stage stage);

// "major.minor" of the host's ABI.
std::string HostAbiVersion();

struct Manifest {
  std::string name;
  std::string version;
  std::string description;
  Stage stage = Stage::kAnalyze;
  uint16_t abi_major = 0;
  uint16_t abi_minor = 0;
  bool thread_safe = false;
  std::vector<std::string> accepts;      // MIME patterns, as declared
  std::vector<std::string> query_verbs;  // as declared
  std::vector<std::string> tuning_keys;  // config keys left out of the signature (ABI 1.2)
  uint64_t max_file_size = 0;            // 0: no limit (also for ABI 1.0 plugins)
  // The descriptor's fields, zero-filled past the plugin's struct_size. Function pointers point
  // into the library and are valid while it is loaded.
  archivum_plugin_descriptor entry_points{};

  std::string abi_version() const;  // "major.minor" the plugin requires
  std::string id() const { return name + "@" + version; }
};

// Validates `descriptor` and copies it into `out`. On failure `out` holds what could be read
// before the failing check (e.g. the ABI version, then the name) and the status message is the
// refusal reason, e.g. "requires ABI 2.0, host provides 1.1" or
// "inconsistent capabilities: declares query verbs but no query entry point".
// Precondition: `descriptor` is non-null and its first struct_size bytes are readable.
Status ReadDescriptor(const archivum_plugin_descriptor* descriptor, Manifest* out);

// Descriptor size a plugin declaring ABI 1.`minor` must provide at least.
size_t RequiredDescriptorSize(uint16_t minor);

}  // namespace archivum::plugins
