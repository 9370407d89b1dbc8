#include "config/loader.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <utility>

#include "config/values.h"

namespace archivum::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSizeExpected = "expected a size such as 512, 4k, 100M or 1G";
constexpr std::string_view kDurationExpected = "expected a duration such as 250ms, 5s, 2m or 1h";

}  // namespace

std::string JoinKey(std::string_view path, std::string_view key) {
  std::string out(path);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

Status Loader::Map(const Value& v, const std::vector<Field>& fields) {
  if (v.node.IsNull()) return Status::Ok();
  if (!v.node.IsMap()) return Fail(v, "expected a map");
  std::map<std::string, int> first_line;
  for (const auto& entry : v.node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      return source_.Error(source_.MarkOf(key, v.where), v.path,
                           "expected a key, got " + source_.Describe(key));
    }
    const std::string& name = key.Scalar();
    std::string path = JoinKey(v.path, name);
    auto [it, inserted] = first_line.emplace(name, key.Mark().line + 1);
    if (!inserted) {
      return source_.Error(key.Mark(), path,
                           "expected each key once, got " + Quote(name) + " again (first on line " +
                               std::to_string(it->second) + ")");
    }
    auto field =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == name; });
    if (field == fields.end()) {
      std::string known;
      for (const auto& f : fields) {
        if (!known.empty()) known += ", ";
        known += f.key;
      }
      return source_.Error(key.Mark(), path,
                           "expected one of the keys " + known + ", got " + Quote(name));
    }
    YAML::Mark where = source_.MarkOf(entry.second, key.Mark());
    marks_[path] = where;
    ARCHIVUM_RETURN_IF_ERROR(field->parse(Value{entry.second, where, std::move(path)}));
  }
  return Status::Ok();
}

Status Loader::List(const Value& v, std::string_view expected, const Handler& item) {
  if (v.node.IsNull()) return Status::Ok();
  if (!v.node.IsSequence()) return Fail(v, std::string(expected));
  size_t index = 0;
  for (const auto& element : v.node) {
    std::string path = v.path + "[" + std::to_string(index++) + "]";
    YAML::Mark where = source_.MarkOf(element, v.where);
    marks_[path] = where;
    ARCHIVUM_RETURN_IF_ERROR(item(Value{element, where, std::move(path)}));
  }
  return Status::Ok();
}

StatusOr<std::string> Loader::Text(const Value& v, std::string_view expected) {
  if (!v.node.IsScalar()) return Fail(v, expected);
  return v.node.Scalar();
}

