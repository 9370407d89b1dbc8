// EPUB 2 and 3: META-INF/container.xml names the package document (OPF), whose metadata gives the
// findings and whose spine lists the chapters (XHTML content documents) in reading order.
//
// Chapters are read with libxml2's streaming parser like every other part, not with Gumbo
// (common/html_text.h): Gumbo builds a tree of the whole chapter, about 100 bytes per tag (a
// 4 MiB chapter of short tags took 430 MB), and libxml2's HTML push parser keeps all its input
// buffered; the XML push parser reads a chapter of any size in constant memory. EPUB requires
// chapters to be XHTML, i.e. XML; the HTML 4 entity names that EPUB 2 chapters take from the
// XHTML DTD (which is never loaded) still read as their characters (XmlDialect::kXhtml), and the
// parser recovers from the well-formedness slips reading systems tolerate.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "office/formats.h"
#include "office/parts.h"

namespace archivum::bundled::office {
namespace {

constexpr std::string_view kContainer = "urn:oasis:names:tc:opendocument:xmlns:container";
constexpr std::string_view kOpf = "http://www.idpf.org/2007/opf";
constexpr std::string_view kDc = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view kXmlEnc = "http://www.w3.org/2001/04/xmlenc#";
constexpr std::string_view kXhtml = "http://www.w3.org/1999/xhtml";
constexpr std::string_view kOps = "http://www.idpf.org/2007/ops";
constexpr std::string_view kPackageType = "application/oebps-package+xml";

constexpr size_t kMaxItems = 65536;

// Whether the white-space separated list `list` holds `token` (OPF's properties attribute).
bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t start = list.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return false;
    list.remove_prefix(start);
    const size_t end = std::min(list.find_first_of(" \t\r\n"), list.size());
    if (list.substr(0, end) == token) return true;
    list.remove_prefix(end);
  }
  return false;
}

class ContainerHandler : public XmlHandler {
 public:
  void StartElement(std::string_view ns, std::string_view local, const XmlAttributes& a) override {
    if (ns != kContainer || local != "rootfile") return;
    const std::string_view path = a.Get("", "full-path").value_or("");
    if (path.empty()) return;
    const bool package = a.Get("", "media-type").value_or("") == kPackageType;
    if (rootfile.empty() || (package && !found_package_)) rootfile = std::string(path);
    found_package_ = found_package_ || package;
  }
  void EndElement(std::string_view, std::string_view) override {}
  void Characters(std::string_view) override {}

  std::string rootfile;  // the first package document listed (a non-OPF one only if no other)

 private:
  bool found_package_ = false;
};

// The OPF: metadata (Dublin Core and <meta>), the manifest and the spine.
class PackageHandler : public XmlHandler {
 public:
  explicit PackageHandler(Metadata* metadata) : metadata_(metadata) {}

  struct Item {
    std::string href;
    std::string media_type;
  };
  std::unordered_map<std::string, Item> manifest;
  std::vector<std::string> spine;  // item ids, in reading order
  // The cover image's item: EPUB 3's item with the "cover-image" property (the first), else the
  // one EPUB 2's <meta name="cover" content="ID"> names.
  std::string cover_image_id;
  std::string cover_meta_id;

  void StartElement(std::string_view ns, std::string_view local, const XmlAttributes& a) override {
    ++depth_;
    if (ns != kOpf && ns != kDc) return;
    if (ns == kOpf && local == "metadata") {
      metadata_depth_ = depth_;
    } else if (ns == kOpf && local == "item" && manifest.size() < kMaxItems) {
      const std::string_view id = a.Get("", "id").value_or("");
      manifest.emplace(std::string(id), Item{std::string(a.Get("", "href").value_or("")),
                                             std::string(a.Get("", "media-type").value_or(""))});
      if (cover_image_id.empty() && HasToken(a.Get("", "properties").value_or(""), "cover-image")) {
        cover_image_id = std::string(id);
      }
    } else if (ns == kOpf && local == "itemref" && spine.size() < kMaxItems) {
      spine.emplace_back(a.Get("", "idref").value_or(""));
    } else if (metadata_depth_ > 0 && capture_depth_ == 0) {
      // A property of the metadata (OPF 2 may nest Dublin Core in a dc-metadata element).
      if (ns == kOpf && local == "meta") {
        const std::string_view name = a.Get("", "name").value_or("");
        if (name == "generator")
          Metadata::SetOnce(metadata_->creator, a.Get("", "content").value_or(""));
        if (name == "cover" && cover_meta_id.empty()) {
          cover_meta_id = std::string(a.Get("", "content").value_or(""));
        }
        property_ = std::string(a.Get("", "property").value_or(""));
        if (property_.empty()) return;
        name_ = "meta";
      } else if (ns == kDc) {
        name_ = std::string(local);
        event_ = std::string(a.Get(kOpf, "event").value_or(""));
      } else {
        return;
      }
      capture_depth_ = depth_;
      text_.clear();
    }
  }

