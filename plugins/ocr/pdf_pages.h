// The pages of PDF documents that need OCR, rendered for it with poppler-cpp: pages without a text
// layer (a scan), found page by page from poppler's own text extraction.
//
// Thread safety: Render and HasTextLayer may run concurrently, on one instance and on several,
// each call on its own document; construction and destruction may not overlap other calls on the
// same instance. poppler keeps everything about a document in that document's objects, and what
// it shares between documents is locked inside poppler, with one exception that matters here:
// GfxState's constructor sets up process-wide LittleCMS profiles the first time it runs, without a
// lock (the pdf plugin meets the same; see plugins/pdf/pdf_extractor.h). So the constructor
// renders a built-in page first, serialized across instances, before any concurrent call. It also
// keeps that document open, which keeps poppler's GlobalParams alive between files (poppler-cpp
// frees them with the last open document; rebuilding them costs more than a small page).
//
// poppler's diagnostics: poppler-cpp has one process-wide message callback, which the pdf plugin
// sets (its messages explain its failures). This plugin sets none, so as not to take them from
// it: with the pdf plugin in the same process, poppler's complaints during OCR are dropped, and
// without it they go to stderr (which an isolated worker relays to the daemon's log).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace poppler {
class document;
class image;
class page;
}  // namespace poppler

namespace archivum::bundled::ocr {

// A page whose text layer holds fewer characters than this (white space aside) is taken for a
// scan: a page number or a stray mark over an image should not keep its words from being read.
inline constexpr int kMinTextLayerChars = 8;

// Whether a file is a PDF: its MIME type says so (application/pdf or application/x-pdf, any case,
// any parameters), or "%PDF-" starts within its first 1024 bytes, where readers look for it.
bool IsPdf(std::string_view mime, std::string_view bytes);

class PdfPages {
 public:
  // Renders the built-in page (see above). Throws sdk::Error(ARCHIVUM_ERROR) if poppler cannot
  // render it (an installation without poppler's Splash renderer).
  PdfPages();
  ~PdfPages();
  PdfPages(const PdfPages&) = delete;
  PdfPages& operator=(const PdfPages&) = delete;

  // Whether `page` has a text layer of at least kMinTextLayerChars characters.
  static bool HasTextLayer(const poppler::page& page);

  // `page` as an 8-bit gray image at `dpi`, or at the highest resolution below it at which the
  // image has at most `max_pixels` pixels (*used_dpi says which; 0 if the page is too large for
  // even 1 dpi). An invalid image (is_valid() false) if poppler cannot render it.
  static poppler::image Render(const poppler::page& page, int dpi, uint64_t max_pixels,
                               int* used_dpi);

 private:
  std::string keepalive_bytes_;  // the built-in document; poppler reads it in place
  std::unique_ptr<poppler::document> keepalive_;
};

}  // namespace archivum::bundled::ocr
