#include "api/http/query_params.h"

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "api/http/json_mapping.h"

namespace archivum::api::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls fn(key, value) for each `key=value` pair (both still encoded); empty pairs are skipped.
template <typename Fn>
void ForEachPair(std::string_view query, Fn&& fn) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    fn(pair.substr(0, eq), eq == std::string_view::npos ? "" : pair.substr(eq + 1));
  }
}

const FieldDescriptor* FindField(const Descriptor* type, std::string_view name) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (f->name() == name || f->json_name() == name) return f;
  }
  return nullptr;
}

// The JSON value proto3's parser accepts for `text` in field `f`.
StatusOr<nlohmann::json> ScalarJson(const FieldDescriptor* f, const std::string& key,
                                    std::string text) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "1") return nlohmann::json(true);
      if (text == "false" || text == "0") return nlohmann::json(false);
      return InvalidArgument("query parameter '" + key + "': expected true or false, got '" + text +
                             "'");
    case FieldDescriptor::CPPTYPE_ENUM: {
      const bool numeric =
          !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos;
      if (numeric) {
        try {
          return nlohmann::json(std::stoi(text));
        } catch (const std::exception&) {
          return InvalidArgument("query parameter '" + key + "': enum number out of range");
        }
      }
      return nlohmann::json(std::move(text));
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return InvalidArgument("query parameter '" + key +
                             "' names a message field; set its fields with dotted names");
    default:
      // Numbers travel as JSON strings, which proto3's parser converts with its own range checks.
      return nlohmann::json(std::move(text));
  }
}

// Where `key` lands: the JSON object path and the final field.
struct Target {
  std::vector<std::string> path;  // JSON names, outermost first
  const FieldDescriptor* field = nullptr;
};

StatusOr<Target> Resolve(const Descriptor* type, const std::string& key) {
  Target t;
  std::string_view rest = key;
  while (true) {
    const size_t dot = rest.find('.');
    const FieldDescriptor* f = FindField(type, rest.substr(0, dot));
    if (f == nullptr) return Target{};  // unknown: ignored
    t.path.push_back(f->json_name());
    if (dot == std::string_view::npos) {
      if (f->is_map()) return InvalidArgument("query parameter '" + key + "' names a map field");
      t.field = f;
      return t;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
      return InvalidArgument("query parameter '" + key + "': '" + f->name() +
                             "' is not a singular message field");
    }
    type = f->message_type();
    rest = rest.substr(dot + 1);
  }
}

}  // namespace

std::optional<std::string> DecodeQueryComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> FindQueryParam(std::string_view query, std::string_view key) {
  std::optional<std::string> found;
  ForEachPair(query, [&](std::string_view k, std::string_view v) {
    if (found) return;
    const auto dk = DecodeQueryComponent(k);
    if (dk && *dk == key) {
      auto dv = DecodeQueryComponent(v);
      if (dv) found = std::move(*dv);
    }
  });
  return found;
}

Status MergeQueryParams(std::string_view query, google::protobuf::Message* message) {
  nlohmann::json root = nlohmann::json::object();
  Status st;
  ForEachPair(query, [&](std::string_view raw_key, std::string_view raw_value) {
    if (!st.ok()) return;
    auto key = DecodeQueryComponent(raw_key);
    auto value = DecodeQueryComponent(raw_value);
    if (!key || !value) {
      st = InvalidArgument("malformed %-escape in query parameter '" + std::string(raw_key) + "'");
      return;
    }
    auto target = Resolve(message->GetDescriptor(), *key);
    if (!target.ok()) {
      st = target.status();
      return;
    }
    if (target->field == nullptr) return;
    auto json = ScalarJson(target->field, *key, std::move(*value));
    if (!json.ok()) {
      st = json.status();
      return;
    }
    nlohmann::json* slot = &root;
    for (const std::string& name : target->path) slot = &(*slot)[name];
    if (target->field->is_repeated()) {
      slot->push_back(std::move(*json));
    } else if (!slot->is_null()) {
      st = InvalidArgument("query parameter '" + *key + "' is given more than once");
    } else {
      *slot = std::move(*json);
    }
  });
  ARCHIVUM_RETURN_IF_ERROR(st);
  if (root.empty()) return Status::Ok();
  const Status parsed =
      ParseJsonBody(root.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), message);
  if (!parsed.ok()) return InvalidArgument("query parameters: " + parsed.message());
  return Status::Ok();
}

}  // namespace archivum::api::gateway
