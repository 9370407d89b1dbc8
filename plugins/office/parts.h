// Reading the XML parts of an office package: parsing members with handlers in one pass over the
// archive, part names and relationships (OPC), and the small handlers every format needs.
//
// Thread safety: the functions and handlers are used by one extraction on one thread.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "office/text_builder.h"
#include "office/xml_stream.h"
#include "office/zip_package.h"

namespace archivum::bundled::office {

// How the parse of one member went.
struct PartResult {
  bool read = false;       // the member was read (false: encrypted, or not in the archive)
  bool encrypted = false;  // the member is encrypted in the ZIP
  bool cut = false;        // a size limit stopped the read; the text so far is kept
  std::string error;       // the XML was malformed or over a parser limit; empty if none
  bool ok() const { return read && error.empty(); }
};

// Parses members[indices[k]] with handlers[k] (each used for that member only) in one pass over
// the archive. Throws what ZipPackage::Read throws.
std::vector<PartResult> ParseParts(ZipPackage& package, const std::vector<size_t>& indices,
                                   const std::vector<XmlHandler*>& handlers, XmlDialect dialect);

// Parses the member named `name` (see ZipPackage::Find); nullopt if there is none.
std::optional<PartResult> ParseNamedPart(ZipPackage& package, std::string_view name,
                                         XmlHandler& handler,
                                         XmlDialect dialect = XmlDialect::kXml);

// The first `max_bytes` bytes of the member named `name`; nullopt if there is none or it cannot
// be read.
std::optional<std::string> ReadSmallMember(ZipPackage& package, std::string_view name,
                                           size_t max_bytes);

// The directory of a part name, with its trailing slash ("word/" for "word/document.xml").
std::string DirectoryOf(std::string_view part);
// `reference` (a URI reference from the package: an OPC relationship target, an OPF href),
// resolved against `base_directory` into a part name: percent-escapes decoded, the fragment
// dropped, "." and ".." applied; a leading "/" starts from the package root.
std::string ResolvePart(std::string_view base_directory, std::string_view reference);

// An element's text and attributes, as PropertyCollector keeps them.
struct Property {
  std::string ns;
  std::string local;
  std::string text;  // all character data inside it, at most 2 * kMaxValueBytes
  std::vector<std::array<std::string, 3>> attributes;  // namespace, local name, value
  // The value of attribute `local` in namespace `ns`, or nullopt.
  std::optional<std::string_view> Attribute(std::string_view ns, std::string_view local) const;
};

// Collects the elements at one depth (the root is depth 1): the properties of docProps/core.xml
// and app.xml (depth 2), of ODF meta.xml (depth 3, inside office:meta). Keeps at most 4096.
class PropertyCollector : public XmlHandler {
 public:
  explicit PropertyCollector(int depth) : depth_(depth) {}
  void StartElement(std::string_view ns, std::string_view local,
                    const XmlAttributes& attributes) override;
  void EndElement(std::string_view ns, std::string_view local) override;
  void Characters(std::string_view text) override;

  const std::vector<Property>& properties() const { return properties_; }

 private:
  int depth_;
  int current_ = 0;
  bool capturing_ = false;
  std::vector<Property> properties_;
};

// Base of the handlers that turn a part into text: whole subtrees that carry no text of the
// document (alternate content, comments, scripts) are skipped, and the derived class sees only
// the rest. Satisfied once the text budget is spent.
class TextHandler : public XmlHandler {
 public:
  // `out` must outlive the handler.
  explicit TextHandler(TextBuilder* out) : out_(out) {}

  void StartElement(std::string_view ns, std::string_view local,
                    const XmlAttributes& attributes) final;
  void EndElement(std::string_view ns, std::string_view local) final;
  void Characters(std::string_view text) final;
  bool Satisfied() const override { return out_->full(); }

 protected:
  // Whether the element and everything in it is left out.
  virtual bool Skip(std::string_view ns, std::string_view local) const = 0;
  virtual void Open(std::string_view ns, std::string_view local,
                    const XmlAttributes& attributes) = 0;
  virtual void Close(std::string_view ns, std::string_view local) = 0;
  virtual void Text(std::string_view text) = 0;

  TextBuilder* out_;

 private:
  int skipped_depth_ = 0;  // > 0 inside a skipped subtree
};

// One relationship of an OPC part (a _rels/*.rels member).
struct Relationship {
  std::string id;
  std::string type;    // the last segment of the type URI, e.g. "officeDocument", "slide"
  std::string target;  // the target part's name (ResolvePart); empty for external targets
};

// Reads the relationships of `part` ("" for the package's own, _rels/.rels). Returns an empty list
// if there are none or they cannot be read (a package without a relationship is unusual, not an
// error, and the caller reports the part it misses). Keeps at most 65536.
std::vector<Relationship> ReadRelationships(ZipPackage& package, std::string_view part);

// The target of the first relationship of `type` in `relationships`, or "" if none.
std::string TargetOf(const std::vector<Relationship>& relationships, std::string_view type);

// Joins the texts of the parts of a document in reading order, a line break between two
// non-empty ones, cut to `max_bytes` at a character boundary.
std::string JoinTexts(std::vector<TextBuilder>& parts, size_t max_bytes);

}  // namespace archivum::bundled::office
