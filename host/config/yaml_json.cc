#include "config/yaml_json.h"

#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "common/ascii.h"
#include "config/values.h"

namespace archivum::config {
namespace {

// Keeps the operator's key order in what the plugin (and its log lines) see.
using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 64;
// An alias may point at a large subtree; a handful of them nested ("billion laughs") would
// otherwise expand into gigabytes of JSON.
constexpr size_t kMaxValues = 100'000;

std::string JoinPath(const std::string& path, const std::string& key) {
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

size_t SkipDigits(std::string_view s, size_t i) {
  while (i < s.size() && AsciiIsDigit(s[i])) ++i;
  return i;
}

bool AllOf(std::string_view s, std::string_view allowed) {
  if (s.empty()) return false;
  for (char c : s) {
    if (allowed.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// YAML 1.2 core schema int: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+.
// Returns nullopt if `s` is not one, and a string Json if it is one too large for 64 bits, since
// a double would silently change its digits.
std::optional<Json> CoreInt(std::string_view s) {
  auto parse_unsigned = [&](std::string_view digits, int base) -> Json {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) return Json(std::string(s));
    return Json(n);
  };
  if (s.size() > 2 && s.substr(0, 2) == "0x" && AllOf(s.substr(2), "0123456789abcdefABCDEF")) {
    return parse_unsigned(s.substr(2), 16);
  }
  if (s.size() > 2 && s.substr(0, 2) == "0o" && AllOf(s.substr(2), "01234567")) {
    return parse_unsigned(s.substr(2), 8);
  }
  std::string_view body = s;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) body.remove_prefix(1);
  if (!AllOf(body, "0123456789")) return std::nullopt;
  if (s.front() != '-') return parse_unsigned(body, 10);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return Json(std::string(s));
  return Json(n);
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?.
// .inf and .nan have no JSON form and stay strings.
std::optional<Json> CoreFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_end = SkipDigits(s, i);
  bool has_int = int_end > i;
  i = int_end;
  if (i < s.size() && s[i] == '.') {
    size_t frac_end = SkipDigits(s, i + 1);
    if (!has_int && frac_end == i + 1) return std::nullopt;
    i = frac_end;
  } else if (!has_int) {
    return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_end = SkipDigits(s, i);
    if (exp_end == i) return std::nullopt;
    i = exp_end;
  }
  if (i != s.size()) return std::nullopt;

  std::string_view number = s.front() == '+' ? s.substr(1) : s;
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) return Json(std::string(s));
  return Json(value);
}

Json PlainScalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return Json(true);
  if (s == "false" || s == "False" || s == "FALSE") return Json(false);
  if (auto n = CoreInt(s)) return *n;
  if (auto f = CoreFloat(s)) return *f;
  return Json(s);
}

// nlohmann::json refuses to serialize invalid UTF-8; checking each scalar lets the error point at
// the scalar instead of the whole subtree.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

class Converter {
 public:
  explicit Converter(const YamlSource& source) : source_(source) {}

  Status Convert(const YAML::Node& node, const YAML::Mark& where, const std::string& path,
                 int depth, Json& out) {
    if (depth > kMaxDepth) {
      return source_.Error(where, path, "expected at most 64 levels of nesting, got more");
    }
    if (++values_ > kMaxValues) {
      return source_.Error(where, path,
                           "expected at most 100000 values (aliases included), got more");
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: out = nullptr; return Status::Ok();
      case YAML::NodeType::Scalar: return Scalar(node, where, path, out);
      case YAML::NodeType::Sequence: return Sequence(node, path, depth, out);
      case YAML::NodeType::Map: return Map(node, path, depth, out);
    }
    return Status::Ok();
  }

 private:
  Status Scalar(const YAML::Node& node, const YAML::Mark& where, const std::string& path,
                Json& out) {
    const std::string& text = node.Scalar();
    if (!IsUtf8(text)) return source_.Error(where, path, "expected UTF-8 text, got invalid bytes");
    // "?" is yaml-cpp's tag for a plain scalar; quoted ones carry "!" and explicit tags their
    // own, and both mean the author wanted the text, not its inferred type.
    out = node.Tag() == "?" ? PlainScalar(text) : Json(text);
    return Status::Ok();
  }

  Status Sequence(const YAML::Node& node, const std::string& path, int depth, Json& out) {
    out = Json::array();
    size_t index = 0;
    for (const auto& item : node) {
      std::string item_path = path + "[" + std::to_string(index++) + "]";
      Json value;
      ARCHIVUM_RETURN_IF_ERROR(
          Convert(item, source_.MarkOf(item, node.Mark()), item_path, depth + 1, value));
      out.push_back(std::move(value));
    }
    return Status::Ok();
  }

  Status Map(const YAML::Node& node, const std::string& path, int depth, Json& out) {
    out = Json::object();
    std::map<std::string, int> first_line;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        return source_.Error(source_.MarkOf(key, node.Mark()), path,
                             "expected a string key, got " + source_.Describe(key));
      }
      const std::string& name = key.Scalar();
      std::string key_path = JoinPath(path, name);
      if (!IsUtf8(name)) {
        return source_.Error(key.Mark(), path, "expected a UTF-8 key, got invalid bytes");
      }
      auto [it, inserted] = first_line.emplace(name, key.Mark().line + 1);
      if (!inserted) {
        return source_.Error(key.Mark(), key_path,
                             "expected each key once, got " + Quote(name) +
                                 " again (first on line " + std::to_string(it->second) + ")");
      }
      Json value;
      ARCHIVUM_RETURN_IF_ERROR(Convert(entry.second, source_.MarkOf(entry.second, key.Mark()),
                                       key_path, depth + 1, value));
      out[name] = std::move(value);
    }
    return Status::Ok();
  }

  const YamlSource& source_;
  size_t values_ = 0;
};

}  // namespace

StatusOr<std::string> YamlToJson(const YamlSource& source, const YAML::Node& node,
                                 const YAML::Mark& where, const std::string& path) {
  if (node.IsNull()) return std::string("{}");
  if (!node.IsMap()) {
    return source.Error(where, path, "expected a map, got " + source.Describe(node));
  }
  Json json;
  ARCHIVUM_RETURN_IF_ERROR(Converter(source).Convert(node, where, path, 0, json));
  return json.dump();
}

}  // namespace archivum::config