StatusOr<fs::path> Loader::ResolvePath(const Value& v, const std::string& text) {
  if (text.empty()) return Fail(v, "expected a non-empty path");
  fs::path path;
  if (text.front() == '~') {
    if (text.size() > 1 && text[1] != '/') {
      return Fail(v, "expected ~ or ~/path (~user is not supported)");
    }
    // getenv, not getpwuid: the daemon's environment is what an operator controls and sees.
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') return Fail(v, "expected $HOME to be set to expand ~");
    path = fs::path(home) / (text.size() > 2 ? text.substr(2) : std::string());
  } else {
    path = text;
  }
  if (path.is_relative()) path = base_dir_ / path;
  path = path.lexically_normal();
  // "/tmp/" and "/tmp" are one root; a trailing separator would make them compare unequal.
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

Handler Loader::Bool(bool* out) {
  return [this, out](const Value& v) -> Status {
    auto text = Text(v, "expected true or false");
    if (!text.ok()) return text.status();
    // YAML 1.2 booleans only: yes/no/on/off are YAML 1.1 and a classic source of surprises.
    if (*text == "true" || *text == "True" || *text == "TRUE") {
      *out = true;
    } else if (*text == "false" || *text == "False" || *text == "FALSE") {
      *out = false;
    } else {
      return Fail(v, "expected true or false");
    }
    return Status::Ok();
  };
}

template <typename T>
Handler Loader::Optional(std::optional<T>* out, Handler (Loader::*parse)(T*)) {
  return [this, out, parse](const Value& v) -> Status {
    // Empty means "not set", which for these fields differs from any value.
    if (v.node.IsNull()) {
      out->reset();
      return Status::Ok();
    }
    T value{};
    ARCHIVUM_RETURN_IF_ERROR((this->*parse)(&value)(v));
    *out = std::move(value);
    return Status::Ok();
  };
}

Handler Loader::OptionalBool(std::optional<bool>* out) {
  return Optional(out, &Loader::Bool);
}

Handler Loader::String(std::string* out, std::string_view expected) {
  return [this, out, expected](const Value& v) -> Status {
    auto text = Text(v, expected);
    if (!text.ok()) return text.status();
    *out = std::move(*text);
    return Status::Ok();
  };
}

Handler Loader::Size(uint64_t* out) {
  return [this, out](const Value& v) -> Status {
    auto text = Text(v, kSizeExpected);
    if (!text.ok()) return text.status();
    auto size = ParseSize(*text);
    if (!size.ok()) return source_.Error(v.where, v.path, size.status().message());
    *out = *size;
    return Status::Ok();
  };
}

Handler Loader::OptionalSize(std::optional<uint64_t>* out) {
  return Optional(out, &Loader::Size);
}

Handler Loader::Time(Duration* out) {
  return [this, out](const Value& v) -> Status {
    auto text = Text(v, kDurationExpected);
    if (!text.ok()) return text.status();
    auto duration = ParseDuration(*text);
    if (!duration.ok()) return source_.Error(v.where, v.path, duration.status().message());
    *out = *duration;
    return Status::Ok();
  };
}

Handler Loader::OptionalTime(std::optional<Duration>* out) {
  return Optional(out, &Loader::Time);
}

template <typename T>
Handler Loader::NonNegativeInteger(T* out) {
  return [this, out](const Value& v) -> Status {
    auto text = Text(v, "expected a non-negative integer");
    if (!text.ok()) return text.status();
    const std::string& s = *text;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || s.front() < '0' || s.front() > '9' || end != s.data() + s.size() ||
        (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return Fail(v, "expected a non-negative integer");
    }
    constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (ec == std::errc::result_out_of_range || n > kMax) {
      return Fail(v, "expected an integer in 0.." + std::to_string(kMax));
    }
    *out = static_cast<T>(n);
    return Status::Ok();
  };
}

Handler Loader::Integer(int* out) {
  return NonNegativeInteger(out);
}

Handler Loader::Integer(unsigned* out) {
  return NonNegativeInteger(out);
}

Handler Loader::Path(fs::path* out) {
  return [this, out](const Value& v) -> Status {
    // Unquoted, ~ is YAML's null, so the documented "~" root would otherwise read as a typo.
    if (v.node.IsNull() && Describe(v) == "'~'") {
      return Fail(v, "expected a path (write \"~\" in quotes for $HOME)");
    }
    auto text = Text(v, "expected a path");
    if (!text.ok()) return text.status();
    auto path = ResolvePath(v, *text);
    if (!path.ok()) return path.status();
    *out = std::move(*path);
    return Status::Ok();
  };
}

Handler Loader::OptionalPath(fs::path* out) {
  return [this, out](const Value& v) -> Status {
    if ((v.node.IsNull() && Describe(v) != "'~'") ||
        (v.node.IsScalar() && v.node.Scalar().empty())) {
      out->clear();
      return Status::Ok();
    }
    return Path(out)(v);
  };
}

Handler Loader::PathList(std::vector<fs::path>* out) {
  return [this, out](const Value& v) -> Status {
    out->clear();
    return List(v, "expected a list of paths", [this, out](const Value& item) -> Status {
      out->emplace_back();
      return Path(&out->back())(item);
    });
  };
}

Handler Loader::StringList(std::vector<std::string>* out, std::string_view list_expected,
                           std::string_view item_expected) {
  return [this, out, list_expected, item_expected](const Value& v) -> Status {
    out->clear();
    return List(v, list_expected, [this, out, item_expected](const Value& item) -> Status {
      out->emplace_back();
      return String(&out->back(), item_expected)(item);
    });
  };
}

}  // namespace archivum::config
