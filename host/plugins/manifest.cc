#include "plugins/manifest.h"

#include "archivum/plugin.h"

namespace archivum::plugins {

std::string_view StageName(Stage stage) {
  switch (stage) {
    case Stage::kDetect: return "detect";
    case Stage::kExtract: return "extract";
    case Stage::kAnalyze: return "analyze";
  }
  return "unknown";
}

std::string HostAbiVersion() {
  return std::to_string(ARCHIVUM_ABI_VERSION_MAJOR) + "." +
         std::to_string(ARCHIVUM_ABI_VERSION_MINOR);
}

std::string Manifest::abi_version() const {
  return std::to_string(abi_major) + "." + std::to_string(abi_minor);
}

}  // namespace archivum::plugins
