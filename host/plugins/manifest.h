// Manifest: what the host knows about a plugin, wherever it runs: its identity, its routing
// (stage, MIME patterns, size limit) and its capabilities (query verbs, flush, thread safety).
//
// A Manifest is read from the plugin's C descriptor (inprocess/descriptor.h) and validated there;
// it holds copies only, never a pointer into a plugin library, so it can be kept, compared and
// sent anywhere. Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::plugins {

// The pipeline's stages, in the order a file goes through them.
enum class Stage { kDetect, kExtract, kAnalyze };

// "detect" | "extract" | "analyze".
std::string_view StageName(Stage stage);

// "major.minor" of the plugin ABI this host provides.
std::string HostAbiVersion();

struct Manifest {
  std::string name;
  std::string version;
  std::string description;
  Stage stage = Stage::kAnalyze;
  uint16_t abi_major = 0;  // the ABI the plugin was built against
  uint16_t abi_minor = 0;
  bool thread_safe = false;              // calls may run concurrently
  bool flushes = false;                  // keeps state of its own that Flush makes durable
  std::vector<std::string> accepts;      // MIME patterns, as declared
  std::vector<std::string> query_verbs;  // as declared; non-empty iff the plugin answers queries
  std::vector<std::string> tuning_keys;  // config keys left out of the signature
  // Config keys whose values name files the plugin reads at create (ABI 1.4 path_keys): resolved
  // against the config file's directory, readable in the sandbox, part of the signature.
  std::vector<std::string> path_keys;
  bool opt_in = false;         // off unless its settings enable it (ARCHIVUM_FLAG_OPT_IN, ABI 1.4)
  uint64_t max_file_size = 0;  // 0: no limit

  std::string abi_version() const;  // "major.minor" the plugin requires
  std::string id() const { return name + "@" + version; }
};

}  // namespace archivum::plugins
