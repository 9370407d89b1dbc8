// DOCX, XLSX and PPTX (ECMA-376 Office Open XML, transitional and strict namespaces). The package
// relationships (_rels/.rels) name the main part and the property parts; the main part's own
// relationships name the rest (headers, sheets, slides, shared strings).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "office/formats.h"
#include "office/parts.h"

namespace archivum::bundled::office {
namespace {

// Each vocabulary exists in the transitional and the strict namespace.
struct Namespace {
  std::string_view transitional;
  std::string_view strict;
  bool Has(std::string_view ns) const { return ns == transitional || ns == strict; }
};

constexpr Namespace kWord{"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                          "http://purl.oclc.org/ooxml/wordprocessingml/main"};
constexpr Namespace kSheet{"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                           "http://purl.oclc.org/ooxml/spreadsheetml/main"};
constexpr Namespace kPresentation{"http://schemas.openxmlformats.org/presentationml/2006/main",
                                  "http://purl.oclc.org/ooxml/presentationml/main"};
constexpr Namespace kDrawing{"http://schemas.openxmlformats.org/drawingml/2006/main",
                             "http://purl.oclc.org/ooxml/drawingml/main"};
constexpr Namespace kRelationships{
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships"};
constexpr Namespace kExtended{
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"};
constexpr std::string_view kMarkupCompatibility =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr std::string_view kDc = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view kDcTerms = "http://purl.org/dc/terms/";
constexpr std::string_view kCoreProperties =
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties";

// Parts read besides the main part (headers, footers, notes; sheets; slides), at most.
constexpr size_t kMaxContentParts = 65536;
// Shared strings kept, at most (their bytes are bounded by the text budget).
constexpr size_t kMaxSharedStrings = size_t{1} << 21;
// Bytes of one cell's value kept (Excel's own limit is 32,767 characters).
constexpr size_t kMaxCellBytes = size_t{128} << 10;

std::string_view DefaultMainPart(Kind kind) {
  switch (kind) {
    case Kind::kXlsx: return "xl/workbook.xml";
    case Kind::kPptx: return "ppt/presentation.xml";
    default: return "word/document.xml";
  }
}

std::optional<std::string_view> RelationshipId(const XmlAttributes& attributes) {
  if (auto id = attributes.Get(kRelationships.transitional, "id")) return id;
  return attributes.Get(kRelationships.strict, "id");
}

// Alternate content: the text is in mc:Choice; mc:Fallback repeats it for older readers.
bool IsFallback(std::string_view ns, std::string_view local) {
  return ns == kMarkupCompatibility && local == "Fallback";
}

// ---- WordprocessingML: w:p paragraphs of w:r runs holding w:t text -------------------------

class WordHandler : public TextHandler {
 public:
  using TextHandler::TextHandler;

 protected:
  enum Code : uint8_t { kOther, kParagraph, kRun, kText, kCell, kRow, kTable };

  bool Skip(std::string_view ns, std::string_view local) const override {
    return IsFallback(ns, local);
  }

  void Open(std::string_view ns, std::string_view local, const XmlAttributes&) override {
    Code code = kOther;
    if (kWord.Has(ns)) {
      const bool in_run = !stack_.empty() && stack_.back() == kRun;
      if (local == "p") {
        code = kParagraph;
      } else if (local == "r") {
        code = kRun;
      } else if (local == "t") {
        code = kText;
      } else if (local == "tc") {
        code = kCell;
        ++cells_;
      } else if (local == "tr") {
        code = kRow;
      } else if (local == "tbl") {
        code = kTable;
      } else if (in_run && local == "tab") {  // w:tab elsewhere is a tab stop definition
        out_->Append("\t");
      } else if (in_run && (local == "br" || local == "cr")) {
        out_->LineBreak();
      } else if (in_run && local == "noBreakHyphen") {
        out_->Append("-");
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
        if (cells_ > 0) {
          out_->Space();  // paragraphs of one cell stay on the row's line
        } else {
          out_->LineBreak();
        }
        break;
      case kCell:
        --cells_;
        out_->CellBreak();
        break;
      case kRow:
      case kTable: out_->LineBreak(); break;
      default: break;
    }
  }

  void Text(std::string_view text) override {
    if (!stack_.empty() && stack_.back() == kText) out_->Append(text);
  }

 private:
  std::vector<Code> stack_;
  int cells_ = 0;
};

// ---- SpreadsheetML: the workbook, its shared strings and its sheets ------------------------

struct SheetEntry {
  std::string name;
  std::string relationship;
};

class WorkbookHandler : public XmlHandler {
 public:
  void StartElement(std::string_view ns, std::string_view local,
                    const XmlAttributes& attributes) override {
    if (!kSheet.Has(ns) || local != "sheet" || sheets.size() >= kMaxContentParts) return;
    sheets.push_back({Clean(attributes.Get("", "name").value_or("")),
                      std::string(RelationshipId(attributes).value_or(""))});
  }
  void EndElement(std::string_view, std::string_view) override {}
  void Characters(std::string_view) override {}

  std::vector<SheetEntry> sheets;
};

// The shared string table, in one buffer: a hostile table of millions of strings costs their
// bytes (bounded by the text budget) and 4 bytes each.
class SharedStrings {
 public:
  std::string_view Get(size_t i) const {
    if (i >= ends_.size()) return {};
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(pool_).substr(begin, ends_[i] - begin);
  }

  // True if strings or their bytes were over the bounds and are missing or cut.
  bool overflowed() const { return overflowed_; }

  class Handler : public XmlHandler {
   public:
    Handler(SharedStrings* table, size_t max_bytes) : table_(table), max_bytes_(max_bytes) {}
    void StartElement(std::string_view ns, std::string_view local, const XmlAttributes&) override {
      if (!kSheet.Has(ns)) return;
      if (local == "rPh") ++phonetic_;  // a reading aid, not the string
      if (local == "t" && phonetic_ == 0) in_text_ = true;
    }
    void EndElement(std::string_view ns, std::string_view local) override {
      if (!kSheet.Has(ns)) return;
      if (local == "rPh") --phonetic_;
      if (local == "t") in_text_ = false;
      if (local != "si") return;
      if (table_->ends_.size() < kMaxSharedStrings) {
        table_->ends_.push_back(static_cast<uint32_t>(table_->pool_.size()));
      } else {
        table_->overflowed_ = true;
      }
    }
    void Characters(std::string_view text) override {
      if (!in_text_) return;
      const size_t room = max_bytes_ - std::min(max_bytes_, table_->pool_.size());
      if (text.size() > room || table_->ends_.size() >= kMaxSharedStrings) {
        table_->overflowed_ = true;
      }
      if (table_->ends_.size() < kMaxSharedStrings) table_->pool_.append(text.substr(0, room));
    }

   private:
    SharedStrings* table_;
    size_t max_bytes_;
    int phonetic_ = 0;
    bool in_text_ = false;
  };

 private:
  std::string pool_;
  std::vector<uint32_t> ends_;
  bool overflowed_ = false;
};

// A worksheet's cells, row by row: shared strings, inline strings, numbers, booleans, errors
// and formula results as stored (no number formats are applied).
class SheetHandler : public TextHandler {
 public:
  SheetHandler(TextBuilder* out, const SharedStrings* strings)
      : TextHandler(out), strings_(strings) {}

 protected:
  bool Skip(std::string_view ns, std::string_view local) const override {
    return IsFallback(ns, local) ||
           (kSheet.Has(ns) && (local == "f" || local == "rPh" || local == "extLst"));
  }

  void Open(std::string_view ns, std::string_view local, const XmlAttributes& a) override {
    if (!kSheet.Has(ns)) return;
    if (local == "row") {
      cells_in_row_ = 0;
    } else if (local == "c") {
      in_cell_ = true;
      type_ = std::string(a.Get("", "t").value_or("n"));
      value_.clear();
    } else if (in_cell_ && (local == "v" || local == "t")) {
      collecting_ = true;
    }
  }

  void Close(std::string_view ns, std::string_view local) override {
    if (!kSheet.Has(ns)) return;
    if (local == "v" || local == "t") {
      collecting_ = false;
    } else if (local == "c") {
      in_cell_ = false;
      const std::string_view value = Value();
      if (value.empty()) return;
      if (cells_in_row_ > 0) out_->CellBreak();
      out_->Append(value);
      ++cells_in_row_;
    } else if (local == "row") {
      out_->LineBreak();
    }
  }

  void Text(std::string_view text) override {
    if (!collecting_) return;
    value_.append(text.substr(0, kMaxCellBytes - std::min(kMaxCellBytes, value_.size())));
  }

 private:
  std::string_view Value() const {
    if (type_ == "s") {
      size_t index = 0;
      for (const char c : value_) {
        if (c < '0' || c > '9' || index > (size_t{1} << 40)) return {};
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      return value_.empty() ? std::string_view() : strings_->Get(index);
    }
    if (type_ == "b") return value_ == "1" ? "TRUE" : value_ == "0" ? "FALSE" : "";
    return value_;
  }

  const SharedStrings* strings_;
  bool in_cell_ = false;
  bool collecting_ = false;
  std::string type_;
  std::string value_;
  int cells_in_row_ = 0;
};

// ---- PresentationML: the slide list and DrawingML text on each slide -----------------------

class PresentationHandler : public XmlHandler {
 public:
  void StartElement(std::string_view ns, std::string_view local,
                    const XmlAttributes& attributes) override {
    if (!kPresentation.Has(ns) || local != "sldId" || slides.size() >= kMaxContentParts) return;
    slides.emplace_back(RelationshipId(attributes).value_or(""));
  }
  void EndElement(std::string_view, std::string_view) override {}
  void Characters(std::string_view) override {}

  std::vector<std::string> slides;  // relationship ids, in presentation order
};

class SlideHandler : public TextHandler {
 public:
  using TextHandler::TextHandler;

 protected:
  bool Skip(std::string_view ns, std::string_view local) const override {
    return IsFallback(ns, local);
  }
  void Open(std::string_view ns, std::string_view local, const XmlAttributes&) override {
    if (!kDrawing.Has(ns)) return;
    if (local == "t") {
      in_text_ = true;
    } else if (local == "br") {
      out_->LineBreak();
    } else if (local == "tc") {
      ++cells_;
    }
  }
  void Close(std::string_view ns, std::string_view local) override {
    if (!kDrawing.Has(ns)) return;
    if (local == "t") {
      in_text_ = false;
    } else if (local == "p") {
      if (cells_ > 0) {
        out_->Space();
      } else {
        out_->LineBreak();
      }
    } else if (local == "tc") {
      --cells_;
      out_->CellBreak();
    } else if (local == "tr" || local == "tbl") {
      out_->LineBreak();
    }
  }
  void Text(std::string_view text) override {
    if (in_text_) out_->Append(text);
  }

 private:
  bool in_text_ = false;
  int cells_ = 0;
};

std::string PartError(const std::optional<PartResult>& result) {
  if (!result) return "missing";
  return result->error.empty() ? "unreadable" : result->error;
}

// ---- The package --------------------------------------------------------------------------

void ReadCoreProperties(Extraction& x, const std::string& part) {
  PropertyCollector core(2);
  const std::optional<PartResult> result = ParseNamedPart(x.package, part, core);
  if (!result || !result->ok()) return;  // metadata is optional; the content still counts
  Metadata& m = x.metadata;
  for (const Property& p : core.properties()) {
    if (p.ns == kDc && p.local == "title") {
      Metadata::SetOnce(m.title, p.text);
    } else if (p.ns == kDc && p.local == "creator") {
      // Office lists several authors in one field, separated by semicolons.
      std::string_view rest = p.text;
      while (!rest.empty()) {
        const size_t semicolon = rest.find(';');
        m.AddAuthor(rest.substr(0, semicolon));
        rest =
            semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      }
    } else if (p.ns == kDc && p.local == "subject") {
      m.AddSubject(p.text);
    } else if (p.ns == kDc && p.local == "description") {
      Metadata::SetOnce(m.description, p.text);
    } else if (p.ns == kCoreProperties && p.local == "keywords") {
      Metadata::SetOnce(m.keywords, p.text);
    } else if (p.ns == kDc && p.local == "language") {
      Metadata::SetLanguageOnce(m.language, p.text);
    } else if (p.ns == kDcTerms && p.local == "created") {
      Metadata::SetTimeOnce(m.created, p.text);
    } else if (p.ns == kDcTerms && p.local == "modified") {
      Metadata::SetTimeOnce(m.modified, p.text);
    }
  }
}

void ReadExtendedProperties(Extraction& x, const std::string& part) {
  PropertyCollector app(2);
  const std::optional<PartResult> result = ParseNamedPart(x.package, part, app);
  if (!result || !result->ok()) return;
  for (const Property& p : app.properties()) {
    if (!kExtended.Has(p.ns)) continue;
    if (p.local == "Application") {
      Metadata::SetOnce(x.metadata.creator, p.text);
    } else if (p.local == "Pages" && x.kind == Kind::kDocx) {
      Metadata::SetCountOnce(x.metadata.pages, p.text);
    } else if (p.local == "Slides" && x.kind == Kind::kPptx) {
      Metadata::SetCountOnce(x.metadata.slides, p.text);
    }
  }
}

// Parses `parts` (member indices) with one handler each, in one pass; the text of each part goes
// to its own builder, joined in the order of `parts`. A failure of a part in `required` (by
// position) makes the document unreadable.
void ReadContent(Extraction& x, const std::vector<size_t>& parts,
                 std::vector<std::unique_ptr<XmlHandler>>& handlers,
                 std::vector<TextBuilder>& texts, const std::vector<bool>& required) {
  std::vector<XmlHandler*> raw;
  raw.reserve(handlers.size());
  for (auto& h : handlers) raw.push_back(h.get());
  const std::vector<PartResult> results = ParseParts(x.package, parts, raw, XmlDialect::kXml);
  for (size_t k = 0; k < results.size(); ++k) {
    const PartResult& r = results[k];
    x.cut = x.cut || r.cut;
    if (r.encrypted) x.encrypted = true;
    if (!r.error.empty() && k < required.size() && required[k]) {
      throw PackageError(x.package.members()[parts[k]].name + ": " + r.error);
    }
  }
  x.text = JoinTexts(texts, x.max_text);
}

void ReadWord(Extraction& x, const std::string& main_part, size_t main_index) {
  // Body first, then what the body refers to: headers, footers, footnotes, endnotes.
  std::vector<size_t> parts{main_index};
  const std::vector<Relationship> rels = ReadRelationships(x.package, main_part);
  for (const std::string_view type : {"header", "footer", "footnotes", "endnotes"}) {
    for (const Relationship& r : rels) {
      if (r.type != type || r.target.empty() || parts.size() >= kMaxContentParts) continue;
      const std::optional<size_t> index = x.package.Find(r.target);
      if (index && std::find(parts.begin(), parts.end(), *index) == parts.end()) {
        parts.push_back(*index);
      }
    }
  }
  std::vector<TextBuilder> texts(parts.size(), TextBuilder(&x.budget));
  std::vector<std::unique_ptr<XmlHandler>> handlers;
  for (TextBuilder& t : texts) handlers.push_back(std::make_unique<WordHandler>(&t));
  ReadContent(x, parts, handlers, texts, {true});
}

void ReadWorkbook(Extraction& x, const std::string& main_part) {
  WorkbookHandler workbook;
  const std::optional<PartResult> result = ParseNamedPart(x.package, main_part, workbook);
  if (!result || !result->ok()) throw PackageError(main_part + ": " + PartError(result));
  x.metadata.sheets = workbook.sheets.size();

  const std::vector<Relationship> rels = ReadRelationships(x.package, main_part);
  std::unordered_map<std::string, std::string> targets;
  for (const Relationship& r : rels) targets.emplace(r.id, r.target);

  SharedStrings strings;
  if (const std::string table = TargetOf(rels, "sharedStrings"); !table.empty()) {
    SharedStrings::Handler handler(&strings, x.max_text);
    const std::optional<PartResult> read = ParseNamedPart(x.package, table, handler);
    if (read && !read->error.empty()) throw PackageError(table + ": " + read->error);
    if (read) x.cut = x.cut || read->cut;
    x.cut = x.cut || strings.overflowed();
  }

  std::vector<size_t> parts;
  std::vector<TextBuilder> texts;
  texts.reserve(workbook.sheets.size());
  std::vector<std::unique_ptr<XmlHandler>> handlers;
  for (const SheetEntry& sheet : workbook.sheets) {
    const auto target = targets.find(sheet.relationship);
    const std::optional<size_t> index =
        target == targets.end() ? std::nullopt : x.package.Find(target->second);
    if (!index || std::find(parts.begin(), parts.end(), *index) != parts.end()) continue;
    texts.emplace_back(&x.budget);
    texts.back().Append(sheet.name);  // a sheet's name is text a reader sees
    texts.back().LineBreak();
    parts.push_back(*index);
  }
  for (TextBuilder& t : texts) handlers.push_back(std::make_unique<SheetHandler>(&t, &strings));
  ReadContent(x, parts, handlers, texts, std::vector<bool>(parts.size(), true));
}

void ReadPresentation(Extraction& x, const std::string& main_part) {
  PresentationHandler presentation;
  const std::optional<PartResult> result = ParseNamedPart(x.package, main_part, presentation);
  if (!result || !result->ok()) throw PackageError(main_part + ": " + PartError(result));
  // docProps/app.xml states the count when the application wrote it; the slide list is the
  // presentation's own statement otherwise.
  Metadata::SetCountOnce(x.metadata.slides, std::to_string(presentation.slides.size()));

  std::unordered_map<std::string, std::string> targets;
  for (const Relationship& r : ReadRelationships(x.package, main_part)) {
    if (r.type == "slide") targets.emplace(r.id, r.target);
  }
  std::vector<size_t> parts;
  for (const std::string& id : presentation.slides) {
    const auto target = targets.find(id);
    const std::optional<size_t> index =
        target == targets.end() ? std::nullopt : x.package.Find(target->second);
    if (index && std::find(parts.begin(), parts.end(), *index) == parts.end()) {
      parts.push_back(*index);
    }
  }
  std::vector<TextBuilder> texts(parts.size(), TextBuilder(&x.budget));
  std::vector<std::unique_ptr<XmlHandler>> handlers;
  for (TextBuilder& t : texts) handlers.push_back(std::make_unique<SlideHandler>(&t));
  ReadContent(x, parts, handlers, texts, std::vector<bool>(parts.size(), true));
}

}  // namespace

void ExtractOoxml(Extraction& x) {
  const std::vector<Relationship> package_rels = ReadRelationships(x.package, "");
  std::string main_part = TargetOf(package_rels, "officeDocument");
  if (main_part.empty()) main_part = std::string(DefaultMainPart(x.kind));
  // The main part's folder says what the package is, whatever the detected type suggested.
  if (main_part.starts_with("word/")) x.kind = Kind::kDocx;
  if (main_part.starts_with("xl/")) x.kind = Kind::kXlsx;
  if (main_part.starts_with("ppt/")) x.kind = Kind::kPptx;

  const std::optional<size_t> main_index = x.package.Find(main_part);
  if (!main_index) throw PackageError(main_part + " missing");

  // The package thumbnail (relationship type .../metadata/thumbnail): what Office shows of it.
  x.cover = TargetOf(package_rels, "thumbnail");
  std::string core = TargetOf(package_rels, "core-properties");
  std::string app = TargetOf(package_rels, "extended-properties");
  ReadCoreProperties(x, core.empty() ? "docProps/core.xml" : core);
  ReadExtendedProperties(x, app.empty() ? "docProps/app.xml" : app);

  if (x.package.members()[*main_index].encrypted) {
    x.encrypted = true;
    return;
  }
  switch (x.kind) {
    case Kind::kXlsx: ReadWorkbook(x, main_part); break;
    case Kind::kPptx: ReadPresentation(x, main_part); break;
    default: ReadWord(x, main_part, *main_index); break;
  }
}

}  // namespace archivum::bundled::office
