// The ocr plugin's configuration (the "config" subtree of plugins.settings.ocr, as JSON).
//
// Thread safety: an Options value is immutable once parsed and is shared read-only by every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::bundled::ocr {

// Where Debian's tesseract-ocr-* packages put the trained data (tesseract 5).
inline constexpr std::string_view kDebianTessdata = "/usr/share/tesseract-ocr/5/tessdata";

struct Options {
  // The tessdata directory: config "tessdata", else $TESSDATA_PREFIX, else kDebianTessdata.
  std::string tessdata;
  // The languages to recognize, in tesseract's names ("eng", "deu", "chi_sim", "script/Latin"),
  // each with a <tessdata>/<name>.traineddata; tesseract tries them in this order.
  std::vector<std::string> languages = {"eng"};
  // Resolution at which PDF pages without a text layer are rendered for recognition.
  int dpi = 300;
  // Recognition time per page or image; a page over it is skipped (finding ocr_timeout).
  int64_t page_timeout_ms = 60'000;
  // Pages recognized per file at most (PDF pages without text, TIFF pages); the rest is skipped
  // and the file gets truncated=true.
  int max_pages = 200;
  // tesseract's page segmentation mode (its --psm): 3 = automatic, 4 = one column, 6 = one
  // block, 11 = sparse text, ... (3 to 13; 0 to 2 produce no text).
  int page_segmentation = 3;
  // Bytes of recognized text emitted per file at most.
  uint64_t max_text = uint64_t{4} << 20;
  // An image or rendered page larger than this many pixels is not decoded (an image) or is
  // rendered at a lower resolution (a PDF page), so that a small file cannot make us allocate
  // gigabytes.
  uint64_t max_pixels = 100'000'000;
  // Initialized tesseract instances kept at most (one per concurrent call); more calls wait.
  int instances = 1;
};

// `languages` joined with '+', as tesseract takes them ("eng+deu").
std::string JoinLanguages(const std::vector<std::string>& languages);

// Parses the plugin's JSON configuration:
//   {"languages": ["eng"] (or "eng+deu"),  "tessdata": "<dir>",
//    "dpi": 300 (72..600),                  "page_timeout": 60 (seconds, > 0, <= 3600),
//    "max_pages": 200 (1..10000),           "page_segmentation": 3 (3..13),
//    "max_text": "4M" (size, 1K..1G),       "max_megapixels": 100 (1..1000),
//    "instances": <CPU count> (1..64)}
// and checks that the tessdata directory holds each language's trained data. Throws
// sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the key for a malformed value or an unknown key,
// and naming the language and the directory for a language without its traineddata file.
// `tessdata_prefix` is $TESSDATA_PREFIX (nullptr if unset).
Options ParseOptions(std::string_view config_json, const char* tessdata_prefix);

}  // namespace archivum::bundled::ocr
