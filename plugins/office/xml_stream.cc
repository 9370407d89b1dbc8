#include "office/xml_stream.h"

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

namespace archivum::bundled::office {
namespace {

// libxml2 copies at most this much of a Feed() into its buffer at once.
constexpr size_t kMaxChunk = size_t{1} << 20;

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

xmlParserCtxtPtr Ctxt(void* p) {
  return static_cast<xmlParserCtxtPtr>(p);
}

}  // namespace

void InitXml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

std::optional<std::string_view> XmlAttributes::Get(std::string_view ns,
                                                   std::string_view local) const {
  for (int i = 0; i < count_; ++i) {
    const unsigned char** a = raw_ + static_cast<ptrdiff_t>(i) * 5;
    if (View(a[0]) == local && View(a[2]) == ns) {
      return std::string_view(reinterpret_cast<const char*>(a[3]),
                              static_cast<size_t>(a[4] - a[3]));
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> XmlAttributes::GetAny(std::string_view local) const {
  for (int i = 0; i < count_; ++i) {
    const unsigned char** a = raw_ + static_cast<ptrdiff_t>(i) * 5;
    if (View(a[0]) == local) {
      return std::string_view(reinterpret_cast<const char*>(a[3]),
                              static_cast<size_t>(a[4] - a[3]));
    }
  }
  return std::nullopt;
}

// What entity references resolve to (see XmlDialect). Every entity handed to libxml2 has the
// type of the five predefined XML entities, which libxml2 inlines as plain characters without
// parsing or expanding anything. The objects live as long as the stream.
class XmlStream::Entities {
 public:
  explicit Entities(XmlDialect dialect) : dialect_(dialect) { empty_ = Make(nothing_, 0); }

  xmlEntityPtr Get(const xmlChar* name) {
    if (dialect_ != XmlDialect::kXhtml || name == nullptr) return &empty_;
    const htmlEntityDesc* desc = htmlEntityLookup(name);
    if (desc == nullptr) return &empty_;
    auto& entry = html_[reinterpret_cast<const char*>(name)];
    if (entry == nullptr) {
      entry = std::make_unique<Entry>();
      xmlChar utf8[8] = {};
      const int length = xmlCopyCharMultiByte(utf8, static_cast<int>(desc->value));
      entry->content.assign(reinterpret_cast<const char*>(utf8),
                            static_cast<size_t>(std::max(length, 0)));
      entry->entity = Make(entry->content.data(), static_cast<int>(entry->content.size()));
    }
    return &entry->entity;
  }

 private:
  struct Entry {
    std::string content;
    xmlEntity entity{};
  };

  static xmlEntity Make(char* content, int length) {
    xmlEntity e{};
    e.type = XML_ENTITY_DECL;
    e.name = reinterpret_cast<const xmlChar*>("");
    e.content = reinterpret_cast<xmlChar*>(content);
    e.length = length;
    e.etype = XML_INTERNAL_PREDEFINED_ENTITY;
    return e;
  }

  XmlDialect dialect_;
  char nothing_[1] = {'\0'};
  xmlEntity empty_{};
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> html_;
};

// Watches the raw bytes ahead of libxml2 (see the header): counts the attributes of each tag and
// refuses a DTD internal subset. Follows just enough of XML's lexical structure to know where
// tags are: comments, CDATA sections and processing instructions are skipped, quoted attribute
// values may hold '>', '=' and '['.
class XmlStream::TagGuard {
 public:
  // Why the bytes are refused; nullptr while they are acceptable.
  const char* Scan(std::string_view bytes) {
    for (const char c : bytes) {
      if (const char* refusal = Step(c)) return refusal;
    }
    return nullptr;
  }

 private:
  enum class State { kText, kOpen, kBang, kBangDash, kTag, kQuoted, kComment, kCdata, kPi };

  const char* Step(char c) {
    switch (state_) {
      case State::kText:
        if (c == '<') state_ = State::kOpen;
        return nullptr;
      case State::kOpen:
        if (c == '!') {
          state_ = State::kBang;
          return nullptr;
        }
        if (c == '?') {
          state_ = State::kPi;
          run_ = 0;
          return nullptr;
        }
        return EnterTag(c, false);
      case State::kBang:
        if (c == '-') {
          state_ = State::kBangDash;
          return nullptr;
        }
        if (c == '[') {  // <![CDATA[
          state_ = State::kCdata;
          run_ = 0;
          return nullptr;
        }
        return EnterTag(c, true);
      case State::kBangDash:
        if (c == '-') {
          state_ = State::kComment;
          run_ = 0;
          return nullptr;
        }
        return EnterTag(c, true);
      case State::kComment: return EndOn(c, '-', 2);
      case State::kCdata: return EndOn(c, ']', 2);
      case State::kPi: return EndOn(c, '?', 1);
      case State::kQuoted:
        if (c == quote_) state_ = State::kTag;
        return nullptr;
      case State::kTag: return InTag(c);
    }
    return nullptr;
  }

  const char* EnterTag(char c, bool declaration) {
    state_ = State::kTag;
    declaration_ = declaration;
    attributes_ = 0;
    return InTag(c);
  }

  const char* InTag(char c) {
    if (c == '"' || c == '\'') {
      quote_ = c;
      state_ = State::kQuoted;
    } else if (c == '=') {
      if (++attributes_ > kMaxXmlAttributes) return kTooManyAttributes;
    } else if (c == '[' && declaration_) {
      return kInternalSubset;
    } else if (c == '>') {
      state_ = State::kText;
    }
    return nullptr;
  }

  // Ends a construct on `count` or more `mark` characters followed by '>'.
  const char* EndOn(char c, char mark, int count) {
    if (c == mark) {
      ++run_;
    } else {
      if (c == '>' && run_ >= count) state_ = State::kText;
      run_ = 0;
    }
    return nullptr;
  }

  static constexpr const char* kTooManyAttributes = "a start tag has more than 4096 attributes";
  static constexpr const char* kInternalSubset =
      "the document declares a DTD internal subset, which is not read";
  static_assert(kMaxXmlAttributes == 4096, "kTooManyAttributes states the limit");

  State state_ = State::kText;
  char quote_ = 0;
  bool declaration_ = false;  // the tag is a <!DOCTYPE ...> or another declaration
  size_t attributes_ = 0;
  int run_ = 0;
};

// libxml2's SAX2 callbacks; `ctx` is the XmlStream. Nothing may throw through libxml2.
struct XmlStream::Callbacks {
  static XmlStream& Self(void* ctx) { return *static_cast<XmlStream*>(ctx); }

  static void StartElement(void* ctx, const xmlChar* local, const xmlChar* /*prefix*/,
                           const xmlChar* uri, int /*nb_namespaces*/,
                           const xmlChar** /*namespaces*/, int nb_attributes, int /*nb_defaulted*/,
                           const xmlChar** attributes) {
    XmlStream& self = Self(ctx);
    if (self.stopped()) return;
    if (++self.depth_ > kMaxXmlDepth) {
      self.Fail("elements nested deeper than " + std::to_string(kMaxXmlDepth) + " levels");
      return;
    }
    try {
      self.handler_.StartElement(View(uri), View(local), XmlAttributes(attributes, nb_attributes));
      if (self.handler_.Satisfied()) {
        self.satisfied_ = true;
        self.Stop();
      }
    } catch (const std::exception& e) {
      self.Fail(e.what());
    }
  }

  static void EndElement(void* ctx, const xmlChar* local, const xmlChar* /*prefix*/,
                         const xmlChar* uri) {
    XmlStream& self = Self(ctx);
    if (self.stopped()) return;
    --self.depth_;
    try {
      self.handler_.EndElement(View(uri), View(local));
    } catch (const std::exception& e) {
      self.Fail(e.what());
    }
  }

  static void Characters(void* ctx, const xmlChar* text, int length) {
    XmlStream& self = Self(ctx);
    if (self.stopped() || length <= 0) return;
    try {
      self.handler_.Characters(
          std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(length)));
      if (self.handler_.Satisfied()) {
        self.satisfied_ = true;
        self.Stop();
      }
    } catch (const std::exception& e) {
      self.Fail(e.what());
    }
  }

  static xmlEntityPtr GetEntity(void* ctx, const xmlChar* name) {
    return Self(ctx).entities_->Get(name);
  }

  static void Error(void* ctx, xmlErrorPtr error) {
    XmlStream& self = Self(ctx);
    if (error == nullptr || error->level < XML_ERR_ERROR || !self.last_error_.empty()) return;
    std::string message = error->message != nullptr ? error->message : "malformed XML";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    self.last_error_ = "line " + std::to_string(error->line) + ": " + message;
  }
};

XmlStream::XmlStream(XmlHandler& handler, XmlDialect dialect)
    : handler_(handler),
      dialect_(dialect),
      entities_(std::make_unique<Entities>(dialect)),
      guard_(std::make_unique<TagGuard>()) {
  InitXml();
}

XmlStream::~XmlStream() {
  if (ctxt_ == nullptr) return;
  // libxml2 builds a document of its own in SAX mode only for entity declarations, which never
  // reach it (TagGuard); it is the caller's to free all the same.
  if (Ctxt(ctxt_)->myDoc != nullptr) xmlFreeDoc(Ctxt(ctxt_)->myDoc);
  xmlFreeParserCtxt(Ctxt(ctxt_));
}

bool XmlStream::Start(std::string_view first) {
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &Callbacks::StartElement;
  sax.endElementNs = &Callbacks::EndElement;
  sax.characters = &Callbacks::Characters;
  sax.cdataBlock = &Callbacks::Characters;
  sax.ignorableWhitespace = &Callbacks::Characters;
  sax.getEntity = &Callbacks::GetEntity;
  sax.serror = &Callbacks::Error;
  // No internalSubset/externalSubset/entityDecl/resolveEntity/getParameterEntity callbacks: the
  // DTD is parsed for syntax only and nothing in it takes effect.
  xmlParserCtxtPtr ctxt =
      xmlCreatePushParserCtxt(&sax, this, first.data(), static_cast<int>(first.size()), nullptr);
  if (ctxt == nullptr) {
    Fail("cannot create an XML parser");
    return false;
  }
  ctxt_ = ctxt;
  int options = XML_PARSE_NONET;
  if (dialect_ == XmlDialect::kXhtml) options |= XML_PARSE_RECOVER;
  xmlCtxtUseOptions(ctxt, options);
  return true;
}

bool XmlStream::Feed(std::string_view bytes) {
  if (stopped() || finished_) return false;
  if (const char* refusal = guard_->Scan(bytes)) {
    Fail(refusal);
    return false;
  }
  if (ctxt_ == nullptr) {
    // libxml2 detects the encoding (a BOM, UTF-16) from the first four bytes of the first chunk.
    if (head_.size() + bytes.size() < 4) {
      head_.append(bytes);
      return true;
    }
    const size_t from_bytes = 4 - head_.size();
    head_.append(bytes.substr(0, from_bytes));
    bytes.remove_prefix(from_bytes);
    if (!Start(head_)) return false;
  }
  while (!bytes.empty() && !stopped()) {
    const size_t n = std::min(bytes.size(), kMaxChunk);
    xmlParseChunk(Ctxt(ctxt_), bytes.data(), static_cast<int>(n), 0);
    bytes.remove_prefix(n);
    const xmlParserCtxtPtr ctxt = Ctxt(ctxt_);
    if (stopped()) break;
    if (dialect_ == XmlDialect::kXml ? ctxt->wellFormed == 0 : ctxt->instate == XML_PARSER_EOF) {
      Fail(last_error_.empty() ? "malformed XML" : last_error_);
    }
  }
  return !stopped();
}

void XmlStream::Finish() {
  if (stopped() || finished_) return;
  finished_ = true;
  if (ctxt_ == nullptr) {
    if (head_.empty()) {
      Fail("the part is empty");
      return;
    }
    if (!Start(head_)) return;
  }
  const xmlParserCtxtPtr ctxt = Ctxt(ctxt_);
  xmlParseChunk(ctxt, nullptr, 0, 1);
  if (!stopped() && dialect_ == XmlDialect::kXml && ctxt->wellFormed == 0) {
    Fail(last_error_.empty() ? "malformed XML" : last_error_);
  }
}

void XmlStream::Fail(std::string message) {
  if (error_.empty()) error_ = message.empty() ? "malformed XML" : std::move(message);
  Stop();
}

void XmlStream::Stop() {
  if (ctxt_ != nullptr) xmlStopParser(Ctxt(ctxt_));
}

}  // namespace archivum::bundled::office
