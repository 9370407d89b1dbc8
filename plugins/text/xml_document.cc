#include "text/xml_document.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>

#include "archivum/plugin.hpp"
#include "common/utf8.h"
#include "text/utf8_decoder.h"

namespace archivum::bundled::text {
namespace {

constexpr size_t kPollBytes = size_t{1} << 20;

// NOENT, DTDLOAD, DTDATTR, DTDVALID and HUGE are deliberately absent (see the header). NOERROR and
// NOWARNING keep libxml2 from printing; the handlers below swallow what it still reports.
constexpr int kReadOptions =
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC;
constexpr int kRecoverOptions = kReadOptions | XML_PARSE_RECOVER;

void InitLibxml2() {
  // xmlInitParser is not safe to call concurrently the first time; a static initializer is.
  static const bool initialized = (xmlInitParser(), true);
  (void)initialized;
}

void IgnoreError(void* /*context*/, xmlErrorPtr /*error*/) {}
void IgnoreGenericError(void* /*context*/, const char* /*format*/, ...) {}

// Silences libxml2's thread-wide error reporting while it lives: errors without a parser context
// (a failed conversion while reading the XML declaration, I/O) would otherwise go to stderr, past
// the handlers set on each reader and parser. Restores the previous handlers, since other code in
// the process may use libxml2 too.
class QuietLibxml2 {
 public:
  QuietLibxml2()
      : generic_(xmlGenericError),
        generic_context_(xmlGenericErrorContext),
        structured_(xmlStructuredError),
        structured_context_(xmlStructuredErrorContext) {
    xmlSetGenericErrorFunc(nullptr, &IgnoreGenericError);
    xmlSetStructuredErrorFunc(nullptr, &IgnoreError);
  }
  ~QuietLibxml2() {
    xmlSetGenericErrorFunc(generic_context_, generic_);
    xmlSetStructuredErrorFunc(structured_context_, structured_);
  }
  QuietLibxml2(const QuietLibxml2&) = delete;
  QuietLibxml2& operator=(const QuietLibxml2&) = delete;

 private:
  xmlGenericErrorFunc generic_;
  void* generic_context_;
  xmlStructuredErrorFunc structured_;
  void* structured_context_;
};

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

bool XmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Accumulates character data as described in the header, up to `max` bytes.
class XmlText {
 public:
  explicit XmlText(size_t max) : max_(max) {}

  void Characters(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && !full_) {
      if (XmlSpace(s[i])) {
        if (s[i] == '\n') {
          pending_ = Pending::kLine;
        } else if (pending_ == Pending::kNone) {
          pending_ = Pending::kSpace;
        }
        ++i;
        continue;
      }
      size_t end = i;
      while (end < s.size() && !XmlSpace(s[end])) ++end;
      Append(s.substr(i, end - i));
      i = end;
    }
  }
  void Boundary() {
    if (pending_ == Pending::kNone) pending_ = Pending::kSpace;
  }
  bool full() const { return full_; }
  std::string Take() { return std::move(out_); }

 private:
  enum class Pending { kNone, kSpace, kLine };

  void Append(std::string_view word) {
    if (!out_.empty() && pending_ != Pending::kNone) {
      if (out_.size() + 1 > max_) {
        full_ = true;
        return;
      }
      out_.push_back(pending_ == Pending::kLine ? '\n' : ' ');
    }
    pending_ = Pending::kNone;
    if (out_.size() + word.size() > max_) {
      out_.append(word.substr(0, Utf8Boundary(word, max_ - out_.size())));
      full_ = true;
      return;
    }
    out_.append(word);
  }

  const size_t max_;
  std::string out_;
  Pending pending_ = Pending::kNone;
  bool full_ = false;
};

// The document as libxml2 reads it (an xmlInputReadCallback): UTF-8 from a Utf8Decoder. It polls
// the cancellation check, and keeps any exception from the decoder to rethrow after the parse,
// since none may cross libxml2's C frames.
class Source {
 public:
  Source(std::string_view input, const Encoding& encoding, bool complete,
         const std::function<bool()>& cancelled)
      : decoder_(input, encoding, complete), cancelled_(cancelled) {}

