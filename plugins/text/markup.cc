#include "text/markup.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

#include "common/utf8.h"

namespace archivum::bundled::text {
namespace {

struct NamedReference {
  std::string_view name;
  char32_t code_point;
};

// Character references beyond Latin-1 (and nbsp, read as a plain space so it collapses).
constexpr std::array<NamedReference, 16> kNamedReferences = {{
    {"amp", U'&'},
    {"lt", U'<'},
    {"gt", U'>'},
    {"quot", U'"'},
    {"apos", U'\''},
    {"nbsp", U' '},
    {"trade", 0x2122},
    {"hellip", 0x2026},
    {"mdash", 0x2014},
    {"ndash", 0x2013},
    {"lsquo", 0x2018},
    {"rsquo", 0x2019},
    {"ldquo", 0x201C},
    {"rdquo", 0x201D},
    {"euro", 0x20AC},
    {"bull", 0x2022},
}};

// HTML's Latin-1 references in code point order: kLatin1References[i] is U+00A0 + i.
constexpr std::array<std::string_view, 96> kLatin1References = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",
    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn",
    "sup2",   "sup3",   "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",
    "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde",
    "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave",
    "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde",
    "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",   "eth",
    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};

// HTML elements that start or end a line of text.
constexpr std::array<std::string_view, 43> kBlockElements = {
    "address", "article", "aside", "blockquote", "br",       "caption",    "dd",     "details",
    "dialog",  "div",     "dl",    "dt",         "fieldset", "figcaption", "figure", "footer",
    "form",    "h1",      "h2",    "h3",         "h4",       "h5",         "h6",     "header",
    "hr",      "li",      "main",  "nav",        "ol",       "option",     "p",      "pre",
    "section", "summary", "table", "td",         "th",       "title",      "tr",     "ul",
    "body",    "head",    "html",
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsAlpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == ':' ||
         c == '.';
}
char Lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// The value of digit `c` in `base` (10 or 16), or -1.
int DigitValue(char c, int base) {
  int value = -1;
  if (c >= '0' && c <= '9') value = c - '0';
  if (Lower(c) >= 'a' && Lower(c) <= 'f') value = Lower(c) - 'a' + 10;
  return value < base ? value : -1;
}

// Case-insensitive search for ASCII `needle` in `haystack` from `from`.
size_t FindNoCase(std::string_view haystack, std::string_view needle, size_t from) {
  const auto it = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end(),
                              needle.begin(), needle.end(),
                              [](char a, char b) { return Lower(a) == Lower(b); });
  return it == haystack.end() ? std::string_view::npos : static_cast<size_t>(it - haystack.begin());
}

// Accumulates text, collapsing whitespace: a run of spaces becomes one space, a line break
// requested by a block element wins over spaces, and nothing leads or trails.
class TextBuilder {
 public:
  explicit TextBuilder(size_t reserve) { out_.reserve(reserve); }

  void Text(std::string_view s) {
    for (char c : s) {
      if (IsSpace(c)) {
        pending_ = std::max(pending_, Pending::kSpace);
        continue;
      }
      if (!out_.empty() && pending_ != Pending::kNone) {
        out_.push_back(pending_ == Pending::kLine ? '\n' : ' ');
      }
      pending_ = Pending::kNone;
      out_.push_back(c);
    }
  }
  void Space() { pending_ = std::max(pending_, Pending::kSpace); }
  void Line() { pending_ = Pending::kLine; }
  std::string Take() { return std::move(out_); }

 private:
  enum class Pending { kNone, kSpace, kLine };
  std::string out_;
  Pending pending_ = Pending::kNone;
};

struct Tag {
  std::string name;  // lowercase; empty if `closing` and malformed
  bool closing = false;
  bool self_closing = false;
  size_t end = 0;  // index just past '>' (or the document's end)
};

// Parses the tag starting at doc[at] == '<'. Attribute values may contain '>' inside quotes.
Tag ParseTag(std::string_view doc, size_t at) {
  Tag tag;
  size_t i = at + 1;
  if (i < doc.size() && doc[i] == '/') {
    tag.closing = true;
    ++i;
  }
  while (i < doc.size() && IsNameChar(doc[i])) tag.name.push_back(Lower(doc[i++]));
  while (i < doc.size() && doc[i] != '>') {
    if (doc[i] == '"' || doc[i] == '\'') {
      const size_t close = doc.find(doc[i], i + 1);
      i = close == std::string_view::npos ? doc.size() : close + 1;
      continue;
    }
    ++i;
  }
  tag.self_closing = i > at + 1 && i < doc.size() && doc[i - 1] == '/';
  tag.end = i < doc.size() ? i + 1 : doc.size();
  return tag;
}

