#include "common/config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "archivum/plugin.hpp"

namespace archivum::bundled {
namespace {

using nlohmann::json;

[[noreturn]] void Invalid(std::string_view key, std::string_view expected, const json& got) {
  throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT, "config \"" + std::string(key) + "\": expected " +
                                                  std::string(expected) + ", got " + got.dump());
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return std::nullopt;
  }
  const std::optional<uint64_t> magnitude = ParseSize(text);  // digits only: no suffix applies
  if (!magnitude || *magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  const auto value = static_cast<int64_t>(*magnitude);
  return negative ? -value : value;
}

}  // namespace

std::optional<uint64_t> ParseSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const auto digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  std::string_view suffix = text.substr(digits);
  int shift = 0;
  if (!suffix.empty()) {
    switch (std::tolower(static_cast<unsigned char>(suffix.front()))) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      case 'b': shift = 0; break;
      default: return std::nullopt;
    }
    if (shift != 0) suffix.remove_prefix(1);
    if (!suffix.empty() && !EqualsNoCase(suffix, "b") &&
        !(shift != 0 && EqualsNoCase(suffix, "ib"))) {
      return std::nullopt;
    }
  }
  if (shift != 0 && value > (std::numeric_limits<uint64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

PluginConfig::PluginConfig(std::string_view text,
                           std::initializer_list<std::string_view> known_keys) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) text = "{}";
  object_ = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (object_.is_discarded() || !object_.is_object()) {
    throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT, "config must be a JSON object, got '" +
                                                    std::string(text.substr(0, 200)) + "'");
  }
  for (const auto& item : object_.items()) {
    if (std::find(known_keys.begin(), known_keys.end(), item.key()) == known_keys.end()) {
      std::string known;
      for (std::string_view k : known_keys) known += (known.empty() ? "" : ", ") + std::string(k);
      throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT,
                       "config: unknown key \"" + item.key() +
                           "\" (known keys: " + (known.empty() ? "none" : known) + ")");
    }
  }
}

const json* PluginConfig::Find(std::string_view key) const {
  const auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

uint64_t PluginConfig::Size(std::string_view key, uint64_t fallback, uint64_t min,
                            uint64_t max) const {
  const json* value = Find(key);
  if (value == nullptr) return fallback;
  const std::string expected = "a size from " + std::to_string(min) + " to " + std::to_string(max) +
                               " bytes (e.g. 4096 or \"1M\")";
  std::optional<uint64_t> size;
  if (value->is_number_unsigned()) {
    size = value->get<uint64_t>();
  } else if (value->is_string()) {
    size = ParseSize(value->get_ref<const std::string&>());
  }
  if (!size || *size < min || *size > max) Invalid(key, expected, *value);
  return *size;
}

int64_t PluginConfig::Integer(std::string_view key, int64_t fallback, int64_t min,
                              int64_t max) const {
  const json* value = Find(key);
  if (value == nullptr) return fallback;
  const std::string expected =
      "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  std::optional<int64_t> number;
  if (value->is_number_integer()) {
    number = value->get<int64_t>();
  } else if (value->is_number_float()) {
    const double d = value->get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9e15) {
      number = static_cast<int64_t>(d);
    }
  } else if (value->is_string()) {
    number = ParseInteger(value->get_ref<const std::string&>());
  }
  if (!number || *number < min || *number > max) Invalid(key, expected, *value);
  return *number;
}

double PluginConfig::Number(std::string_view key, double fallback, double min_exclusive,
                            double max_inclusive) const {
  const json* value = Find(key);
  if (value == nullptr) return fallback;
  std::optional<double> number;
  if (value->is_number()) {
    number = value->get<double>();
  } else if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) number = d;
  }
  if (!number || !std::isfinite(*number) || *number <= min_exclusive || *number > max_inclusive) {
    std::string range =
        "a number in (" + json(min_exclusive).dump() + ", " + json(max_inclusive).dump() + "]";
    Invalid(key, range, *value);
  }
  return *number;
}

bool PluginConfig::Bool(std::string_view key, bool fallback) const {
  const json* value = Find(key);
  if (value == nullptr) return fallback;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  Invalid(key, "true or false", *value);
}

std::string PluginConfig::Choice(std::string_view key, std::string_view fallback,
                                 std::initializer_list<std::string_view> allowed) const {
  const json* value = Find(key);
  if (value == nullptr) return std::string(fallback);
  std::string text;
  if (value->is_boolean()) {
    text = value->get<bool>() ? "true" : "false";
  } else if (value->is_string()) {
    text = value->get_ref<const std::string&>();
  }
  for (std::string_view choice : allowed) {
    if (!text.empty() && text == choice) return text;
  }
  std::string expected = "one of";
  for (std::string_view choice : allowed) expected += " \"" + std::string(choice) + "\"";
  Invalid(key, expected, *value);
}

std::vector<std::string> PluginConfig::StringList(std::string_view key) const {
  const json* value = Find(key);
  if (value == nullptr) return {};
  constexpr std::string_view kExpected = "a non-empty string or a list of them";
  std::vector<std::string> out;
  if (value->is_string()) {
    out.push_back(value->get<std::string>());
  } else if (value->is_array()) {
    for (const json& item : *value) {
      if (!item.is_string()) Invalid(key, kExpected, *value);
      out.push_back(item.get<std::string>());
    }
  } else {
    Invalid(key, kExpected, *value);
  }
  for (const std::string& s : out) {
    if (s.empty()) Invalid(key, kExpected, *value);
  }
  return out;
}

}  // namespace archivum::bundled
