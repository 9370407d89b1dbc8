// Helpers shared by the tests that load the fixture plugins (plugins/, pipeline/, core/): fixture
// paths, loading a registry, its description as ListPlugins gives it, lookups in results.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aichemist_archivum.pb.h"
#include "config/config.h"
#include "core/proto_mapping.h"
#include "pipeline/stages.h"
#include "plugins/process/placement.h"
#include "plugins/registry.h"

namespace archivum::plugins::testing {

inline std::filesystem::path FixtureDir(std::string_view group) {
  return std::filesystem::path(ARCHIVUM_FIXTURE_DIR) / group;
}

// Where LoadDirs puts the plugins: in this process (the default) or in worker processes. Tests
// that must hold in both placements derive from PlacementTest.
enum class PlacementMode { kInProcess, kProcess };
inline PlacementMode& CurrentPlacementMode() {
  static PlacementMode mode = PlacementMode::kInProcess;
  return mode;
}

// The process placement as the daemon configures it, for the plugins in `dirs`.
inline process::ProcessPlacementOptions WorkerPlacementOptions(
    const std::vector<std::filesystem::path>& dirs,
    const std::map<std::string, config::PluginSettings>& settings) {
  process::ProcessPlacementOptions o;
  o.worker_exe = ARCHIVUM_WORKER_PATH;
  o.settings = settings;
  o.directories = dirs;
  o.slots = 4;
  o.sandbox.read_only = process::SystemReadOnlyPaths();
  o.sandbox.data_size = uint64_t{2} << 30;
  o.sandbox.open_files = 1024;
  o.grace = std::chrono::milliseconds(200);
  return o;
}

// A registry of the plugins in `dirs` (in order), with `settings`; plugin data directories go
// under `data_root` (none when empty). Placed as CurrentPlacementMode() says.
inline std::unique_ptr<PluginRegistry> LoadDirs(
    std::vector<std::filesystem::path> dirs,
    std::map<std::string, config::PluginSettings> settings = {},
    std::filesystem::path data_root = {}) {
  PluginRegistry::Options options;
  options.directories = std::move(dirs);
  options.settings = std::move(settings);
  options.data_root = std::move(data_root);
  if (CurrentPlacementMode() == PlacementMode::kInProcess) return PluginRegistry::Load(options);
  process::ProcessPlacement placement(
      WorkerPlacementOptions(options.directories, options.settings));
  options.placement = &placement;
  return PluginRegistry::Load(options);
}

// A test that runs once with the plugins in process and once in worker processes.
class PlacementTest : public ::testing::TestWithParam<PlacementMode> {
 protected:
  void SetUp() override { CurrentPlacementMode() = GetParam(); }
  void TearDown() override { CurrentPlacementMode() = PlacementMode::kInProcess; }
  bool isolated() const { return GetParam() == PlacementMode::kProcess; }
};

inline std::string PlacementName(const ::testing::TestParamInfo<PlacementMode>& info) {
  return info.param == PlacementMode::kProcess ? "Process" : "InProcess";
}

#define ARCHIVUM_INSTANTIATE_PLACEMENTS(suite)                                   \
  INSTANTIATE_TEST_SUITE_P(                                                      \
      Placements, suite,                                                         \
      ::testing::Values(::archivum::plugins::testing::PlacementMode::kInProcess, \
                        ::archivum::plugins::testing::PlacementMode::kProcess),  \
      ::archivum::plugins::testing::PlacementName)

// What ListPlugins would answer for `registry`.
inline aichemist_archivum::ListPluginsResponse Describe(const PluginRegistry& registry) {
  aichemist_archivum::ListPluginsResponse list;
  core::ToProto(registry.Describe(), &list);
  return list;
}

// The PluginInfo whose library file is named `file_name`, or null.
inline const aichemist_archivum::PluginInfo* FindByFile(
    const aichemist_archivum::ListPluginsResponse& list, std::string_view file_name) {
  for (const auto& info : list.plugins()) {
    if (std::filesystem::path(info.file()).filename() == file_name) return &info;
  }
  return nullptr;
}

inline const aichemist_archivum::PluginInfo* FindByName(
    const aichemist_archivum::ListPluginsResponse& list, std::string_view name) {
  for (const auto& info : list.plugins()) {
    if (info.name() == name) return &info;
  }
  return nullptr;
}

// The value of the first finding (plugin, key), or "<none>".
inline std::string FindingValue(const pipeline::ProcessResult& result, std::string_view plugin,
                                std::string_view key) {
  for (const auto& f : result.findings) {
    if (f.plugin == plugin && f.key == key) return f.value;
  }
  return "<none>";
}

inline FileInput TextFile(std::string_view bytes, std::string path = "/docs/a.txt") {
  FileInput file;
  file.path = std::move(path);
  file.display_name = "a.txt";
  file.size = bytes.size();
  file.bytes = bytes;
  return file;
}

}  // namespace archivum::plugins::testing
