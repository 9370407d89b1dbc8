#include "query/ast.h"

#include <charconv>
#include <system_error>
#include <utility>

namespace archivum::query {
namespace {

// Quotes text that would not read back as one token.
std::string Quoted(std::string_view text, bool always) {
  bool plain = !always && !text.empty();
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '(' || c == ')' || c == '\\') {
      plain = false;
    }
  }
  if (plain) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// The shortest decimal text that reads back as `value` exactly.
std::string Degrees(double value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string FilterString(const Filter& f) {
  std::string out(FieldName(f.field));
  switch (f.field) {
    case Field::kSize:
      out += ComparisonSymbol(f.op);
      out += std::to_string(f.number);
      return out;
    case Field::kPages:
    case Field::kWidth:
    case Field::kHeight:
      out += ComparisonSymbol(f.op);
      out += std::to_string(f.number);
      return out;
    case Field::kNear:
      return out + ":" + Degrees(f.latitude) + "," + Degrees(f.longitude) + "," +
             Degrees(f.radius_km);
    case Field::kModified:
    case Field::kCreated:
    case Field::kTaken:
      out += ComparisonSymbol(f.op);
      if (f.op == Comparison::kEq) {
        out += "[" + std::to_string(f.number) + "," + std::to_string(f.number_end) + ")";
      } else {
        out += std::to_string(f.number);
      }
      return out;
    case Field::kDup: return out + ":";
    case Field::kTitle:
    case Field::kAuthor:
    case Field::kSubject:
    case Field::kFrom:
    case Field::kTo:
    case Field::kLang:
    case Field::kCamera:
      // A prefix keeps its '*'; text holding a '*' of its own is quoted, so the two differ.
      return out + ":" + Quoted(f.text, /*always=*/f.text.find('*') != std::string::npos) +
             (f.prefix ? "*" : "");
    default: return out + ":" + Quoted(f.text, /*always=*/false);
  }
}

struct TermString {
  std::string operator()(const Word& w) const { return Quoted(w.text, false); }
  std::string operator()(const Phrase& p) const { return Quoted(p.text, true); }
  std::string operator()(const Prefix& p) const { return Quoted(p.stem, false) + "*"; }
  std::string operator()(const Filter& f) const { return FilterString(f); }
  std::string operator()(const FindingFilter& f) const {
    return f.plugin + "." + f.key + ":" + (f.value.empty() ? "" : Quoted(f.value, false));
  }
};

Node MakeGroup(NodeKind kind, std::vector<Node> children, size_t column) {
  Node n;
  n.kind = kind;
  n.column = column;
  n.children = std::move(children);
  return n;
}

}  // namespace

std::string_view FieldName(Field field) {
  switch (field) {
    case Field::kMime: return "mime";
    case Field::kExt: return "ext";
    case Field::kPath: return "path";
    case Field::kName: return "name";
    case Field::kSize: return "size";
    case Field::kModified: return "modified";
    case Field::kSha256: return "sha256";
    case Field::kDup: return "dup";
    case Field::kTitle: return "title";
    case Field::kAuthor: return "author";
    case Field::kSubject: return "subject";
    case Field::kFrom: return "from";
    case Field::kTo: return "to";
    case Field::kLang: return "lang";
    case Field::kPages: return "pages";
    case Field::kCreated: return "created";
    case Field::kCamera: return "camera";
    case Field::kTaken: return "taken";
    case Field::kWidth: return "width";
    case Field::kHeight: return "height";
    case Field::kNear: return "near";
  }
  return "?";
}

std::span<const std::string_view> MetadataKeys(Field field) {
  static constexpr std::string_view kTitle[] = {"title"};
  static constexpr std::string_view kAuthor[] = {"author"};
  static constexpr std::string_view kSubject[] = {"subject"};
  static constexpr std::string_view kFrom[] = {"from"};
  static constexpr std::string_view kTo[] = {"to"};
  static constexpr std::string_view kLanguage[] = {"language"};
  static constexpr std::string_view kPages[] = {"pages"};
  static constexpr std::string_view kCreated[] = {"created"};
  static constexpr std::string_view kCamera[] = {"camera_make", "camera_model"};
  static constexpr std::string_view kTaken[] = {"taken"};
  static constexpr std::string_view kWidth[] = {"width"};
  static constexpr std::string_view kHeight[] = {"height"};
  static constexpr std::string_view kGps[] = {"gps_lat", "gps_lon"};
  switch (field) {
    case Field::kTitle: return kTitle;
    case Field::kAuthor: return kAuthor;
    case Field::kSubject: return kSubject;
    case Field::kFrom: return kFrom;
    case Field::kTo: return kTo;
    case Field::kLang: return kLanguage;
    case Field::kPages: return kPages;
    case Field::kCreated: return kCreated;
    case Field::kCamera: return kCamera;
    case Field::kTaken: return kTaken;
    case Field::kWidth: return kWidth;
    case Field::kHeight: return kHeight;
    case Field::kNear: return kGps;
    default: return {};
  }
}

std::string_view MetadataKey(Field field) {
  const auto keys = MetadataKeys(field);
  return keys.empty() ? std::string_view() : keys.front();
}

std::string_view ComparisonSymbol(Comparison op) {
  switch (op) {
    case Comparison::kEq: return ":";
    case Comparison::kLt: return "<";
    case Comparison::kLe: return "<=";
    case Comparison::kGt: return ">";
    case Comparison::kGe: return ">=";
  }
  return "?";
}

Node MakeTerm(Term term, size_t column) {
  Node n;
  n.kind = NodeKind::kTerm;
  n.column = column;
  n.term = std::move(term);
  return n;
}

Node MakeNot(Node child, size_t column) {
  std::vector<Node> children;
  children.push_back(std::move(child));
  return MakeGroup(NodeKind::kNot, std::move(children), column);
}

Node MakeAnd(std::vector<Node> children, size_t column) {
  return MakeGroup(NodeKind::kAnd, std::move(children), column);
}

Node MakeOr(std::vector<Node> children, size_t column) {
  return MakeGroup(NodeKind::kOr, std::move(children), column);
}

std::string DebugString(const Node& node) {
  if (node.kind == NodeKind::kTerm) return std::visit(TermString{}, node.term);
  std::string out = node.kind == NodeKind::kAnd  ? "(and"
                    : node.kind == NodeKind::kOr ? "(or"
                                                 : "(not";
  for (const Node& child : node.children) out += " " + DebugString(child);
  return out + ")";
}

std::string DebugString(const Query& query) {
  std::string out = query.where ? DebugString(*query.where) : "";
  for (const VerbCall& v : query.verbs) {
    if (!out.empty()) out += " ";
    out += "[" + v.verb + ":" + Quoted(v.argument, false) + "]";
  }
  return out.empty() ? "[]" : out;
}

}  // namespace archivum::query