// Index just past `terminator` searched from `from`, or the document's end.
size_t SkipPast(std::string_view doc, size_t from, std::string_view terminator) {
  const size_t at = doc.find(terminator, from);
  return at == std::string_view::npos ? doc.size() : at + terminator.size();
}

}  // namespace

size_t DecodeCharacterReference(std::string_view s, std::string& out) {
  // Long enough for "&#x10FFFF;" and every name above.
  const size_t semicolon = s.substr(0, 12).find(';');
  if (s.size() < 3 || s[0] != '&' || semicolon == std::string_view::npos) return 0;
  const std::string_view body = s.substr(1, semicolon - 1);
  if (!body.empty() && body[0] == '#') {
    const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 7) return 0;
    uint32_t value = 0;
    for (char c : digits) {
      const int digit = DigitValue(c, hex ? 16 : 10);
      if (digit < 0) return 0;
      value = value * (hex ? 16 : 10) + static_cast<uint32_t>(digit);
    }
    // NUL, surrogates and values past U+10FFFF are parse errors in HTML: U+FFFD (AppendUtf8
    // substitutes it for the latter two).
    AppendUtf8(out, value == 0 ? kReplacementChar : static_cast<char32_t>(value));
    return semicolon + 1;
  }
  for (const NamedReference& ref : kNamedReferences) {
    if (ref.name == body) {
      AppendUtf8(out, ref.code_point);
      return semicolon + 1;
    }
  }
  const auto latin1 = std::find(kLatin1References.begin(), kLatin1References.end(), body);
  if (latin1 == kLatin1References.end()) return 0;
  AppendUtf8(out, 0xA0 + static_cast<char32_t>(latin1 - kLatin1References.begin()));
  return semicolon + 1;
}

std::string StripMarkup(std::string_view doc, MarkupKind kind) {
  const bool html = kind == MarkupKind::kHtml;
  TextBuilder text(doc.size() / 2);
  std::string decoded;
  size_t i = 0;
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == '&') {
      decoded.clear();
      const size_t used = DecodeCharacterReference(doc.substr(i), decoded);
      text.Text(used == 0 ? "&" : std::string_view(decoded));
      i += used == 0 ? 1 : used;
      continue;
    }
    if (c != '<') {
      const size_t next = doc.find_first_of("<&", i);
      const size_t end = next == std::string_view::npos ? doc.size() : next;
      text.Text(doc.substr(i, end - i));
      i = end;
      continue;
    }
    const std::string_view rest = doc.substr(i);
    if (rest.starts_with("<!--")) {
      i = SkipPast(doc, i + 4, "-->");
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      const size_t start = i + 9;
      const size_t end = doc.find("]]>", start);
      const size_t stop = end == std::string_view::npos ? doc.size() : end;
      text.Space();
      text.Text(doc.substr(start, stop - start));
      text.Space();
      i = end == std::string_view::npos ? doc.size() : end + 3;
      continue;
    }
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      i = SkipPast(doc, i + 2, ">");
      continue;
    }
    const bool is_tag =
        rest.size() > 1 &&
        (IsAlpha(rest[1]) || (rest[1] == '/' && rest.size() > 2 && IsAlpha(rest[2])));
    if (!is_tag) {  // A stray '<' as in "a < b".
      text.Text("<");
      ++i;
      continue;
    }
    const Tag tag = ParseTag(doc, i);
    i = tag.end;
    if (!html) {
      text.Space();
      continue;
    }
    if (std::find(kBlockElements.begin(), kBlockElements.end(), tag.name) != kBlockElements.end()) {
      text.Line();
    }
    if (!tag.closing && !tag.self_closing && (tag.name == "script" || tag.name == "style")) {
      // Raw text: everything up to the matching end tag is code, not content.
      const size_t close = FindNoCase(doc, "</" + tag.name, i);
      i = close == std::string_view::npos ? doc.size() : close;
      text.Space();
    }
  }
  return text.Take();
}

}  // namespace archivum::bundled::text
