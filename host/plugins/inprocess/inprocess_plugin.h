// The in-process placement of a plugin: its shared library loaded into the daemon (RTLD_NOW |
// RTLD_LOCAL) and called through the C ABI directly. The one unit of the host that builds
// archivum_file, archivum_sink and archivum_query_sink (c_tables.h) and reads return codes and
// last_error.
//
// Ownership: a plugin owns its library and its state; the destructor calls destroy(state), then
// unloads the library. Thread safety: as Plugin (plugin.h); calls of a plugin that is not
// thread-safe are serialized on a per-plugin mutex. An exception that escapes a plugin (which
// the ABI forbids) is contained and reported as an error, never unwound into the host.
#pragma once

#include <filesystem>
#include <memory>

#include "archivum/plugin.h"
#include "common/status.h"
#include "plugins/inprocess/library.h"
#include "plugins/manifest.h"
#include "plugins/plugin.h"

namespace archivum::plugins::inprocess {

// Loads `file` and validates its descriptor (library.h, descriptor.h); the refusal reason is the
// status message, and `*partial` what could be read of the manifest (as Placement::Open, plugin.h).
StatusOr<std::unique_ptr<PluginModule>> OpenModule(const std::filesystem::path& file,
                                                   Manifest* partial);

// A module over a library already opened and a descriptor already read (for the conformance
// checker, which reports each of those steps itself). `entry_points` as ReadDescriptor filled it.
std::unique_ptr<PluginModule> MakeModule(std::unique_ptr<PluginLibrary> library, Manifest manifest,
                                         const archivum_plugin_descriptor& entry_points);

}  // namespace archivum::plugins::inprocess
