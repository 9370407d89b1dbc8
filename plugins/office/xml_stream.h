// Streaming XML parsing for the office plugin: libxml2's SAX2 push parser, fed block by block as
// a ZIP member is decompressed, so that no part ever sits whole in memory and nothing but the
// handler's own state grows with the part.
//
// Hostile input is inert by construction:
//  - no DTD is ever read: a document that declares an internal subset (<!DOCTYPE x [...]>, where
//    entity, attribute-default and parameter-entity declarations live) is refused before libxml2
//    sees the subset, and an external subset is never loaded (no externalSubset callback, no
//    XML_PARSE_DTDLOAD, XML_PARSE_NONET). No office part has a DTD; declarations would only cost
//    memory (libxml2 keeps them even in SAX mode) and time (attribute defaults are merged into
//    every tag in quadratic time). So external entities (XXE) and entity expansion ("billion
//    laughs") never happen. Every entity reference besides the five XML ones and character
//    references reads as a constant: nothing, or for XHTML the HTML 4 character it names;
//  - elements nested deeper than kMaxXmlDepth stop the parse (libxml2 2.9's push parser does not
//    apply its own depth limit and would grow its stacks with the nesting);
//  - a start tag with more than kMaxXmlAttributes attributes stops the parse before libxml2 sees
//    it (libxml2 2.9 looks for duplicate attributes in quadratic time: 200,000 attributes take
//    seconds, a 10 MB tag minutes);
//  - libxml2's own limits stay on (no XML_PARSE_HUGE): 10 MB per token or buffered look-ahead,
//    names of 50,000 bytes, a 10 MB name dictionary.
//
// Thread safety: an XmlStream and its handler are used by one thread at a time; distinct streams
// may run concurrently once InitXml() has returned (see there).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace archivum::bundled::office {

inline constexpr int kMaxXmlDepth = 256;
inline constexpr size_t kMaxXmlAttributes = 4096;

// Initializes libxml2's global state once per process (xmlInitParser through std::call_once).
// libxml2 initializes lazily on first use, and that initialization (its dictionary lock, its
// thread-local error state and memory hooks) is not safe to race, so every entry point of the
// plugin calls this before parsing on any thread. xmlCleanupParser is never called: the process
// may hold other users of libxml2.
void InitXml();

// The attributes of one start tag, as libxml2 hands them to the handler. A view; valid only during
// XmlHandler::StartElement.
class XmlAttributes {
 public:
  XmlAttributes(const unsigned char** raw, int count) : raw_(raw), count_(count) {}
  // The value of the attribute with namespace URI `ns` ("" for none) and local name `local`.
  std::optional<std::string_view> Get(std::string_view ns, std::string_view local) const;
  // The value of the first attribute named `local`, whatever its namespace.
  std::optional<std::string_view> GetAny(std::string_view local) const;

 private:
  const unsigned char** raw_;
  int count_;
};

// Receives the document's structure. Names are split into namespace URI ("" for none) and local
// name. The views are valid only during the call. Implementations must not throw: a throw is
// caught by the stream, which then stops with an error.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void StartElement(std::string_view ns, std::string_view local,
                            const XmlAttributes& attributes) = 0;
  virtual void EndElement(std::string_view ns, std::string_view local) = 0;
  // Character data (text and CDATA) of the current element, in pieces.
  virtual void Characters(std::string_view text) = 0;
  // True once the handler needs nothing more from this part (its text budget is spent, say):
  // the stream stops parsing without an error.
  virtual bool Satisfied() const { return false; }
};

// How entity references beyond the five XML ones and character references read.
enum class XmlDialect {
  kXml,    // office XML parts: as nothing (the formats never use them)
  kXhtml,  // EPUB chapters: HTML 4 names (&nbsp;, &eacute; ...) as their character, others as
           // nothing. Recovers from well-formedness errors where libxml2 can (XML_PARSE_RECOVER):
           // a chapter is read the way reading systems read it.
};

class XmlStream {
 public:
  // `handler` must outlive the stream.
  XmlStream(XmlHandler& handler, XmlDialect dialect);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // Parses the next piece of the document (any size; the caller bounds it). Returns false once
  // the stream has stopped: an error, a limit, or the handler is satisfied. Further calls do
  // nothing.
  bool Feed(std::string_view bytes);
  // Ends the document: parses what libxml2 still buffers and checks that it is complete.
  void Finish();

  // The parse stopped on malformed XML or a limit; error() says why ("line 3: ...").
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // The handler said it was satisfied before the end.
  bool satisfied() const { return satisfied_; }

 private:
  struct Callbacks;
  class Entities;
  class TagGuard;

  bool Start(std::string_view first);
  void Fail(std::string message);
  void Stop();
  bool stopped() const { return failed() || satisfied_; }

  XmlHandler& handler_;
  XmlDialect dialect_;
  void* ctxt_ = nullptr;  // xmlParserCtxtPtr; void* keeps libxml2 out of this header
  std::unique_ptr<Entities> entities_;
  std::unique_ptr<TagGuard> guard_;
  std::string head_;  // the first bytes, until there are enough to detect the encoding
  int depth_ = 0;
  bool satisfied_ = false;
  bool finished_ = false;
  std::string error_;       // why the stream stopped; empty unless it failed
  std::string last_error_;  // libxml2's first error report, for error_
};

}  // namespace archivum::bundled::office
