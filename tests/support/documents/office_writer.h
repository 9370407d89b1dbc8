// Office documents built in memory for tests: DOCX, XLSX, PPTX, ODT, ODS, ODP and EPUB from
// paragraphs, cells or chapters and metadata, plus a password-protected OOXML file. Test support
// only; the plugins never write documents.
//
// The packages have the member layout their usual producers write, so that libmagic (file 5.44)
// reports the same MIME types as for real files: OOXML starts with [Content_Types].xml and
// _rels/.rels, then the word/, xl/ or ppt/ parts (Microsoft Office's order); ODF and EPUB start
// with an uncompressed "mimetype" member whose content begins at byte 38 (no extra field), as
// LibreOffice and EPUB tools write it. That layout is the reason these packages are written here
// with zlib rather than with archive_writer.h: libarchive's ZIP writer adds extra fields and data
// descriptors to every member, and libmagic then reports application/zip.
//
// Some parts are deliberately in a different archive order than reading order (XLSX sheets,
// PPTX slides and EPUB chapters are stored last-first), as files whose sheets or slides were
// reordered are, so that readers must follow the workbook, presentation or spine.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::testing {

struct OfficeMetadata {
  std::string title;
  std::vector<std::string> authors;  // OOXML: joined with "; "; ODF: initial creator, creator
  std::string subject;
  std::string description;
  std::vector<std::string> keywords;  // OOXML: joined with ", "; ODF: one meta:keyword each
  std::string language;               // BCP 47
  // As the format stores them: W3CDTF for OOXML and EPUB ("2024-03-01T09:30:00Z", an offset, or a
  // date), xsd:dateTime without zone for ODF ("2024-03-01T09:30:00.5").
  std::string created;
  std::string modified;
  std::string application;  // docProps/app.xml Application, meta:generator, OPF generator
  int pages = 0;            // DOCX app.xml Pages, ODT meta:page-count; 0: not stated
};

// One member of a package. `stored`: written uncompressed (the ODF/EPUB "mimetype").
struct PackageMember {
  std::string name;
  std::string bytes;
  bool stored = false;
};

// A ZIP archive of `members` in order, as office producers write it: no extra fields, sizes in
// the local headers, deflated unless stored.
std::string WritePackage(const std::vector<PackageMember>& members);
// Replaces the bytes of the member named `name` (adds it at the end if there is none).
void SetMember(std::vector<PackageMember>& members, std::string_view name, std::string bytes);

// In the generators below, a paragraph's "\t" becomes the format's tab and "\n" its line break.

struct DocxExtras {
  std::vector<std::vector<std::string>> table;  // rows of cells, after the paragraphs
  std::string header;                           // word/header1.xml
  std::string footer;                           // word/footer1.xml
  std::string footnote;                         // word/footnotes.xml
  // A text box, written as Word does: in mc:AlternateContent, once as DrawingML (mc:Choice) and
  // once as VML (mc:Fallback). Its text must be read once.
  std::string text_box;
};
std::vector<PackageMember> DocxMembers(const std::vector<std::string>& paragraphs,
                                       const OfficeMetadata& meta = {},
                                       const DocxExtras& extras = {});
std::string MakeDocx(const std::vector<std::string>& paragraphs, const OfficeMetadata& meta = {},
                     const DocxExtras& extras = {});

// A worksheet: rows of cells. A cell that is a decimal number is written as a number, "TRUE" and
// "FALSE" as booleans, "" as no cell, anything else as a string (shared, or inline with
// `inline_strings`).
struct SheetSpec {
  std::string name;
  std::vector<std::vector<std::string>> rows;
};
std::vector<PackageMember> XlsxMembers(const std::vector<SheetSpec>& sheets,
                                       const OfficeMetadata& meta = {},
                                       bool inline_strings = false);
std::string MakeXlsx(const std::vector<SheetSpec>& sheets, const OfficeMetadata& meta = {},
                     bool inline_strings = false);

// Slides: the paragraphs of each; the first is the title placeholder, the rest the body.
std::vector<PackageMember> PptxMembers(const std::vector<std::vector<std::string>>& slides,
                                       const OfficeMetadata& meta = {});
std::string MakePptx(const std::vector<std::vector<std::string>>& slides,
                     const OfficeMetadata& meta = {});

// ODF text: paragraphs (runs of spaces written as text:s, as LibreOffice does).
std::vector<PackageMember> OdtMembers(const std::vector<std::string>& paragraphs,
                                      const OfficeMetadata& meta = {});
std::string MakeOdt(const std::vector<std::string>& paragraphs, const OfficeMetadata& meta = {});
// ODF spreadsheet; meta.xml states the table count, as LibreOffice writes it.
std::vector<PackageMember> OdsMembers(const std::vector<SheetSpec>& sheets,
                                      const OfficeMetadata& meta = {});
std::string MakeOds(const std::vector<SheetSpec>& sheets, const OfficeMetadata& meta = {});
// ODF presentation: a frame per paragraph on each page, and speaker notes ("Notes N") that are
// not slide text. meta.xml states no count.
std::vector<PackageMember> OdpMembers(const std::vector<std::vector<std::string>>& slides,
                                      const OfficeMetadata& meta = {});
std::string MakeOdp(const std::vector<std::vector<std::string>>& slides,
                    const OfficeMetadata& meta = {});

// EPUB 3: an OPF in OEBPS/, a navigation document (in the manifest, not in the spine) and one
// XHTML chapter per entry: an <h1> title, then its paragraphs. Each chapter's <title> is the book
// title, which is not chapter text.
struct ChapterSpec {
  std::string title;
  std::vector<std::string> paragraphs;
};
std::vector<PackageMember> EpubMembers(const std::vector<ChapterSpec>& chapters,
                                       const OfficeMetadata& meta = {});
std::string MakeEpub(const std::vector<ChapterSpec>& chapters, const OfficeMetadata& meta = {});
// The name of the i-th chapter's member in EpubMembers (to replace it).
std::string EpubChapterName(size_t index, size_t count);

// A DOCX whose word/document.xml holds one paragraph of `text_bytes` bytes of repeated words,
// deflated while it is generated (about 1/1000 of that size): a zip bomb of a part.
std::string MakeDocxWithHugeParagraph(uint64_t text_bytes);

// A password-protected OOXML document as Office writes it: an OLE compound file (version 3,
// 512-byte sectors) holding the streams "EncryptionInfo" and "EncryptedPackage".
std::string MakeEncryptedOoxml();

}  // namespace archivum::testing
