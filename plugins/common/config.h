// Reading a bundled plugin's JSON configuration (the "config" subtree of its YAML settings).
//
// The host passes every plugin a JSON object built from YAML, where `config: {bytes: 1M}`
// arrives as {"bytes":"1M"}: sizes may therefore be JSON numbers or size strings. Every accessor
// validates its value and throws archivum::sdk::Error(ARCHIVUM_INVALID_ARGUMENT) with a message
// naming the key, which the C++ helper turns into create()'s last_error.
//
// Thread safety: a PluginConfig is only read after construction; const methods are safe to call
// concurrently.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::bundled {

class PluginConfig {
 public:
  // Parses `json`; an empty string counts as "{}". Refuses anything but a JSON object and any key
  // not in `known_keys`, so that a misspelled setting fails loudly instead of being ignored.
  PluginConfig(std::string_view json, std::initializer_list<std::string_view> known_keys);

  // A byte count: a non-negative integer or a size string such as "512", "4k", "1M", "2GiB"
  // (binary multiples; k/K, M, G, T with an optional "B" or "iB"). Returns `fallback` if the key
  // is absent or null; otherwise the value must lie in [min, max].
  uint64_t Size(std::string_view key, uint64_t fallback, uint64_t min, uint64_t max) const;

  // An integer in [min, max] (a JSON number without fraction, or a string holding one).
  int64_t Integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;

  // A finite number in (min_exclusive, max_inclusive].
  double Number(std::string_view key, double fallback, double min_exclusive,
                double max_inclusive) const;

  // A boolean: JSON true/false, or the strings "true"/"false" (settings from YAML arrive as
  // strings).
  bool Bool(std::string_view key, bool fallback) const;

  // One of `allowed` (a JSON string; JSON true/false count as the strings "true"/"false", so a
  // setting may list them among its choices). Returns `fallback` if the key is absent or null.
  std::string Choice(std::string_view key, std::string_view fallback,
                     std::initializer_list<std::string_view> allowed) const;

  // A string or a list of strings (each non-empty), in order; empty if the key is absent or
  // null. For settings that name one thing or several, e.g. rules: a.yar or [a.yar, dir/].
  std::vector<std::string> StringList(std::string_view key) const;

 private:
  const nlohmann::json* Find(std::string_view key) const;

  nlohmann::json object_;
};

// Parses a size string as described at PluginConfig::Size. Returns std::nullopt if malformed or
// out of range of uint64_t.
std::optional<uint64_t> ParseSize(std::string_view text);

}  // namespace archivum::bundled
