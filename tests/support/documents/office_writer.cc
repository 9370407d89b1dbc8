#include "support/documents/office_writer.h"

#include <functional>
#include <unordered_map>

#include "support/documents/zip_package_writer.h"

namespace archivum::testing {
namespace {

// ---- XML helpers --------------------------------------------------------------------------

std::string Esc(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

constexpr char kXmlDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

bool IsNumber(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

// Splits `text` at tabs and line breaks: calls `text_run` for each piece of text and `tab` or
// `line_break` between them.
void Segments(std::string_view text, const std::function<void(std::string_view)>& text_run,
              const std::function<void()>& tab, const std::function<void()>& line_break) {
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\t' && text[i] != '\n') continue;
    if (i > start) text_run(text.substr(start, i - start));
    if (i < text.size()) (text[i] == '\t' ? tab : line_break)();
    start = i + 1;
  }
}

// ---- OOXML --------------------------------------------------------------------------------

constexpr char kRelsNs[] = "http://schemas.openxmlformats.org/package/2006/relationships";
constexpr char kRelType[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
constexpr char kWordNs[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr char kRNs[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

struct Rel {
  std::string id;
  std::string type;  // full URI
  std::string target;
};

std::string Relationships(const std::vector<Rel>& rels) {
  std::string x = std::string(kXmlDecl) + "<Relationships xmlns=\"" + kRelsNs + "\">";
  for (const Rel& r : rels) {
    x += "<Relationship Id=\"" + r.id + "\" Type=\"" + r.type + "\" Target=\"" + Esc(r.target) +
         "\"/>";
  }
  return x + "</Relationships>";
}

std::string ContentTypes(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::string x = std::string(kXmlDecl) +
                  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                  "<Default Extension=\"rels\" "
                  "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>";
  for (const auto& [part, type] : overrides) {
    x += "<Override PartName=\"/" + part + "\" ContentType=\"" + type + "\"/>";
  }
  x += "<Override PartName=\"/docProps/core.xml\" "
       "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
       "<Override PartName=\"/docProps/app.xml\" "
       "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>";
  return x + "</Types>";
}

std::string PackageRels(const std::string& main_part) {
  return Relationships(
      {{"rId3", std::string(kRelType) + "extended-properties", "docProps/app.xml"},
       {"rId2",
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        "docProps/core.xml"},
       {"rId1", std::string(kRelType) + "officeDocument", main_part}});
}

std::string CoreXml(const OfficeMetadata& m) {
  std::string x =
      std::string(kXmlDecl) +
      "<cp:coreProperties "
      "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
      "xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">";
  const auto element = [&x](const std::string& name, const std::string& value,
                            std::string_view attributes = "") {
    if (!value.empty())
      x += "<" + name + std::string(attributes) + ">" + Esc(value) + "</" + name + ">";
  };
  element("dc:title", m.title);
  element("dc:subject", m.subject);
  element("dc:creator", Join(m.authors, "; "));
  element("cp:keywords", Join(m.keywords, ", "));
  element("dc:description", m.description);
  if (!m.authors.empty()) element("cp:lastModifiedBy", m.authors.back());
  element("cp:revision", "2");
  element("dc:language", m.language);
  element("dcterms:created", m.created, " xsi:type=\"dcterms:W3CDTF\"");
  element("dcterms:modified", m.modified, " xsi:type=\"dcterms:W3CDTF\"");
  return x + "</cp:coreProperties>";
}

std::string AppXml(const OfficeMetadata& m, std::string_view counts) {
  std::string x =
      std::string(kXmlDecl) +
      "<Properties "
      "xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" "
      "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
      "<TotalTime>1</TotalTime>";
  x += counts;
  if (!m.application.empty()) x += "<Application>" + Esc(m.application) + "</Application>";
  return x + "<DocSecurity>0</DocSecurity><AppVersion>16.0000</AppVersion></Properties>";
}

std::string WordRun(std::string_view text) {
  std::string x = "<w:r><w:rPr><w:lang w:val=\"en-US\"/></w:rPr>";
  Segments(
      text, [&x](std::string_view t) { x += "<w:t xml:space=\"preserve\">" + Esc(t) + "</w:t>"; },
      [&x] { x += "<w:tab/>"; }, [&x] { x += "<w:br/>"; });
  return x + "</w:r>";
}

// A paragraph with a tab stop definition (a w:tab that is not text) and its text in two runs.
std::string WordParagraph(std::string_view text) {
  std::string x = "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>";
  const size_t half = text.find(' ', text.size() / 2);
  if (half == std::string_view::npos) {
    x += WordRun(text);
  } else {
    x += WordRun(text.substr(0, half)) + WordRun(text.substr(half));
  }
  return x + "</w:p>";
}

std::string WordPart(std::string_view root, std::string_view body) {
  return std::string(kXmlDecl) + "<w:" + std::string(root) + " xmlns:w=\"" + kWordNs +
         "\" xmlns:r=\"" + kRNs +
         "\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
         "xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\" "
         "xmlns:v=\"urn:schemas-microsoft-com:vml\" mc:Ignorable=\"wps\">" +
         std::string(body) + "</w:" + std::string(root) + ">";
}

std::string TextBox(std::string_view text) {
  const std::string content = "<w:txbxContent>" + WordParagraph(text) + "</w:txbxContent>";
  return "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:wsp>"
         "<wps:txbx>" +
         content +
         "</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>"
         "<v:textbox>" +
         content +
         "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>";
}

// ---- ODF ----------------------------------------------------------------------------------

constexpr char kOdfNamespaces[] =
    " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
    " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
    " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
    " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
    " xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\""
    " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""
    " xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\""
    " xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\""
    " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\""
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
    " xmlns:xlink=\"http://www.w3.org/1999/xlink\" office:version=\"1.3\"";

// Paragraph content as LibreOffice writes it: a run of n spaces is one space and
// <text:s text:c="n-1"/>, tabs and line breaks are elements, the second word sits in a span.
std::string OdfInline(std::string_view text) {
  std::string x;
  Segments(
      text,
      [&x](std::string_view t) {
        size_t i = 0;
        int word = 0;
        while (i < t.size()) {
          if (t[i] == ' ') {
            size_t n = 0;
            while (i + n < t.size() && t[i + n] == ' ') ++n;
            x += " ";
            if (n > 1) x += "<text:s text:c=\"" + std::to_string(n - 1) + "\"/>";
            i += n;
            continue;
          }
          size_t n = 0;
          while (i + n < t.size() && t[i + n] != ' ') ++n;
          const std::string w = Esc(t.substr(i, n));
          x += ++word == 2 ? "<text:span text:style-name=\"T1\">" + w + "</text:span>" : w;
          i += n;
        }
      },
      [&x] { x += "<text:tab/>"; }, [&x] { x += "<text:line-break/>"; });
  return x;
}

std::string OdfParagraph(std::string_view text) {
  return "<text:p text:style-name=\"P1\">" + OdfInline(text) + "</text:p>";
}

std::string OdfContent(std::string_view body) {
  return std::string(kXmlDecl) + "<office:document-content" + kOdfNamespaces +
         "><office:automatic-styles/><office:body>" + std::string(body) +
         "</office:body></office:document-content>";
}

std::string OdfMeta(const OfficeMetadata& m, std::string_view statistic) {
  std::string x =
      std::string(kXmlDecl) + "<office:document-meta" + kOdfNamespaces + "><office:meta>";
  const auto element = [&x](const std::string& name, const std::string& value) {
    if (!value.empty()) x += "<" + name + ">" + Esc(value) + "</" + name + ">";
  };
  element("meta:generator", m.application);
  element("dc:title", m.title);
  element("dc:description", m.description);
  element("dc:subject", m.subject);
  for (const std::string& k : m.keywords) element("meta:keyword", k);
  if (!m.authors.empty()) element("meta:initial-creator", m.authors.front());
  if (!m.authors.empty()) element("dc:creator", m.authors.back());
  element("meta:creation-date", m.created);
  element("dc:date", m.modified);
  element("dc:language", m.language);
  element("meta:editing-cycles", "3");
  x += statistic;
  return x + "</office:meta></office:document-meta>";
}

std::string OdfManifest(std::string_view media_type) {
  std::string x = std::string(kXmlDecl) +
                  "<manifest:manifest "
                  "xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" "
                  "manifest:version=\"1.3\">"
                  "<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.3\" "
                  "manifest:media-type=\"" +
                  std::string(media_type) + "\"/>";
  for (const char* part : {"content.xml", "styles.xml", "meta.xml"}) {
    x += "<manifest:file-entry manifest:full-path=\"" + std::string(part) +
         "\" manifest:media-type=\"text/xml\"/>";
  }
  return x + "</manifest:manifest>";
}

std::vector<PackageMember> OdfPackage(std::string_view media_type, std::string content,
                                      std::string meta) {
  const std::string styles = std::string(kXmlDecl) + "<office:document-styles" + kOdfNamespaces +
                             "><office:styles/></office:document-styles>";
  return {{"mimetype", std::string(media_type), true},
          {"styles.xml", styles},
          {"content.xml", std::move(content)},
          {"meta.xml", std::move(meta)},
          {"META-INF/manifest.xml", OdfManifest(media_type)}};
}

}  // namespace

std::vector<PackageMember> DocxMembers(const std::vector<std::string>& paragraphs,
                                       const OfficeMetadata& meta, const DocxExtras& extras) {
  std::string body;
  for (const std::string& p : paragraphs) body += WordParagraph(p);
  if (!extras.text_box.empty()) body += TextBox(extras.text_box);
  if (!extras.table.empty()) {
    body += "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>";
    for (const auto& row : extras.table) {
      body += "<w:tr>";
      for (const std::string& cell : row) body += "<w:tc>" + WordParagraph(cell) + "</w:tc>";
      body += "</w:tr>";
    }
    body += "</w:tbl>";
  }
  std::vector<std::pair<std::string, std::string>> types{
      {"word/document.xml",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"}};
  std::vector<Rel> rels{{"rId1", std::string(kRelType) + "styles", "styles.xml"}};
  std::vector<PackageMember> parts;
  std::string section = "<w:sectPr>";
  const auto add = [&](const std::string& text, const char* file, const char* type,
                       const char* root, const std::string& content) {
    if (text.empty()) return;
    const std::string id = "rId" + std::to_string(rels.size() + 1);
    rels.push_back({id, std::string(kRelType) + type, file});
    types.emplace_back(std::string("word/") + file,
                       std::string("application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.") +
                           type + "+xml");
    parts.push_back({std::string("word/") + file, WordPart(root, content)});
    if (std::string_view(type) == "header" || std::string_view(type) == "footer") {
      section += "<w:" + std::string(type) + "Reference w:type=\"default\" r:id=\"" + id + "\"/>";
    }
  };
  add(extras.footnote, "footnotes.xml", "footnotes", "footnotes",
      "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p>"
      "</w:footnote><w:footnote w:id=\"1\">" +
          WordParagraph(extras.footnote) + "</w:footnote>");
  add(extras.header, "header1.xml", "header", "hdr", WordParagraph(extras.header));
  add(extras.footer, "footer1.xml", "footer", "ftr", WordParagraph(extras.footer));
  section += "<w:pgSz w:w=\"12240\" w:h=\"15840\"/></w:sectPr>";

  std::vector<PackageMember> members{
      {"[Content_Types].xml", ContentTypes(types)},
      {"_rels/.rels", PackageRels("word/document.xml")},
      {"word/document.xml", WordPart("document", "<w:body>" + body + section + "</w:body>")},
      {"word/_rels/document.xml.rels", Relationships(rels)}};
  members.insert(members.end(), parts.begin(), parts.end());
  members.push_back({"word/styles.xml", WordPart("styles", "")});
  members.push_back({"docProps/core.xml", CoreXml(meta)});
  const std::string pages =
      meta.pages > 0 ? "<Pages>" + std::to_string(meta.pages) + "</Pages>" : "";
  members.push_back({"docProps/app.xml", AppXml(meta, pages + "<Template>Normal.dotm</Template>")});
  return members;
}

std::string MakeDocx(const std::vector<std::string>& paragraphs, const OfficeMetadata& meta,
                     const DocxExtras& extras) {
  return WritePackage(DocxMembers(paragraphs, meta, extras));
}

std::vector<PackageMember> XlsxMembers(const std::vector<SheetSpec>& sheets,
                                       const OfficeMetadata& meta, bool inline_strings) {
  constexpr char kNs[] = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  // Each distinct string once, in order of first use; the index keeps large sheets (the bench's
  // document corpus writes tens of thousands of rows) linear.
  std::vector<std::string> strings;
  std::unordered_map<std::string, size_t> string_indices;
  const auto string_index = [&strings, &string_indices](const std::string& s) {
    const auto [it, added] = string_indices.try_emplace(s, strings.size());
    if (added) strings.push_back(s);
    return it->second;
  };
  const size_t n = sheets.size();
  std::vector<std::pair<std::string, std::string>> types{
      {"xl/workbook.xml",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"},
      {"xl/sharedStrings.xml",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"}};
  std::string workbook = std::string(kXmlDecl) + "<workbook xmlns=\"" + kNs + "\" xmlns:r=\"" +
                         kRNs + "\"><bookViews><workbookView/></bookViews><sheets>";
  std::vector<Rel> rels;
  std::vector<PackageMember> sheet_parts(n);
  for (size_t k = 0; k < n; ++k) {
    // Reading order k is stored as sheet(n-k).xml: the workbook, not the archive, gives the order.
    const std::string file = "worksheets/sheet" + std::to_string(n - k) + ".xml";
    const std::string id = "rId" + std::to_string(k + 1);
    workbook += "<sheet name=\"" + Esc(sheets[k].name) + "\" sheetId=\"" + std::to_string(k + 1) +
                "\" r:id=\"" + id + "\"/>";
    rels.push_back({id, std::string(kRelType) + "worksheet", file});
    types.emplace_back("xl/" + file,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
    std::string data;
    for (size_t r = 0; r < sheets[k].rows.size(); ++r) {
      data += "<row r=\"" + std::to_string(r + 1) + "\">";
      for (size_t c = 0; c < sheets[k].rows[r].size(); ++c) {
        const std::string& v = sheets[k].rows[r][c];
        if (v.empty()) continue;
        const std::string ref =
            std::string(1, static_cast<char>('A' + c % 26)) + std::to_string(r + 1);
        if (IsNumber(v)) {
          data += "<c r=\"" + ref + "\"><v>" + v + "</v></c>";
        } else if (v == "TRUE" || v == "FALSE") {
          data += "<c r=\"" + ref + "\" t=\"b\"><v>" + (v == "TRUE" ? "1" : "0") + "</v></c>";
        } else if (inline_strings) {
          data += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + Esc(v) + "</t></is></c>";
        } else {
          data += "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(string_index(v)) + "</v></c>";
        }
      }
      data += "</row>";
    }
    sheet_parts[n - 1 - k] = {"xl/" + file, std::string(kXmlDecl) + "<worksheet xmlns=\"" + kNs +
                                                "\" xmlns:r=\"" + kRNs +
                                                "\"><sheetViews><sheetView workbookViewId=\"0\"/>"
                                                "</sheetViews><sheetData>" +
                                                data + "</sheetData></worksheet>"};
  }
  workbook += "</sheets><calcPr calcId=\"191029\"/></workbook>";
  rels.push_back({"rId" + std::to_string(n + 1), std::string(kRelType) + "sharedStrings",
                  "sharedStrings.xml"});

  // Shared strings as Excel writes rich text: a string with a space in two runs; the first one
  // carries a phonetic reading (rPh), which is not its text.
  std::string sst = std::string(kXmlDecl) + "<sst xmlns=\"" + kNs + "\" count=\"" +
                    std::to_string(strings.size()) + "\" uniqueCount=\"" +
                    std::to_string(strings.size()) + "\">";
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    const size_t space = s.find(' ');
    sst += "<si>";
    if (space == std::string::npos) {
      sst += "<t>" + Esc(s) + "</t>";
    } else {
      sst += "<r><rPr><b/></rPr><t>" + Esc(s.substr(0, space)) +
             "</t></r><r><t xml:space=\"preserve\">" + Esc(s.substr(space)) + "</t></r>";
    }
    if (i == 0) sst += "<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh>";
    sst += "</si>";
  }
  sst += "</sst>";

  std::vector<PackageMember> members{{"[Content_Types].xml", ContentTypes(types)},
                                     {"_rels/.rels", PackageRels("xl/workbook.xml")},
                                     {"xl/workbook.xml", workbook},
                                     {"xl/_rels/workbook.xml.rels", Relationships(rels)}};
  members.insert(members.end(), sheet_parts.begin(), sheet_parts.end());
  members.push_back({"xl/sharedStrings.xml", sst});
  members.push_back({"docProps/core.xml", CoreXml(meta)});
  members.push_back({"docProps/app.xml", AppXml(meta, "")});
  return members;
}

std::string MakeXlsx(const std::vector<SheetSpec>& sheets, const OfficeMetadata& meta,
                     bool inline_strings) {
  return WritePackage(XlsxMembers(sheets, meta, inline_strings));
}

std::vector<PackageMember> PptxMembers(const std::vector<std::vector<std::string>>& slides,
                                       const OfficeMetadata& meta) {
  constexpr char kNs[] =
      " xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
      " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
      " xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
  const size_t n = slides.size();
  std::vector<std::pair<std::string, std::string>> types{
      {"ppt/presentation.xml",
       "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"}};
  std::string presentation = std::string(kXmlDecl) + "<p:presentation" + kNs + "><p:sldIdLst>";
  std::vector<Rel> rels;
  std::vector<PackageMember> slide_parts(n);
  for (size_t k = 0; k < n; ++k) {
    const std::string file = "slides/slide" + std::to_string(n - k) + ".xml";
    const std::string id = "rId" + std::to_string(k + 2);
    presentation += "<p:sldId id=\"" + std::to_string(256 + k) + "\" r:id=\"" + id + "\"/>";
    rels.push_back({id, std::string(kRelType) + "slide", file});
    types.emplace_back("ppt/" + file,
                       "application/vnd.openxmlformats-officedocument.presentationml.slide+xml");
    std::string shapes;
    for (size_t i = 0; i < slides[k].size(); ++i) {
      std::string paragraph = "<a:p>";
      Segments(
          slides[k][i],
          [&paragraph](std::string_view t) {
            paragraph += "<a:r><a:rPr lang=\"en-US\" dirty=\"0\"/><a:t>" + Esc(t) + "</a:t></a:r>";
          },
          [&paragraph] { paragraph += "<a:r><a:t>\t</a:t></a:r>"; },
          [&paragraph] { paragraph += "<a:br><a:rPr lang=\"en-US\"/></a:br>"; });
      paragraph += "</a:p>";
      shapes += "<p:sp><p:nvSpPr><p:cNvPr id=\"" + std::to_string(i + 2) + "\" name=\"" +
                (i == 0 ? "Title 1" : "Content " + std::to_string(i + 1)) +
                "\"/><p:cNvSpPr/><p:nvPr><p:ph" + (i == 0 ? " type=\"title\"" : "") +
                "/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>" + paragraph +
                "</p:txBody></p:sp>";
    }
    slide_parts[n - 1 - k] = {
        "ppt/" + file,
        std::string(kXmlDecl) + "<p:sld" + kNs +
            "><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/>"
            "<p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>" +
            shapes +
            "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"};
  }
  presentation +=
      "</p:sldIdLst><p:sldSz cx=\"12192000\" cy=\"6858000\"/>"
      "<p:notesSz cx=\"6858000\" cy=\"9144000\"/></p:presentation>";

  std::vector<PackageMember> members{{"[Content_Types].xml", ContentTypes(types)},
                                     {"_rels/.rels", PackageRels("ppt/presentation.xml")},
                                     {"ppt/presentation.xml", presentation},
                                     {"ppt/_rels/presentation.xml.rels", Relationships(rels)}};
  members.insert(members.end(), slide_parts.begin(), slide_parts.end());
  members.push_back({"docProps/core.xml", CoreXml(meta)});
  members.push_back({"docProps/app.xml",
                     AppXml(meta,
                            "<Words>10</Words><PresentationFormat>Widescreen</PresentationFormat>"
                            "<Paragraphs>2</Paragraphs><Slides>" +
                                std::to_string(n) + "</Slides><Notes>0</Notes>")});
  return members;
}

std::string MakePptx(const std::vector<std::vector<std::string>>& slides,
                     const OfficeMetadata& meta) {
  return WritePackage(PptxMembers(slides, meta));
}

std::vector<PackageMember> OdtMembers(const std::vector<std::string>& paragraphs,
                                      const OfficeMetadata& meta) {
  std::string body = "<office:text><text:sequence-decls/>";
  for (const std::string& p : paragraphs) body += OdfParagraph(p);
  body += "</office:text>";
  std::string statistic;
  if (meta.pages > 0) {
    statistic = "<meta:document-statistic meta:table-count=\"0\" meta:page-count=\"" +
                std::to_string(meta.pages) + "\" meta:paragraph-count=\"" +
                std::to_string(paragraphs.size()) + "\"/>";
  }
  return OdfPackage("application/vnd.oasis.opendocument.text", OdfContent(body),
                    OdfMeta(meta, statistic));
}

std::string MakeOdt(const std::vector<std::string>& paragraphs, const OfficeMetadata& meta) {
  return WritePackage(OdtMembers(paragraphs, meta));
}

std::vector<PackageMember> OdsMembers(const std::vector<SheetSpec>& sheets,
                                      const OfficeMetadata& meta) {
  std::string body = "<office:spreadsheet>";
  size_t cells = 0;
  for (const SheetSpec& sheet : sheets) {
    body += "<table:table table:name=\"" + Esc(sheet.name) +
            "\" table:style-name=\"ta1\"><table:table-column table:number-columns-repeated=\"3\"/>";
    for (const auto& row : sheet.rows) {
      body += "<table:table-row>";
      for (const std::string& v : row) {
        if (v.empty()) {
          body += "<table:table-cell/>";
        } else if (IsNumber(v)) {
          body += "<table:table-cell office:value-type=\"float\" office:value=\"" + v +
                  "\" calcext:value-type=\"float\"><text:p>" + v + "</text:p></table:table-cell>";
          ++cells;
        } else {
          body += "<table:table-cell office:value-type=\"string\"><text:p>" + OdfInline(v) +
                  "</text:p></table:table-cell>";
          ++cells;
        }
      }
      body += "</table:table-row>";
    }
    // LibreOffice pads a sheet to its full size with repeated empty rows and cells.
    body +=
        "<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell "
        "table:number-columns-repeated=\"16384\"/></table:table-row></table:table>";
  }
  body += "</office:spreadsheet>";
  const std::string statistic = "<meta:document-statistic meta:table-count=\"" +
                                std::to_string(sheets.size()) + "\" meta:cell-count=\"" +
                                std::to_string(cells) + "\" meta:object-count=\"0\"/>";
  std::string content = OdfContent(body);
  // calcext is LibreOffice's extension namespace.
  content.insert(content.find(" office:version"),
                 " xmlns:calcext=\"urn:org:documentfoundation:names:experimental:calc:"
                 "xmlns:calcext:1.0\"");
  return OdfPackage("application/vnd.oasis.opendocument.spreadsheet", content,
                    OdfMeta(meta, statistic));
}

std::string MakeOds(const std::vector<SheetSpec>& sheets, const OfficeMetadata& meta) {
  return WritePackage(OdsMembers(sheets, meta));
}

std::vector<PackageMember> OdpMembers(const std::vector<std::vector<std::string>>& slides,
                                      const OfficeMetadata& meta) {
  std::string body = "<office:presentation>";
  for (size_t k = 0; k < slides.size(); ++k) {
    body += "<draw:page draw:name=\"page" + std::to_string(k + 1) +
            "\" draw:master-page-name=\"Default\">";
    for (size_t i = 0; i < slides[k].size(); ++i) {
      body += std::string("<draw:frame presentation:class=\"") + (i == 0 ? "title" : "outline") +
              "\" svg:width=\"25cm\" svg:height=\"3cm\" svg:x=\"1cm\" svg:y=\"" +
              std::to_string(1 + 4 * i) + "cm\"><draw:text-box>" + OdfParagraph(slides[k][i]) +
              "</draw:text-box></draw:frame>";
    }
    body += "<presentation:notes><draw:page-thumbnail draw:page-number=\"" + std::to_string(k + 1) +
            "\"/><draw:frame presentation:class=\"notes\"><draw:text-box><text:p>Notes " +
            std::to_string(k + 1) + "</text:p></draw:text-box></draw:frame></presentation:notes>";
    body += "</draw:page>";
  }
  body += "</office:presentation>";
  return OdfPackage("application/vnd.oasis.opendocument.presentation", OdfContent(body),
                    OdfMeta(meta, ""));
}

std::string MakeOdp(const std::vector<std::vector<std::string>>& slides,
                    const OfficeMetadata& meta) {
  return WritePackage(OdpMembers(slides, meta));
}

std::string EpubChapterName(size_t index, size_t count) {
  // Reading order k is stored as ch(count-k): the spine, not the archive, gives the order.
  return "OEBPS/Text/ch" + std::to_string(count - index) + ".xhtml";
}

std::vector<PackageMember> EpubMembers(const std::vector<ChapterSpec>& chapters,
                                       const OfficeMetadata& meta) {
  const size_t n = chapters.size();
  const std::string container =
      std::string(kXmlDecl) +
      "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
      "<rootfiles><rootfile full-path=\"OEBPS/content.opf\" "
      "media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

  std::string metadata =
      "<dc:identifier id=\"uid\">urn:uuid:0b4d1c55-6a8e-4d67-9e2c-1b7f3e0a9c11"
      "</dc:identifier>";
  const auto element = [&metadata](const std::string& name, const std::string& value) {
    if (!value.empty()) metadata += "<" + name + ">" + Esc(value) + "</" + name + ">";
  };
  element("dc:title", meta.title);
  for (const std::string& a : meta.authors) element("dc:creator", a);
  element("dc:language", meta.language.empty() ? "en" : meta.language);
  element("dc:subject", meta.subject);
  element("dc:description", meta.description);
  element("dc:date", meta.created);
  if (!meta.modified.empty()) {
    metadata += "<meta property=\"dcterms:modified\">" + Esc(meta.modified) + "</meta>";
  }
  if (!meta.application.empty()) {
    metadata += "<meta name=\"generator\" content=\"" + Esc(meta.application) + "\"/>";
  }

  std::string manifest =
      "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
      "properties=\"nav\"/><item id=\"css\" href=\"Styles/book.css\" media-type=\"text/css\"/>";
  std::string spine;
  std::string nav_items;
  std::vector<PackageMember> chapter_parts(n);
  const std::string head = "<head><title>" + Esc(meta.title) +
                           "</title><link rel=\"stylesheet\" href=\"../Styles/book.css\"/>"
                           "<style>p { margin: 0 }</style></head>";
  for (size_t k = 0; k < n; ++k) {
    const std::string name = EpubChapterName(k, n);
    const std::string href = name.substr(std::string("OEBPS/").size());
    const std::string id = "chapter" + std::to_string(k + 1);
    manifest +=
        "<item id=\"" + id + "\" href=\"" + href + "\" media-type=\"application/xhtml+xml\"/>";
    spine += "<itemref idref=\"" + id + "\"/>";
    nav_items += "<li><a href=\"" + href + "\">" + Esc(chapters[k].title) + "</a></li>";
    std::string body = "<section epub:type=\"chapter\"><h1>" + Esc(chapters[k].title) + "</h1>";
    for (const std::string& p : chapters[k].paragraphs) {
      std::string paragraph;
      Segments(
          p, [&paragraph](std::string_view t) { paragraph += Esc(t); },
          [&paragraph] { paragraph += "\t"; }, [&paragraph] { paragraph += "<br/>"; });
      body += "<p>" + paragraph + "</p>";
    }
    body += "</section>";
    chapter_parts[n - 1 - k] = {
        name, std::string(kXmlDecl) +
                  "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                  "xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"en\" xml:lang=\"en\">" +
                  head + "<body>" + body + "</body></html>"};
  }
  const std::string opf = std::string(kXmlDecl) +
                          "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                          "unique-identifier=\"uid\"><metadata "
                          "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">" +
                          metadata + "</metadata><manifest>" + manifest + "</manifest><spine>" +
                          spine + "</spine></package>";
  const std::string nav =
      std::string(kXmlDecl) +
      "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
      "xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>Contents</title></head><body>"
      "<nav epub:type=\"toc\"><ol>" +
      nav_items + "</ol></nav></body></html>";

  std::vector<PackageMember> members{{"mimetype", "application/epub+zip", true},
                                     {"META-INF/container.xml", container},
                                     {"OEBPS/content.opf", opf},
                                     {"OEBPS/nav.xhtml", nav}};
  members.insert(members.end(), chapter_parts.begin(), chapter_parts.end());
  members.push_back({"OEBPS/Styles/book.css", "p { text-indent: 1em; }\n"});
  return members;
}

std::string MakeEpub(const std::vector<ChapterSpec>& chapters, const OfficeMetadata& meta) {
  return WritePackage(EpubMembers(chapters, meta));
}

std::string MakeDocxWithHugeParagraph(uint64_t text_bytes) {
  std::vector<PackageMember> members = DocxMembers({"placeholder"});
  PackageWriter zip;
  for (const PackageMember& m : members) {
    if (m.name != "word/document.xml") {
      zip.Add(m.name, m.stored, [&m](const auto& sink) { sink(m.bytes); });
      continue;
    }
    zip.Add(m.name, false, [&](const auto& sink) {
      sink(std::string(kXmlDecl) + "<w:document xmlns:w=\"" + kWordNs +
           "\"><w:body><w:p><w:r><w:t>");
      std::string block;
      while (block.size() < (size_t{1} << 20)) block += "lorem ipsum dolor sit amet ";
      for (uint64_t left = text_bytes; left > 0;) {
        const size_t n = left < block.size() ? static_cast<size_t>(left) : block.size();
        sink(std::string_view(block).substr(0, n));
        left -= n;
      }
      sink("</w:t></w:r></w:p></w:body></w:document>");
    });
  }
  return zip.Finish();
}

}  // namespace archivum::testing
