#include "plugins/inprocess/library.h"

#include <dlfcn.h>

#include <boost/dll/shared_library_load_mode.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <string>
#include <utility>

namespace archivum::plugins::inprocess {

StatusOr<std::unique_ptr<PluginLibrary>> PluginLibrary::Open(const std::filesystem::path& path) {
  boost::dll::shared_library library;
  boost::system::error_code ec;
  try {
    // Boost.DLL reports most failures through `ec`, but may still throw (e.g. bad_alloc).
    library.load(boost::dll::fs::path(path.native()),
                 boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  } catch (const std::exception& e) {
    return FailedPrecondition(std::string("cannot load: ") + e.what());
  }
  if (ec || !library.is_loaded()) {
    // Boost.DLL's error_code says little; dlerror() (per thread, not yet consumed on this path)
    // names the file and the missing symbol or format problem.
    const char* detail = dlerror();
    return FailedPrecondition(std::string("cannot load: ") + (detail ? detail : ec.message()));
  }
  archivum_plugin_entry_fn entry = nullptr;
  try {
    if (!library.has(ARCHIVUM_PLUGIN_ENTRY_SYMBOL)) {
      return FailedPrecondition("missing entry symbol " ARCHIVUM_PLUGIN_ENTRY_SYMBOL);
    }
    entry = library.get<const archivum_plugin_descriptor*()>(ARCHIVUM_PLUGIN_ENTRY_SYMBOL);
  } catch (const std::exception& e) {
    return FailedPrecondition(std::string("cannot resolve entry symbol: ") + e.what());
  }
  const archivum_plugin_descriptor* descriptor = entry();
  if (descriptor == nullptr) return FailedPrecondition("entry symbol returned no descriptor");
  return std::unique_ptr<PluginLibrary>(new PluginLibrary(path, std::move(library), descriptor));
}

PluginLibrary::PluginLibrary(std::filesystem::path path, boost::dll::shared_library library,
                             const archivum_plugin_descriptor* descriptor)
    : path_(std::move(path)), library_(std::move(library)), descriptor_(descriptor) {}

PluginLibrary::~PluginLibrary() = default;

}  // namespace archivum::plugins::inprocess
