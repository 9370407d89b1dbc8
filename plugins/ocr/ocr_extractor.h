// The ocr plugin's logic: text recognized in images and in the pages of PDF documents that have
// no text layer, with tesseract.
#pragma once

#include "archivum/plugin.hpp"
#include "ocr/ocr_options.h"
#include "ocr/pdf_pages.h"
#include "ocr/tesseract_pool.h"

namespace archivum::bundled::ocr {

// Separates the text of consecutive recognized pages (of a PDF or a multipage TIFF): a form feed
// on a line of its own, as the pdf plugin separates pages.
inline constexpr std::string_view kPageSeparator = "\n\f\n";

// Text goes to the sink in pieces of at most this many bytes, so that no single copy the host
// makes is large.
inline constexpr size_t kMaxTextPiece = size_t{256} << 10;

// Recognizes the text of one file per call.
//
// Cost: recognition is the expensive part of ingesting a file, about 2.5 s of one core for an A4
// page of 450 words at 300 dpi, a tenth of a second for a line (bench/run's OCR section measures
// it), so OCR is off unless the host's configuration enables it.
//
// Memory: one decoded image or rendered page at a time (an A4 page at 300 dpi is 8.7 MB of gray,
// 35 MB as 32-bit color), tesseract's copies of it, and the pool's engines.
//
// Thread safety: Process() may run concurrently on one instance (each call leases its own engine
// from the pool; see tesseract_pool.h and pdf_pages.h); construction and destruction may not
// overlap other calls.
class OcrExtractor {
 public:
  // Makes the first tesseract engine and prepares poppler. Throws sdk::Error(ARCHIVUM_ERROR) if
  // either fails.
  explicit OcrExtractor(Options options);

  // Recognizes the text of file.bytes() (never reading the file by its path) and emits:
  //  - the text, with sink.TextAs("ocr", ...): per image, or per PDF page without a text layer
  //    (see PdfPages::HasTextLayer), in page order, pages separated by kPageSeparator, each
  //    trimmed; at most options.max_text bytes;
  //  - findings: "ocr_pages" (pages or images recognized, when at least one was), "ocr_confidence"
  //    (the mean confidence of the recognized words, an integer 0..100, when there were words),
  //    "ocr_timeout" (pages skipped at the page time limit, when any was), "truncated" = "true"
  //    (max_pages, max_text or the host's output limit stopped the recognition before the end),
  //    "damaged" (a later page of a multipage TIFF that cannot be decoded; the pages before are
  //    kept).
  // Returns ARCHIVUM_OK; ARCHIVUM_UNSUPPORTED, emitting nothing, for a file that is neither a PDF
  // nor an image leptonica reads and not labeled as one, and for a PDF that needs a password;
  // ARCHIVUM_CANCELLED once file.cancelled() (polled between pages, while waiting for an engine
  // and during recognition: see recognizer.h).
  // Throws sdk::Error with ARCHIVUM_ERROR and a message starting "not a readable image: " or "not
  // a readable PDF: " for a damaged file; with ARCHIVUM_RESOURCE_EXHAUSTED for an image over
  // max_megapixels (checked before decoding) or a PDF over INT_MAX bytes; with ARCHIVUM_ERROR if
  // tesseract fails or the host refuses output for another reason than its limit.
  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) const;

  // Engines made so far (for tests).
  int engines() const { return pool_.engines(); }

 private:
  archivum_rc ProcessImage(const sdk::File& file, sdk::Sink& sink) const;
  archivum_rc ProcessPdf(const sdk::File& file, sdk::Sink& sink) const;

  const Options options_;
  mutable TesseractPool pool_;
  const PdfPages pdf_;
};

}  // namespace archivum::bundled::ocr
