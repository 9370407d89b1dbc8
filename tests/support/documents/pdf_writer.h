// Builds PDF documents in memory for tests: valid PDF 1.4 files (catalog, page tree, one
// Helvetica Type1 font in WinAnsiEncoding, an uncompressed content stream per page, an optional
// Info dictionary, a cross-reference table with exact offsets) that the pdf plugin and the
// daemon-level tests read back; and scanned pages (a page that only shows an image), which the
// ocr plugin reads. Also the committed encrypted fixtures (fixtures/README.md), which
// need a real encryption tool to make and are therefore files, not code. Test support only.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <string>
#include <vector>

namespace archivum::testing {

// How an Info value is written.
enum class PdfStringForm {
  // A literal string "(...)" in PDFDocEncoding: the value may hold only U+0020..U+007E and
  // U+00A1..U+00FF except U+00AD, where PDFDocEncoding agrees with Latin-1.
  kLiteral,
  // A hex string "<FEFF...>": UTF-16BE with a byte order mark, any Unicode text.
  kUtf16Be,
};

// One entry of the Info dictionary, e.g. {"Title", "Report"} or {"CreationDate",
// "D:20240301093000+02'00'"}.
struct PdfInfoEntry {
  std::string key;    // the name without its slash
  std::string value;  // UTF-8
  PdfStringForm form = PdfStringForm::kLiteral;
};

// A page as a scanner makes it: an 8-bit gray image (an image XObject, FlateDecode) covering the
// whole page, and no text at all.
struct PdfScannedPage {
  int width = 0;   // in pixels, > 0
  int height = 0;  // in pixels, > 0
  // width * height bytes, row by row from the top, no padding: 0 is black, 255 white.
  std::string gray = {};
  // The scan's resolution, which sets the page's size: width / dpi inches wide.
  double dpi = 300;
};

struct PdfSpec {
  // The text of each page, one entry per page (an empty string makes an empty page). A '\n'
  // starts a new line, drawn 14 points below the previous one from the top left of a US Letter
  // page; keep lines short enough to fit (about 80 characters). Characters U+0020..U+007E and
  // U+00A0..U+00FF only (WinAnsiEncoding agrees with Latin-1 there).
  std::vector<std::string> pages = {};
  // The Info dictionary, in this order; none is written if empty.
  std::vector<PdfInfoEntry> info = {};
  // Scanned pages, after those of `pages` (a document may hold both kinds, or only one).
  std::vector<PdfScannedPage> scanned_pages = {};
};

// The PDF described by `spec`. Aborts the test program on a character the encodings above cannot
// write, or on a scanned page whose size does not match its pixels (a broken fixture is a bug in
// the test).
std::string MakePdf(const PdfSpec& spec);

// The committed encrypted PDFs (tests/support/documents/fixtures/, made with qpdf from
// MakePdf(EncryptedFixtureSpec()); see the README there).
enum class PdfFixture {
  // AES-256 with user password "secret" (owner password "owner"): unreadable without it.
  kUserPassword,
  // AES-128 with an empty user password (owner password "owner"): readers open it without
  // asking, as poppler does.
  kEmptyUserPassword,
};

// The bytes of `fixture`. Aborts the test program if the file cannot be read.
std::string ReadPdfFixture(PdfFixture fixture);

// What the fixtures hold before encryption: two pages and an Info dictionary with a Title and
// an Author.
PdfSpec EncryptedFixtureSpec();

}  // namespace archivum::testing