  static int Read(void* context, char* buffer, int length) {
    auto* self = static_cast<Source*>(context);
    try {
      if (self->piece_.empty()) {
        if (self->decoder_.consumed() >= self->next_poll_) {
          self->next_poll_ = self->decoder_.consumed() + kPollBytes;
          if (self->cancelled_ && self->cancelled_()) {
            self->was_cancelled_ = true;
            return -1;
          }
        }
        self->piece_ = self->decoder_.Next();
        if (self->piece_.empty()) return 0;
      }
      const size_t n = std::min(self->piece_.size(), static_cast<size_t>(std::max(length, 0)));
      std::memcpy(buffer, self->piece_.data(), n);
      self->piece_.remove_prefix(n);
      return static_cast<int>(n);
    } catch (...) {
      self->failure_ = std::current_exception();
      return -1;
    }
  }
  static int Close(void* /*context*/) { return 0; }

  bool cancelled() const { return was_cancelled_; }
  // Rethrows what the decoder threw, if anything.
  void Check() const {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  Utf8Decoder decoder_;
  const std::function<bool()>& cancelled_;
  std::string_view piece_;
  size_t next_poll_ = kPollBytes;
  bool was_cancelled_ = false;
  std::exception_ptr failure_;
};

enum class Pass { kRead, kMalformed, kCancelled };

// The strict pass: the reader, until the end, an error, or a full text.
Pass ReadWithReader(Source& source, XmlText& text, std::string& language) {
  const std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)> reader(
      xmlReaderForIO(&Source::Read, &Source::Close, &source, nullptr, "UTF-8", kReadOptions),
      &xmlFreeTextReader);
  if (reader == nullptr) throw sdk::Error(ARCHIVUM_ERROR, "libxml2 could not create a reader");
  xmlTextReaderSetStructuredErrorHandler(reader.get(), &IgnoreError, nullptr);
  bool root = true;
  int rc = 0;
  while (!text.full() && (rc = xmlTextReaderRead(reader.get())) == 1) {
    switch (xmlTextReaderNodeType(reader.get())) {
      case XML_READER_TYPE_ELEMENT:
        if (root) {
          root = false;
          language = View(xmlTextReaderConstXmlLang(reader.get()));
        }
        text.Boundary();
        break;
      case XML_READER_TYPE_END_ELEMENT: text.Boundary(); break;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_WHITESPACE:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        text.Characters(View(xmlTextReaderConstValue(reader.get())));
        break;
      default: break;
    }
  }
  source.Check();
  if (source.cancelled()) return Pass::kCancelled;
  return rc == 1 || rc == 0 ? Pass::kRead : Pass::kMalformed;
}

// What the SAX callbacks of the recovery pass write to, reached through the parser context's
// _private (libxml2 hands it on to the contexts it makes for entity content).
struct SaxState {
  xmlParserCtxtPtr parser;  // the document's own context, stopped once the text is full
  XmlText* text;
  std::string* language;
  bool root = true;
};

SaxState* State(void* context) {
  return static_cast<SaxState*>(static_cast<xmlParserCtxtPtr>(context)->_private);
}

void OnStartElement(void* context, const xmlChar* /*localname*/, const xmlChar* /*prefix*/,
                    const xmlChar* /*uri*/, int /*namespace_count*/, const xmlChar** /*namespaces*/,
                    int attribute_count, int /*defaulted*/, const xmlChar** attributes) {
  SaxState* state = State(context);
  if (state == nullptr) return;
  if (state->root) {
    state->root = false;
    // Five pointers per attribute: local name, prefix, URI, value start, value end.
    for (int i = 0; i < attribute_count; ++i) {
      const xmlChar** a = attributes + 5 * i;
      if (View(a[0]) == "lang" && View(a[1]) == "xml" && a[3] != nullptr && a[4] >= a[3]) {
        state->language->assign(reinterpret_cast<const char*>(a[3]),
                                static_cast<size_t>(a[4] - a[3]));
      }
    }
  }
  state->text->Boundary();
}

void OnEndElement(void* context, const xmlChar* /*localname*/, const xmlChar* /*prefix*/,
                  const xmlChar* /*uri*/) {
  if (SaxState* state = State(context); state != nullptr) state->text->Boundary();
}

void OnCharacters(void* context, const xmlChar* characters, int length) {
  SaxState* state = State(context);
  if (state == nullptr || length <= 0) return;
  state->text->Characters(
      std::string_view(reinterpret_cast<const char*>(characters), static_cast<size_t>(length)));
  if (state->text->full()) xmlStopParser(state->parser);
}

void OnReference(void* /*context*/, const xmlChar* /*name*/) {}  // not substituted: no text

// The recovery pass: the SAX parser with XML_PARSE_RECOVER, building no tree.
Pass ReadRecovering(Source& source, XmlText& text, std::string& language) {
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  xmlSAXVersion(&sax, 2);  // libxml2's own handlers for the DTD and the document
  sax.startElementNs = &OnStartElement;
  sax.endElementNs = &OnEndElement;
  sax.characters = &OnCharacters;
  sax.cdataBlock = &OnCharacters;
  sax.ignorableWhitespace = &OnCharacters;
  sax.reference = &OnReference;
  sax.comment = nullptr;
  sax.processingInstruction = nullptr;
  sax.serror = &IgnoreError;
  const std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> parser(
      xmlCreateIOParserCtxt(&sax, nullptr, &Source::Read, &Source::Close, &source,
                            XML_CHAR_ENCODING_UTF8),
      &xmlFreeParserCtxt);
  if (parser == nullptr) throw sdk::Error(ARCHIVUM_ERROR, "libxml2 could not create a parser");
  SaxState state{parser.get(), &text, &language};
  parser->_private = &state;
  xmlCtxtUseOptions(parser.get(), kRecoverOptions);
  xmlParseDocument(parser.get());
  if (parser->myDoc != nullptr) {  // the document node and DTD libxml2's handlers made
    xmlFreeDoc(parser->myDoc);
    parser->myDoc = nullptr;
  }
  source.Check();
  return source.cancelled() ? Pass::kCancelled : Pass::kRead;
}

}  // namespace

