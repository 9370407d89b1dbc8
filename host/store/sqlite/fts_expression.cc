#include "store/sqlite/fts_expression.h"

#include <variant>

namespace archivum::store::sqlite {

using query::NodeKind;

std::string FtsString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::optional<std::string> FtsExpression(const query::Node& node) {
  switch (node.kind) {
    case NodeKind::kTerm:
      if (const auto* w = std::get_if<query::Word>(&node.term)) return FtsString(w->text);
      if (const auto* p = std::get_if<query::Phrase>(&node.term)) return FtsString(p->text);
      if (const auto* p = std::get_if<query::Prefix>(&node.term)) return FtsString(p->stem) + " *";
      return std::nullopt;
    case NodeKind::kNot: return std::nullopt;
    case NodeKind::kAnd: {
      std::vector<std::string> positives;
      std::vector<std::string> negatives;
      for (const query::Node& child : node.children) {
        const bool excluded = child.kind == NodeKind::kNot && child.children.size() == 1;
        auto expr = FtsExpression(excluded ? child.children[0] : child);
        if (!expr) return std::nullopt;
        (excluded ? negatives : positives).push_back(std::move(*expr));
      }
      if (positives.empty()) return std::nullopt;
      return FtsConjunction(positives, negatives);
    }
    case NodeKind::kOr: {
      std::vector<std::string> alternatives;
      for (const query::Node& child : node.children) {
        auto expr = FtsExpression(child);
        if (!expr) return std::nullopt;
        alternatives.push_back(std::move(*expr));
      }
      if (alternatives.empty()) return std::nullopt;
      return FtsDisjunction(alternatives);
    }
  }
  return std::nullopt;
}

std::string FtsConjunction(const std::vector<std::string>& positives,
                           const std::vector<std::string>& negatives) {
  std::string out;
  if (positives.size() == 1) {
    out = positives[0];
  } else {
    out = "(";
    for (size_t i = 0; i < positives.size(); ++i) {
      if (i > 0) out += " AND ";
      out += positives[i];
    }
    out += ")";
  }
  for (const std::string& n : negatives) {
    out.insert(0, "(");
    out += " NOT ";
    out += n;
    out += ")";
  }
  return out;
}

std::string FtsDisjunction(const std::vector<std::string>& alternatives) {
  if (alternatives.size() == 1) return alternatives[0];
  std::string out = "(";
  for (size_t i = 0; i < alternatives.size(); ++i) {
    if (i > 0) out += " OR ";
    out += alternatives[i];
  }
  return out + ")";
}

}  // namespace archivum::store::sqlite
