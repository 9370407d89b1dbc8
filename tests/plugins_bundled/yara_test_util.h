// Helpers for the yara plugin's tests: rule files written into a temporary directory, the
// plugin's config naming them, and the module created on it through the C ABI.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "plugins_bundled/loaded_module.h"
#include "support/temp_dir.h"

namespace archivum::bundled::testing {

// {"rules": [paths...]}, as the host passes plugins.settings.yara.config (paths absolute).
inline std::string YaraConfig(const std::vector<std::filesystem::path>& paths) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& p : paths) rules.push_back(p.string());
  return nlohmann::json{{"rules", rules}}.dump();
}

// The yara module created on `config`; `*error` gets create()'s reason if it failed (then the
// module is returned anyway, for its descriptor, and must not process).
inline std::unique_ptr<LoadedModule> CreateYara(const std::string& config, archivum_rc* rc,
                                                std::string* error) {
  auto module = std::make_unique<LoadedModule>(ARCHIVUM_YARA_PLUGIN);
  if (!module->loaded()) {
    *rc = ARCHIVUM_ERROR;
    *error = "cannot load the module: " + module->error();
    return module;
  }
  *rc = module->Create(config);
  *error = module->error();
  return module;
}

// The findings of `sink` as "key=value" strings, in the order they were emitted.
inline std::vector<std::string> FindingLines(const RecordingSink& sink) {
  std::vector<std::string> out;
  for (const auto& [key, value] : sink.finding_list) out.push_back(key + "=" + value);
  return out;
}

// The values of every finding `key` in `sink`, in order.
inline std::vector<std::string> FindingValues(const RecordingSink& sink, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, value] : sink.finding_list) {
    if (k == key) out.push_back(value);
  }
  return out;
}

}  // namespace archivum::bundled::testing
