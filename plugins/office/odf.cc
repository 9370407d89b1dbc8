// ODT, ODS and ODP (OASIS OpenDocument 1.x): the text of content.xml, the metadata of meta.xml,
// and META-INF/manifest.xml for what is encrypted.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "office/formats.h"
#include "office/parts.h"

namespace archivum::bundled::office {
namespace {

constexpr std::string_view kOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
constexpr std::string_view kText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr std::string_view kTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
constexpr std::string_view kDraw = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0";
constexpr std::string_view kPresentationNs =
    "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0";
constexpr std::string_view kSvg = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0";
constexpr std::string_view kMeta = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0";
constexpr std::string_view kManifest = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0";
constexpr std::string_view kDc = "http://purl.org/dc/elements/1.1/";

// text:s stands for this many spaces at most (its count is the file's to state).
constexpr uint64_t kMaxSpaces = 1024;
constexpr size_t kMaxManifestEntries = 65536;

// content.xml: paragraphs (text:p, text:h) wherever they are (body, table cells, frames, notes),
// with text:s, text:tab and text:line-break; table cells separated by tabs, rows by lines.
// Counts the sheets of a spreadsheet and the pages of a presentation as it goes.
class ContentHandler : public TextHandler {
 public:
  ContentHandler(TextBuilder* out, bool keep_counting)
      : TextHandler(out), counting_(keep_counting) {}

  uint64_t tables() const { return tables_; }
  uint64_t pages() const { return pages_; }
  // The counts need the whole part: parsing goes on after the text budget is spent.
  bool Satisfied() const override { return !counting_ && out_->full(); }

 protected:
  enum Code : uint8_t { kOther, kSpreadsheet, kPresentationBody, kParagraph, kCell, kRow, kPage };

  bool Skip(std::string_view ns, std::string_view local) const override {
    if (ns == kOffice) return local == "annotation" || local == "forms" || local == "scripts";
    if (ns == kText) return local == "tracked-changes" || local == "note-citation";
    if (ns == kPresentationNs) return local == "notes";
    if (ns == kSvg) return local == "title" || local == "desc";  // alternative text of shapes
    return false;
  }

  void Open(std::string_view ns, std::string_view local, const XmlAttributes& a) override {
    const Code parent = stack_.empty() ? kOther : stack_.back();
    Code code = kOther;
    if (ns == kOffice && local == "spreadsheet") {
      code = kSpreadsheet;
    } else if (ns == kOffice && local == "presentation") {
      code = kPresentationBody;
    } else if (ns == kText && (local == "p" || local == "h")) {
      code = kParagraph;
      ++paragraphs_;
    } else if (ns == kTable && (local == "table-cell" || local == "covered-table-cell")) {
      code = kCell;
      ++cells_;
    } else if (ns == kTable && local == "table-row") {
      code = kRow;
    } else if (ns == kTable && local == "table" && parent == kSpreadsheet) {
      ++tables_;
      out_->Append(a.Get(kTable, "name").value_or(""));  // the sheet's name, as a line
      out_->LineBreak();
    } else if (ns == kDraw && local == "page" && parent == kPresentationBody) {
      code = kPage;
      ++pages_;
    } else if (ns == kText && paragraphs_ > 0) {
      if (local == "s") {
        uint64_t count = 1;
        if (const auto c = a.Get(kText, "c")) {
          count = 0;
          for (const char d : *c) {
            if (d < '0' || d > '9') break;
            count = std::min<uint64_t>(count * 10 + static_cast<uint64_t>(d - '0'), kMaxSpaces);
          }
        }
        out_->Append(std::string(static_cast<size_t>(count), ' '));
      } else if (local == "tab") {
        out_->Append("\t");
      } else if (local == "line-break") {
        out_->LineBreak();
      }
    }
    stack_.push_back(code);
  }

  void Close(std::string_view, std::string_view) override {
    if (stack_.empty()) return;
    const Code code = stack_.back();
    stack_.pop_back();
    switch (code) {
      case kParagraph:
        --paragraphs_;
        if (cells_ > 0) {
          out_->Space();
        } else {
          out_->LineBreak();
        }
        break;
      case kCell:
        --cells_;
        out_->CellBreak();
        break;
      case kRow:
      case kPage: out_->LineBreak(); break;
      default: break;
    }
  }

  void Text(std::string_view text) override {
    if (paragraphs_ > 0) out_->AppendCollapsed(text);  // ODF collapses white space in paragraphs
  }