std::string XmlDeclaredCharset(std::string_view content) {
  const std::string_view prefix = content.substr(0, kXmlPrescanBytes);
  if (!prefix.starts_with("<?xml")) return {};  // a declaration comes first or not at all
  InitLibxml2();
  const QuietLibxml2 quiet;
  const std::unique_ptr<xmlTextReader, decltype(&xmlFreeTextReader)> reader(
      xmlReaderForMemory(prefix.data(), static_cast<int>(prefix.size()), nullptr, nullptr,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeTextReader);
  if (reader == nullptr) return {};
  xmlTextReaderSetStructuredErrorHandler(reader.get(), &IgnoreError, nullptr);
  xmlTextReaderRead(reader.get());  // parses the declaration, then the first node (or fails)
  return std::string(View(xmlTextReaderConstEncoding(reader.get())));
}

std::optional<DocumentText> ReadXml(std::string_view input, const Encoding& encoding, bool complete,
                                    size_t max_text, const std::function<bool()>& cancelled) {
  InitLibxml2();
  const QuietLibxml2 quiet;
  std::string language;
  XmlText strict(max_text);
  XmlText* text = &strict;
  Pass pass;
  {
    Source source(input, encoding, complete, cancelled);
    pass = ReadWithReader(source, strict, language);
  }
  XmlText recovered(max_text);
  if (pass == Pass::kMalformed) {
    strict.Take();  // dropped: the recovery pass reads the document from the start
    language.clear();
    Source source(input, encoding, complete, cancelled);
    pass = ReadRecovering(source, recovered, language);
    text = &recovered;
  }
  if (pass == Pass::kCancelled) return std::nullopt;
  DocumentText out;
  out.truncated = text->full();
  out.text = text->Take();
  if (std::string tag = LanguageTag(language); !tag.empty()) {
    out.metadata.emplace_back("language", std::move(tag));
  }
  return out;
}

}  // namespace archivum::bundled::text
