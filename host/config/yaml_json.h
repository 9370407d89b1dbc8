// plugins.settings.<name>.config: the free-form YAML subtree a plugin receives as JSON.
//
// Private to host/config. Thread safety: pure function.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/status.h"
#include "config/yaml_source.h"

namespace archivum::config {

// Converts `node` (a map, or empty for "{}") to compact JSON text. Plain scalars take the type
// YAML 1.2's core schema gives them (true/false, integers, floats, null); quoted or tagged scalars
// stay strings, so `version: "1.10"` reaches the plugin as "1.10", not 1.1.
// Errors name `path` and the node's location: a non-map root, a non-scalar or duplicate key,
// nesting deeper than 64, more than 100000 values (alias expansion), text that is not UTF-8.
StatusOr<std::string> YamlToJson(const YamlSource& source, const YAML::Node& node,
                                 const YAML::Mark& where, const std::string& path);

}  // namespace archivum::config
