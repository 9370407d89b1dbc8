// RegistryEntry: one discovered plugin file and what became of it. Private to the registry.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "plugins/instance.h"
#include "plugins/manifest.h"

namespace archivum::plugins {

enum class EntryState { kLoaded, kFailed, kDisabled };

struct RegistryEntry {
  std::filesystem::path file;
  EntryState state = EntryState::kFailed;
  std::string reason;               // why failed or disabled
  bool manifest_valid = false;      // the descriptor passed validation
  Manifest manifest;                // partially filled if validation failed
  std::string id;                   // manifest.id(), set when loaded
  bool accepts_any_mime = false;    // accepts() holds "*" or "*/*" (routing skips matching); loaded
  config::PluginSettings settings;  // this plugin's settings (defaults if none)
  std::unique_ptr<PluginInstance> instance;  // set iff state == kLoaded

  // Effective routing: the settings' accept override or the plugin's own patterns.
  const std::vector<std::string>& accepts() const {
    return settings.accept.empty() ? manifest.accepts : settings.accept;
  }
  // Effective size limit (0: none): the smaller of the plugin's and the settings'.
  uint64_t max_file_size() const;
};

}  // namespace archivum::plugins
