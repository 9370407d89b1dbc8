// The `ocr` plugin: extract stage, text recognized in images and in the pages of PDF documents
// that have no text layer (tesseract 5 with leptonica; poppler-cpp renders the PDF pages).
//
// Off by default (kOptIn): recognition costs about 2.5 s of one core per A4 page of text at 300 dpi
// (bench/run's OCR section), so it runs only with `plugins.settings.ocr.enabled: true`.
//
// Config (ocr_options.h): {"languages": ["eng"] (tesseract's names, each with its
// <tessdata>/<name>.traineddata; a missing one fails create() naming it and the directory),
// "tessdata": <dir> (default $TESSDATA_PREFIX, else /usr/share/tesseract-ocr/5/tessdata),
// "dpi": 300 (72..600: PDF pages are rendered at it), "page_timeout": 60 (seconds per page),
// "max_pages": 200 (pages recognized per file), "page_segmentation": 3 (tesseract's --psm, 3..13),
// "max_text": "4M" (bytes of text per file), "max_megapixels": 100 (larger images are refused,
// larger pages rendered at a lower resolution), "instances": <cores> (tesseract engines kept)}.
// "tessdata" is a path key (the host resolves it and lets an isolated worker read it);
// "instances" a tuning key (it changes no result).
//
// Emits (ocr_extractor.h): the recognized text with the kind "ocr" (GetDocument marks it as OCR
// text); findings ocr_pages, ocr_confidence, ocr_timeout, truncated, damaged. No tag: ocr_pages
// already tells a recognized document from another, and is a finding the query language filters
// on.
#include "archivum/plugin.hpp"

#include <cstdlib>
#include <string_view>

#include "ocr/ocr_extractor.h"
#include "ocr/ocr_options.h"
#include "ocr/openmp_limit.h"

namespace archivum::bundled::ocr {
namespace {

class OcrPlugin {
 public:
  static constexpr std::string_view kName = "ocr";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "Recognizes the text of images and of scanned PDF pages (tesseract; off unless enabled)";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  // What Debian's leptonica reads (it links libjpeg, libpng, libtiff, libgif, libwebp and
  // libopenjp2; PNM and BMP are its own), and PDF.
  static constexpr std::string_view kAccept[] = {
      "image/jpeg", "image/png",      "image/tiff",         "image/webp", "image/gif",
      "image/bmp",  "image/x-ms-bmp", "image/x-portable-*", "image/jp2",  "application/pdf",
  };
  // Each call leases its own tesseract engine; poppler is prepared in the constructor (see
  // ocr_extractor.h).
  static constexpr bool kThreadSafe = true;
  static constexpr bool kOptIn = true;
  static constexpr std::string_view kTuningKeys[] = {"instances"};
  static constexpr std::string_view kPathKeys[] = {"tessdata"};

  OcrPlugin(std::string_view config_json, const sdk::Host& host)
      : extractor_(ParseOptions(config_json, std::getenv("TESSDATA_PREFIX"))) {
    host.Log(sdk::LogLevel::kDebug,
             OpenMpLoaded() ? "tesseract uses OpenMP: limited to the calling thread per page"
                            : "tesseract runs without OpenMP");
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    return extractor_.Process(file, sink);
  }

 private:
  const OcrExtractor extractor_;
};

}  // namespace
}  // namespace archivum::bundled::ocr

ARCHIVUM_PLUGIN(archivum::bundled::ocr::OcrPlugin)
