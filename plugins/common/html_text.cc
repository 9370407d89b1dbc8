#include "common/html_text.h"

#include <gumbo.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/gumbo_parse.h"
#include "common/utf8.h"

namespace archivum::bundled {
namespace {

// Gumbo's memory for a document, estimated from the densest markup measured (one element and a
// text node per four bytes of "<p>a" take about 400 bytes) so that the first parse of a large
// document usually fits the budget: this much per tag, and kBytesPerByte per byte besides.
constexpr size_t kBytesPerTag = 400;
constexpr size_t kBytesPerByte = 8;

bool Skipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_HEAD:  // its <title> is taken separately
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_NOFRAMES:  // raw text to Gumbo: its markup would read as words
    case GUMBO_TAG_NOEMBED: return true;
    default: return false;
  }
}

bool Block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_XMP: return true;
    default: return false;
  }
}

// Text shown as written, white space included.
bool Preformatted(GumboTag tag) {
  return tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_TEXTAREA || tag == GUMBO_TAG_LISTING ||
         tag == GUMBO_TAG_PLAINTEXT || tag == GUMBO_TAG_XMP;
}

// Block-level elements newer than Gumbo 0.10's tag table, which it reports as GUMBO_TAG_UNKNOWN
// with their original text.
bool UnknownBlock(const GumboElement& e) {
  GumboStringPiece name = e.original_tag;
  if (name.data == nullptr || name.length == 0) return false;
  gumbo_tag_from_original_text(&name);
  static constexpr std::string_view kNames[] = {"dialog", "search"};
  for (std::string_view n : kNames) {
    if (name.length != n.size()) continue;
    bool equal = true;
    for (size_t i = 0; i < n.size() && equal; ++i) {
      char c = name.data[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      equal = c == n[i];
    }
    if (equal) return true;
  }
  return false;
}

bool Space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Appends text with white space collapsed (or kept, inside <pre>), and line and cell breaks that
// never pile up: at most one blank between words, no break at the very start.
class TextBuilder {
 public:
  explicit TextBuilder(std::string* out) : out_(out) {}

  void Text(std::string_view s, bool preformatted) {
    for (char c : s) {
      if (!preformatted && Space(c)) {
        pending_space_ = true;
        continue;
      }
      Flush();
      out_->push_back(c);
    }
  }
  void LineBreak() {
    if (!out_->empty()) pending_ = '\n';
    pending_space_ = false;
  }
  void CellBreak() {
    if (!out_->empty() && pending_ != '\n') pending_ = '\t';
    pending_space_ = false;
  }

 private:
  void Flush() {
    if (pending_ != 0) {
      while (!out_->empty() && out_->back() == ' ') out_->pop_back();
      out_->push_back(pending_);
      pending_ = 0;
    } else if (pending_space_ && !out_->empty() && !Space(out_->back())) {
      out_->push_back(' ');
    }
    pending_space_ = false;
  }

  std::string* out_;
  char pending_ = 0;  // '\n' or '\t' to write before the next character
  bool pending_space_ = false;
};

std::string Collapse(std::string_view s) {
  std::string out;
  TextBuilder b(&out);
  b.Text(s, false);
  return out;
}

const char* Attribute(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a != nullptr ? a->value : nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool AsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// The charset parameter of a Content-Type in <meta http-equiv=...>, found as the HTML standard's
// "algorithm for extracting a character encoding from a meta element" does; empty if none.
std::string CharsetFromContentType(std::string_view content) {
  size_t at = 0;
  for (;;) {
    size_t found = std::string_view::npos;
    for (size_t i = at; i + 7 <= content.size(); ++i) {
      if (Lower(content.substr(i, 7)) == "charset") {
        found = i;
        break;
      }
    }
    if (found == std::string_view::npos) return {};
    size_t i = found + 7;
    while (i < content.size() && AsciiSpace(content[i])) ++i;
    if (i == content.size() || content[i] != '=') {
      at = i;  // "charset" not followed by '=': look further
      continue;
    }
    ++i;
    while (i < content.size() && AsciiSpace(content[i])) ++i;
    if (i == content.size()) return {};
    if (content[i] == '"' || content[i] == '\'') {
      const size_t close = content.find(content[i], i + 1);
      if (close == std::string_view::npos) return {};
      return std::string(content.substr(i + 1, close - i - 1));
    }
    size_t end = i;
    while (end < content.size() && !AsciiSpace(content[end]) && content[end] != ';') ++end;
    return std::string(content.substr(i, end - i));
  }
}

// The text of <title>, the <meta name=... content=...> pairs and the declared charset in <head>.
void ReadHead(const GumboNode* head, HtmlText* out) {
  const GumboVector& children = head->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* node = static_cast<const GumboNode*>(children.data[i]);
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& e = node->v.element;
    if (e.tag == GUMBO_TAG_TITLE && out->title.empty()) {
      std::string title;
      for (unsigned j = 0; j < e.children.length; ++j) {
        const auto* t = static_cast<const GumboNode*>(e.children.data[j]);
        if (t->type == GUMBO_NODE_TEXT || t->type == GUMBO_NODE_WHITESPACE) {
          title += t->v.text.text;
        }
      }
      out->title = Collapse(title);
    } else if (e.tag == GUMBO_TAG_META) {
      const char* name = Attribute(e, "name");
      const char* content = Attribute(e, "content");
      if (name != nullptr && content != nullptr && *content != '\0') {
        out->meta.emplace_back(Lower(Collapse(name)), Collapse(content));
      }
      if (out->charset.empty()) {
        const char* http_equiv = Attribute(e, "http-equiv");
        if (const char* charset = Attribute(e, "charset"); charset != nullptr) {
          out->charset = Collapse(charset);
        } else if (http_equiv != nullptr && content != nullptr &&
                   Lower(Collapse(http_equiv)) == "content-type") {
          out->charset = Collapse(CharsetFromContentType(content));
        }
      }
    }
  }
}

// The title, language, meta data and reading-order text of a parsed document.
void Extract(const GumboOutput& parsed, HtmlText* out) {
  const GumboNode* root = parsed.root;
  if (root->type == GUMBO_NODE_ELEMENT) {
    if (const char* lang = Attribute(root->v.element, "lang"); lang != nullptr) {
      out->language = Collapse(lang);
    }
    const GumboVector& top = root->v.element.children;
    for (unsigned i = 0; i < top.length; ++i) {
      const auto* node = static_cast<const GumboNode*>(top.data[i]);
      if (node->type == GUMBO_NODE_ELEMENT && node->v.element.tag == GUMBO_TAG_HEAD) {
        ReadHead(node, out);
      }
    }
  }

  TextBuilder text(&out->text);
  if (!out->title.empty()) {
    text.Text(out->title, false);
    text.LineBreak();
  }
  // Depth-first over an explicit stack: a node is visited on entry, and its element is revisited
  // on exit (exit = true) to end its line or cell.
  struct Frame {
    const GumboNode* node;
    bool exit;
    bool preformatted;
  };
  std::vector<Frame> stack{{root, false, false}};
  while (!stack.empty()) {
    const Frame f = stack.back();
    stack.pop_back();
    const GumboNode* node = f.node;
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE: text.Text(node->v.text.text, f.preformatted); break;
      case GUMBO_NODE_DOCUMENT:
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const bool element = node->type != GUMBO_NODE_DOCUMENT;
        const GumboTag tag = element ? node->v.element.tag : GUMBO_TAG_UNKNOWN;
        const bool block =
            Block(tag) || (element && tag == GUMBO_TAG_UNKNOWN && UnknownBlock(node->v.element));
        if (f.exit) {
          if (block) text.LineBreak();
          if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) text.CellBreak();
          break;
        }
        if (element && (Skipped(tag) || node->type == GUMBO_NODE_TEMPLATE)) break;
        if (tag == GUMBO_TAG_BR) {
          text.LineBreak();
          break;
        }
        if (block) text.LineBreak();
        const bool pre = f.preformatted || (element && Preformatted(tag));
        stack.push_back({node, true, pre});
        const GumboVector& children =
            element ? node->v.element.children : node->v.document.children;
        for (unsigned i = children.length; i > 0; --i) {
          stack.push_back({static_cast<const GumboNode*>(children.data[i - 1]), false, pre});
        }
        break;
      }
      case GUMBO_NODE_COMMENT: break;
    }
  }
}