  void EndElement(std::string_view ns, std::string_view local) override {
    if (capture_depth_ == depth_) {
      capture_depth_ = 0;
      Store();
    }
    if (ns == kOpf && local == "metadata" && metadata_depth_ == depth_) metadata_depth_ = 0;
    --depth_;
  }

  void Characters(std::string_view text) override {
    if (capture_depth_ == 0) return;
    text_.append(text.substr(0, 2 * kMaxValueBytes - std::min(text_.size(), 2 * kMaxValueBytes)));
  }

 private:
  void Store() {
    Metadata& m = *metadata_;
    if (name_ == "meta") {
      if (property_ == "dcterms:modified") Metadata::SetTimeOnce(m.modified, text_);
    } else if (name_ == "title") {
      Metadata::SetOnce(m.title, text_);
    } else if (name_ == "creator") {
      m.AddAuthor(text_);
    } else if (name_ == "subject") {
      m.AddSubject(text_);
    } else if (name_ == "description") {
      Metadata::SetOnce(m.description, text_);
    } else if (name_ == "language") {
      Metadata::SetLanguageOnce(m.language, text_);
    } else if (name_ == "date") {
      // OPF 2 says which date it is; an unqualified dc:date is the publication date.
      if (event_ == "modification") {
        Metadata::SetTimeOnce(m.modified, text_);
      } else {
        Metadata::SetTimeOnce(m.created, text_);
      }
    }
  }

  Metadata* metadata_;
  int depth_ = 0;
  int metadata_depth_ = 0;
  int capture_depth_ = 0;
  std::string name_;
  std::string property_;
  std::string event_;
  std::string text_;
};

// META-INF/encryption.xml: the resources encrypted with anything but font obfuscation (which
// only scrambles embedded fonts, never chapters).
class EncryptionHandler : public XmlHandler {
 public:
  void StartElement(std::string_view ns, std::string_view local, const XmlAttributes& a) override {
    if (ns != kXmlEnc) return;
    if (local == "EncryptedData") {
      algorithm_.clear();
    } else if (local == "EncryptionMethod") {
      algorithm_ = std::string(a.Get("", "Algorithm").value_or(""));
    } else if (local == "CipherReference" && resources.size() < kMaxItems &&
               algorithm_ != "http://www.idpf.org/2008/embedding" &&
               algorithm_ != "http://ns.adobe.com/pdf/enc#RC") {
      resources.insert(ResolvePart("", a.Get("", "URI").value_or("")));
    }
  }
  void EndElement(std::string_view, std::string_view) override {}
  void Characters(std::string_view) override {}

  std::set<std::string> resources;  // part names

 private:
  std::string algorithm_;
};

// An XHTML content document: block elements end lines, table cells are tab-separated, white
// space collapses outside <pre>; <head>, scripts, styles, SVG and MathML are not text.
class ChapterHandler : public TextHandler {
 public:
  using TextHandler::TextHandler;

 protected:
  bool Skip(std::string_view ns, std::string_view local) const override {
    if (ns == "http://www.w3.org/2000/svg" || ns == "http://www.w3.org/1998/Math/MathML") {
      return true;
    }
    if (ns == kOps) return local == "case";  // epub:switch alternatives; epub:default stays
    if (!Html(ns)) return false;
    return local == "head" || local == "script" || local == "style" || local == "template" ||
           local == "noscript";
  }

  void Open(std::string_view ns, std::string_view local, const XmlAttributes&) override {
    if (!Html(ns)) return;
    if (local == "br") {
      out_->LineBreak();
    } else if (local == "pre") {
      ++preformatted_;
      out_->LineBreak();
    } else if (Block(local)) {
      out_->LineBreak();
    }
  }

