// Error locations and value descriptions for YAML nodes of one parsed text.
//
// Private to host/config. Holds a view of the text: the text must outlive the YamlSource.
// Thread safety: immutable; safe for concurrent use.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::config {

class YamlSource {
 public:
  YamlSource(std::string_view name, std::string_view text) : name_(name), text_(text) {}

  const std::string& name() const { return name_; }

  // "name:line:col: " (1-based), or "name: " for a mark yaml-cpp did not set.
  std::string Prefix(const YAML::Mark& mark) const;

  // Where an error about `node` should point. yaml-cpp marks an empty value ("key:" followed by a
  // newline) at the next token, usually the next line; `fallback` (the key) is the honest answer.
  YAML::Mark MarkOf(const YAML::Node& node, const YAML::Mark& fallback) const;

  // The node as written, single-quoted and cut short, for "got '...'". Empty values give ''.
  // Bounded even for the cyclic graphs yaml-cpp builds from "&a [*a]".
  std::string Describe(const YAML::Node& node) const;

  // INVALID_ARGUMENT "name:line:col: path: message" (no "path: " when `path` is empty).
  Status Error(const YAML::Mark& mark, std::string_view path, std::string_view message) const;

 private:
  // The null literal ("~", "null", ...) at `node`'s mark, or empty if the value was left empty.
  std::string_view NullLiteral(const YAML::Node& node) const;
  void AppendFlow(const YAML::Node& node, std::string& out, size_t limit) const;

  std::string name_;
  std::string_view text_;
};

}  // namespace archivum::config