// Gumbo 0.10 turns a numeric character reference past 32 bits (&#x1F600BBBB;) into bytes that are
// not UTF-8 instead of U+FFFD; every string it returns is repaired before it is passed on.
void RepairUtf8(std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const Utf8Step step = DecodeUtf8(std::string_view(s).substr(i));
    if (!step.valid) {
      s = SanitizeUtf8(s);
      return;
    }
    i += step.length;
  }
}

void RepairUtf8(HtmlText& out) {
  RepairUtf8(out.text);
  RepairUtf8(out.title);
  RepairUtf8(out.language);
  RepairUtf8(out.charset);
  for (auto& [name, content] : out.meta) {
    RepairUtf8(name);
    RepairUtf8(content);
  }
}

// The length of the longest prefix of `html` whose estimated parse (kBytesPerTag, kBytesPerByte)
// fits `budget`, ending just before a '<' so that no tag is cut.
size_t PrefixWithin(std::string_view html, size_t budget) {
  size_t cost = 0;
  size_t at = 0;
  while (at < html.size()) {
    const void* lt = std::memchr(html.data() + at + 1, '<', html.size() - at - 1);
    const size_t next = lt == nullptr
                            ? html.size()
                            : static_cast<size_t>(static_cast<const char*>(lt) - html.data());
    cost += kBytesPerTag + (next - at) * kBytesPerByte;
    if (cost > budget) return at;
    at = next;
  }
  return html.size();
}