  void Close(std::string_view ns, std::string_view local) override {
    if (!Html(ns)) return;
    if (local == "pre") {
      --preformatted_;
      out_->LineBreak();
    } else if (local == "td" || local == "th") {
      out_->CellBreak();
    } else if (Block(local)) {
      out_->LineBreak();
    }
  }

  void Text(std::string_view text) override {
    if (preformatted_ > 0) {
      out_->Append(text);
    } else {
      out_->AppendCollapsed(text);
    }
  }

 private:
  static bool Html(std::string_view ns) { return ns == kXhtml || ns.empty(); }

  static bool Block(std::string_view local) {
    static constexpr std::string_view kBlocks[] = {
        "address", "article", "aside", "blockquote", "body",     "caption",    "dd",     "details",
        "dialog",  "div",     "dl",    "dt",         "fieldset", "figcaption", "figure", "footer",
        "form",    "h1",      "h2",    "h3",         "h4",       "h5",         "h6",     "header",
        "hgroup",  "hr",      "li",    "main",       "nav",      "ol",         "p",      "section",
        "summary", "table",   "tbody", "tfoot",      "thead",    "tr",         "ul"};
    return std::find(std::begin(kBlocks), std::end(kBlocks), local) != std::end(kBlocks);
  }

  int preformatted_ = 0;
};

bool IsChapter(std::string_view media_type) {
  return media_type == "application/xhtml+xml" || media_type == "text/html" ||
         media_type == "application/x-dtbook+xml";
}

}  // namespace

void ExtractEpub(Extraction& x) {
  ContainerHandler container;
  const std::optional<PartResult> found =
      ParseNamedPart(x.package, "META-INF/container.xml", container);
  if (!found) throw PackageError("META-INF/container.xml missing");
  if (!found->ok()) throw PackageError("META-INF/container.xml: " + found->error);
  if (container.rootfile.empty()) throw PackageError("META-INF/container.xml names no rootfile");
  const std::string opf = ResolvePart("", container.rootfile);

  PackageHandler package(&x.metadata);
  const std::optional<PartResult> read = ParseNamedPart(x.package, opf, package);
  if (!read) throw PackageError(opf + " missing");
  if (!read->ok())
    throw PackageError(opf + ": " + (read->error.empty() ? "encrypted" : read->error));

  EncryptionHandler encryption;
  ParseNamedPart(x.package, "META-INF/encryption.xml", encryption);  // optional

  const std::string base = DirectoryOf(opf);
  for (const std::string* id : {&package.cover_image_id, &package.cover_meta_id}) {
    const auto item = package.manifest.find(*id);
    if (id->empty() || item == package.manifest.end() ||
        !item->second.media_type.starts_with("image/")) {
      continue;
    }
    const std::string name = ResolvePart(base, item->second.href);
    if (!encryption.resources.contains(name)) x.cover = name;
    break;
  }
  std::vector<size_t> parts;
  for (const std::string& id : package.spine) {
    const auto item = package.manifest.find(id);
    if (item == package.manifest.end() || !IsChapter(item->second.media_type)) continue;
    const std::string name = ResolvePart(base, item->second.href);
    if (encryption.resources.contains(name)) {
      x.encrypted = true;
      continue;
    }
    const std::optional<size_t> index = x.package.Find(name);
    if (index && std::find(parts.begin(), parts.end(), *index) == parts.end()) {
      parts.push_back(*index);
    }
  }
  std::vector<TextBuilder> texts(parts.size(), TextBuilder(&x.budget));
  std::vector<std::unique_ptr<XmlHandler>> handlers;
  std::vector<XmlHandler*> raw;
  for (TextBuilder& t : texts) {
    handlers.push_back(std::make_unique<ChapterHandler>(&t));
    raw.push_back(handlers.back().get());
  }
  // A chapter the parser cannot recover keeps the text read before the error: reading systems
  // show what they can, and one bad chapter does not hide a book.
  for (const PartResult& r : ParseParts(x.package, parts, raw, XmlDialect::kXhtml)) {
    x.cut = x.cut || r.cut;
    x.encrypted = x.encrypted || r.encrypted;
  }
  x.text = JoinTexts(texts, x.max_text);
}

}  // namespace archivum::bundled::office
