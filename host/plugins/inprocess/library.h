// PluginLibrary: one plugin shared library, opened with RTLD_NOW | RTLD_LOCAL, and its entry
// symbol's descriptor.
//
// Ownership: the library stays loaded while the object lives; the descriptor pointer (and every
// pointer inside it) is valid only that long. Thread safety: immutable after Open().
#pragma once

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>

#include "archivum/plugin.h"
#include "common/status.h"

namespace archivum::plugins::inprocess {

class PluginLibrary {
 public:
  // Loads `path` and calls its entry symbol. Errors (messages are user-facing refusal reasons):
  //   "cannot load: <dlerror text>", "missing entry symbol archivum_plugin_entry",
  //   "entry symbol returned no descriptor".
  static StatusOr<std::unique_ptr<PluginLibrary>> Open(const std::filesystem::path& path);

  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;
  ~PluginLibrary();  // unloads the library

  const std::filesystem::path& path() const { return path_; }
  const archivum_plugin_descriptor* descriptor() const { return descriptor_; }

 private:
  PluginLibrary(std::filesystem::path path, boost::dll::shared_library library,
                const archivum_plugin_descriptor* descriptor);

  std::filesystem::path path_;
  boost::dll::shared_library library_;
  const archivum_plugin_descriptor* descriptor_;
};

}  // namespace archivum::plugins::inprocess