// A prefix about half as long as `length`, at least kMinHtmlPrefix, ending before a '<' if one is
// near or else at a character boundary.
size_t Shorter(std::string_view html, size_t length) {
  size_t half = std::max(length / 2, kMinHtmlPrefix);
  if (half >= length) return length;
  const size_t lt = html.substr(0, half).rfind('<');
  if (lt != std::string_view::npos && lt >= half / 2) return lt;
  return Utf8Boundary(html, half);
}

}  // namespace

size_t HtmlMaxInput(const HtmlLimits& limits) {
  return std::min(kMaxHtmlBytes, std::max(limits.max_memory / kBytesPerByte, kMinHtmlPrefix));
}

HtmlText HtmlToText(std::string_view html, const HtmlLimits& limits) {
  HtmlText out;
  const size_t full = html.size();
  html = html.substr(0, HtmlMaxInput(limits));
  const int64_t cpu_deadline =
      BoundedGumboParse::ThreadCpuNow() +
      std::chrono::duration_cast<std::chrono::nanoseconds>(limits.max_cpu).count();
  size_t length =
      std::max(PrefixWithin(html, limits.max_memory), std::min(html.size(), kMinHtmlPrefix));
  for (;;) {
    const bool last = length <= kMinHtmlPrefix;
    BoundedGumboParse parse(html.substr(0, length), limits.max_memory,
                            last ? INT64_MAX : cpu_deadline, limits.cancelled);
    if (parse.output() != nullptr) {
      out.truncated = length < full;
      Extract(*parse.output(), &out);
      RepairUtf8(out);
      break;
    }
    if (parse.stop() == BoundedGumboParse::Stop::kCancelled) {
      out.cancelled = true;
      return out;
    }
    if (last) {  // even the shortest prefix exceeds the memory budget: no text
      out.truncated = true;
      return out;
    }
    length = Shorter(html, length);
  }
  return out;
}

}  // namespace archivum::bundled
