#include "config/yaml_source.h"

#include "config/values.h"

namespace archivum::config {
namespace {

constexpr size_t kDescribeLimit = 80;

}  // namespace

std::string YamlSource::Prefix(const YAML::Mark& mark) const {
  if (mark.is_null()) return name_ + ": ";
  return name_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

std::string_view YamlSource::NullLiteral(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return {};
  std::string_view at = text_.substr(static_cast<size_t>(mark.pos));
  for (std::string_view literal : {"~", "null", "Null", "NULL"}) {
    if (at.substr(0, literal.size()) == literal) return literal;
  }
  return {};
}

YAML::Mark YamlSource::MarkOf(const YAML::Node& node, const YAML::Mark& fallback) const {
  if (node.Mark().is_null()) return fallback;
  if (node.IsNull() && NullLiteral(node).empty()) return fallback;
  return node.Mark();
}

void YamlSource::AppendFlow(const YAML::Node& node, std::string& out, size_t limit) const {
  if (out.size() > limit) return;
  switch (node.Type()) {
    case YAML::NodeType::Scalar: out += node.Scalar(); return;
    case YAML::NodeType::Null: out += NullLiteral(node).empty() ? "~" : NullLiteral(node); return;
    case YAML::NodeType::Sequence: {
      out += "[";
      bool first = true;
      for (const auto& item : node) {
        if (out.size() > limit) return;
        if (!first) out += ", ";
        first = false;
        AppendFlow(item, out, limit);
      }
      out += "]";
      return;
    }
    case YAML::NodeType::Map: {
      out += "{";
      bool first = true;
      for (const auto& entry : node) {
        if (out.size() > limit) return;
        if (!first) out += ", ";
        first = false;
        AppendFlow(entry.first, out, limit);
        out += ": ";
        AppendFlow(entry.second, out, limit);
      }
      out += "}";
      return;
    }
    case YAML::NodeType::Undefined: return;
  }
}

std::string YamlSource::Describe(const YAML::Node& node) const {
  if (node.IsScalar()) return Quote(node.Scalar());
  if (node.IsNull()) return Quote(NullLiteral(node));
  std::string flow;
  // AppendFlow stops only once past the limit, so Quote() sees the cut and marks it with "...".
  AppendFlow(node, flow, kDescribeLimit);
  return Quote(flow);
}

Status YamlSource::Error(const YAML::Mark& mark, std::string_view path,
                         std::string_view message) const {
  std::string text = Prefix(mark);
  if (!path.empty()) {
    text += path;
    text += ": ";
  }
  text += message;
  return InvalidArgument(std::move(text));
}

}  // namespace archivum::config