 private:
  bool counting_;
  std::vector<Code> stack_;
  int paragraphs_ = 0;
  int cells_ = 0;
  uint64_t tables_ = 0;
  uint64_t pages_ = 0;
};

// META-INF/manifest.xml: the members stored encrypted (a manifest:encryption-data child).
class ManifestHandler : public XmlHandler {
 public:
  void StartElement(std::string_view ns, std::string_view local, const XmlAttributes& a) override {
    if (ns != kManifest) return;
    if (local == "file-entry") {
      path_ = std::string(a.Get(kManifest, "full-path").value_or(""));
    } else if (local == "encryption-data" && !path_.empty() &&
               encrypted.size() < kMaxManifestEntries) {
      encrypted.insert(path_);
    }
  }
  void EndElement(std::string_view ns, std::string_view local) override {
    if (ns == kManifest && local == "file-entry") path_.clear();
  }
  void Characters(std::string_view) override {}

  std::set<std::string> encrypted;

 private:
  std::string path_;
};

void ReadMeta(Extraction& x) {
  PropertyCollector meta(3);  // office:document-meta / office:meta / the properties
  const std::optional<PartResult> result = ParseNamedPart(x.package, "meta.xml", meta);
  if (!result || !result->ok()) return;
  Metadata& m = x.metadata;
  std::vector<std::string> keywords;
  for (const Property& p : meta.properties()) {
    if (p.ns == kDc && p.local == "title") {
      Metadata::SetOnce(m.title, p.text);
    } else if (p.ns == kMeta && p.local == "initial-creator") {
      m.AddAuthor(p.text);
    } else if (p.ns == kDc && p.local == "creator") {
      m.AddAuthor(p.text);  // who saved it last: an author too
    } else if (p.ns == kDc && p.local == "subject") {
      m.AddSubject(p.text);
    } else if (p.ns == kDc && p.local == "description") {
      Metadata::SetOnce(m.description, p.text);
    } else if (p.ns == kMeta && p.local == "keyword") {
      if (std::string k = Clean(p.text); !k.empty()) keywords.push_back(std::move(k));
    } else if (p.ns == kDc && p.local == "language") {
      Metadata::SetLanguageOnce(m.language, p.text);
    } else if (p.ns == kMeta && p.local == "creation-date") {
      Metadata::SetTimeOnce(m.created, p.text);
    } else if (p.ns == kDc && p.local == "date") {
      Metadata::SetTimeOnce(m.modified, p.text);
    } else if (p.ns == kMeta && p.local == "generator") {
      Metadata::SetOnce(m.creator, p.text);
    } else if (p.ns == kMeta && p.local == "document-statistic") {
      const std::string_view pages = p.Attribute(kMeta, "page-count").value_or("");
      const std::string_view tables = p.Attribute(kMeta, "table-count").value_or("");
      if (x.kind == Kind::kOdt) Metadata::SetCountOnce(m.pages, pages);
      if (x.kind == Kind::kOds) Metadata::SetCountOnce(m.sheets, tables);
      if (x.kind == Kind::kOdp) Metadata::SetCountOnce(m.slides, pages);
    }
  }
  std::string joined;
  for (const std::string& k : keywords) joined += (joined.empty() ? "" : ", ") + k;
  Metadata::SetOnce(m.keywords, joined);
}

}  // namespace

void ExtractOdf(Extraction& x) {
  const std::optional<size_t> content = x.package.Find("content.xml");
  if (!content) throw PackageError("content.xml missing");

  if (x.package.Find("Thumbnails/thumbnail.png")) x.cover = "Thumbnails/thumbnail.png";
  ManifestHandler manifest;
  ParseNamedPart(x.package, "META-INF/manifest.xml", manifest);  // optional
  if (!manifest.encrypted.contains("meta.xml")) ReadMeta(x);
  if (manifest.encrypted.contains("content.xml") || x.package.members()[*content].encrypted) {
    x.encrypted = true;
    return;
  }

  // A spreadsheet's sheets and a presentation's slides are counted from the content unless
  // meta.xml states them.
  const bool count =
      (x.kind == Kind::kOds && !x.metadata.sheets) || (x.kind == Kind::kOdp && !x.metadata.slides);
  std::vector<TextBuilder> texts{TextBuilder(&x.budget)};
  ContentHandler handler(&texts.front(), count);
  const PartResult result = ParseParts(x.package, {*content}, {&handler}, XmlDialect::kXml).front();
  if (!result.error.empty()) throw PackageError("content.xml: " + result.error);
  x.cut = x.cut || result.cut;
  if (count && !result.cut) {
    if (x.kind == Kind::kOds) x.metadata.sheets = handler.tables();
    if (x.kind == Kind::kOdp) x.metadata.slides = handler.pages();
  }
  x.text = JoinTexts(texts, x.max_text);
}

}  // namespace archivum::bundled::office
