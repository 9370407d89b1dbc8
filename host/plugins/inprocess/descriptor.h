// Reading a plugin's C descriptor: the load-time gate of the ABI rules (ARCHITECTURE.md,
// principles 1-3): version compatibility, descriptor size (append-only structs), string and
// pattern syntax, and capability consistency.
//
// Thread safety: ReadDescriptor is reentrant.
#pragma once

#include <cstddef>
#include <cstdint>

#include "archivum/plugin.h"
#include "common/status.h"
#include "plugins/manifest.h"

namespace archivum::plugins::inprocess {

// Validates `descriptor` and copies what it declares into `manifest` and, if given, its entry
// points into `entry_points` (zero-filled past the plugin's struct_size: "not provided"; the
// function pointers point into the plugin's library, valid while it is loaded). On failure
// `manifest` holds what could be read before the failing check (e.g. the ABI version, then the
// name) and the status message is the refusal reason, e.g. "requires ABI 2.0, host provides 1.1"
// or "inconsistent capabilities: declares query verbs but no query entry point".
// Precondition: `descriptor` is non-null and its first struct_size bytes are readable.
Status ReadDescriptor(const archivum_plugin_descriptor* descriptor, Manifest* manifest,
                      archivum_plugin_descriptor* entry_points = nullptr);

// Descriptor size a plugin declaring ABI 1.`minor` must provide at least.
size_t RequiredDescriptorSize(uint16_t minor);

}  // namespace archivum::plugins::inprocess
