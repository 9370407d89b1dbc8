#include "common/html_text.h"

#include <gumbo.h>

#include <cstring>
#include <memory>
#include <string_view>

namespace archivum::bundled {
namespace {

struct OutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

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
    case GUMBO_TAG_OBJECT: return true;
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
    case GUMBO_TAG_OPTION: return true;
    default: return false;
  }
}

// Block-level elements newer than Gumbo 0.10's tag table (it reports them as GUMBO_TAG_UNKNOWN
// with their original text), and the obsolete ones it never listed.
bool UnknownBlock(const GumboElement& e) {
  GumboStringPiece name = e.original_tag;
  if (name.data == nullptr || name.length == 0) return false;
  gumbo_tag_from_original_text(&name);
  static constexpr std::string_view kNames[] = {"center",     "details", "dialog", "dir",
                                                "figcaption", "figure",  "hgroup", "main",
                                                "menu",       "summary", "search"};
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

// The text of <title> and the <meta name=... content=...> pairs in <head>.
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
        out->meta.emplace_back(Lower(name), Collapse(content));
      }
    }
  }
}

}  // namespace

HtmlText HtmlToText(std::string_view html) {
  HtmlText out;
  if (html.size() > kMaxHtmlBytes) {
    html = html.substr(0, kMaxHtmlBytes);
    out.truncated = true;
  }
  std::unique_ptr<GumboOutput, OutputDeleter> parsed(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
  if (parsed == nullptr) return out;

  const GumboNode* root = parsed->root;
  if (root->type == GUMBO_NODE_ELEMENT) {
    if (const char* lang = Attribute(root->v.element, "lang"); lang != nullptr) {
      out.language = Collapse(lang);
    }
    const GumboVector& top = root->v.element.children;
    for (unsigned i = 0; i < top.length; ++i) {
      const auto* node = static_cast<const GumboNode*>(top.data[i]);
      if (node->type == GUMBO_NODE_ELEMENT && node->v.element.tag == GUMBO_TAG_HEAD) {
        ReadHead(node, &out);
      }
    }
  }

  TextBuilder text(&out.text);
  if (!out.title.empty()) {
    text.Text(out.title, false);
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
        const bool pre = f.preformatted || tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_TEXTAREA;
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
  return out;
}

}  // namespace archivum::bundled
