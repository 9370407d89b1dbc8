#include "ocr/ocr_extractor.h"

#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page.h>

#include <climits>
#include <cmath>
#include <optional>

#include "common/utf8.h"
#include "ocr/image_reader.h"
#include "ocr/leptonica_messages.h"
#include "ocr/recognizer.h"

namespace archivum::bundled::ocr {
namespace {

[[noreturn]] void Refused(std::string_view what, archivum_rc rc) {
  throw sdk::Error(ARCHIVUM_ERROR,
                   "the host refused " + std::string(what) + " (code " + std::to_string(rc) + ")");
}

bool LabeledImage(std::string_view mime) {
  return mime.starts_with("image/");
}

// What one file's recognition emits, page by page, and the findings at the end.
class Output {
 public:
  Output(sdk::Sink& sink, uint64_t max_text) : sink_(sink), budget_(max_text) {}

  // Emits a recognized page's text. Returns false once no more text is taken (max_text or the
  // host's limit), after which recognizing more pages would be wasted.
  bool Add(const PageResult& page) {
    ++pages_;
    confidence_sum_ += page.confidence_sum;
    words_ += page.words;
    if (page.text.empty()) return true;
    std::string_view text = page.text;
    bool fits = true;
    if (emitted_any_ && !Emit(kPageSeparator)) return false;
    if (text.size() > budget_) {
      text = text.substr(0, Utf8Boundary(text, budget_));
      fits = false;
    }
    while (!text.empty()) {
      const size_t n = Utf8Boundary(text, kMaxTextPiece);
      if (!Emit(text.substr(0, n))) return false;
      text.remove_prefix(n);
    }
    emitted_any_ = true;
    if (!fits) {
      sink_.Log(sdk::LogLevel::kDebug, "recognized text cut at max_text");
      truncated_ = true;
    }
    return fits;
  }
  void TimedOut() { ++timeouts_; }
  void Truncated() { truncated_ = true; }
  void Damaged(std::string what) { damaged_ = std::move(what); }

  void Finish() {
    if (pages_ > 0) Finding("ocr_pages", std::to_string(pages_));
    if (words_ > 0) {
      const double mean = static_cast<double>(confidence_sum_) / static_cast<double>(words_);
      Finding("ocr_confidence", std::to_string(std::llround(mean)));
    }
    if (timeouts_ > 0) Finding("ocr_timeout", std::to_string(timeouts_));
    if (truncated_) Finding("truncated", "true");
    if (!damaged_.empty()) Finding("damaged", damaged_);
  }

 private:
  // Emits `text` as OCR text. Returns false (and marks the text truncated) once a limit refuses
  // it.
  bool Emit(std::string_view text) {
    if (text.size() > budget_) {
      truncated_ = true;
      return false;
    }
    // A host older than ABI 1.4 has no text kinds (and never loads this plugin; kept for clarity).
    const archivum_rc rc = sink_.TakesPreviews() ? sink_.TextAs("ocr", text) : sink_.Text(text);
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) {
      sink_.Log(sdk::LogLevel::kDebug, "recognized text cut at the host's output limit");
      truncated_ = true;
      return false;
    }
    if (rc != ARCHIVUM_OK) Refused("recognized text", rc);
    budget_ -= text.size();
    return true;
  }
  void Finding(std::string_view key, std::string_view value) {
    const archivum_rc rc = sink_.Finding(key, value);
    if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
      Refused("the finding " + std::string(key), rc);
    }
  }

  sdk::Sink& sink_;
  uint64_t budget_;  // bytes of text still allowed
  bool emitted_any_ = false;
  int pages_ = 0;
  int timeouts_ = 0;
  int64_t confidence_sum_ = 0;
  int64_t words_ = 0;
  bool truncated_ = false;
  std::string damaged_;
};

std::string Seconds(int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

}  // namespace

OcrExtractor::OcrExtractor(Options options)
    : options_(std::move(options)),
      pool_({options_.tessdata, JoinLanguages(options_.languages), options_.page_segmentation,
             options_.instances}) {}

archivum_rc OcrExtractor::Process(const sdk::File& file, sdk::Sink& sink) const {
  const std::string_view bytes = file.bytes();
  if (IsPdf(file.mime(), bytes)) return ProcessPdf(file, sink);
  if (!IsReadableImage(bytes)) {
    if (!LabeledImage(file.mime())) return ARCHIVUM_UNSUPPORTED;
    throw sdk::Error(ARCHIVUM_ERROR,
                     bytes.empty() ? "not a readable image: the file is empty"
                                   : "not a readable image: not a format leptonica reads (BMP, "
                                     "JPEG, PNG, TIFF, PNM, GIF, JPEG 2000, WebP)");
  }
  return ProcessImage(file, sink);
}

archivum_rc OcrExtractor::ProcessImage(const sdk::File& file, sdk::Sink& sink) const {
  const std::string_view bytes = file.bytes();
  LeptonicaMessages messages(sink);
  Output out(sink, options_.max_text);
  std::optional<TesseractPool::Lease> lease;
  for (int page = 0;; ++page) {
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    const std::optional<ImageHeader> header = ReadImageHeader(bytes, page);
    if (!header) {
      if (page == 0) {
        throw sdk::Error(ARCHIVUM_ERROR, "not a readable image: " + (messages.last().empty()
                                                                         ? std::string("bad header")
                                                                         : messages.last()));
      }
      break;  // the last page of a multipage TIFF was the one before
    }
    if (page >= options_.max_pages) {
      sink.Log(sdk::LogLevel::kDebug,
               "pages after " + std::to_string(page) + " not recognized: max_pages");
      out.Truncated();
      break;
    }
    if (header->decoded_pixels > options_.max_pixels) {
      throw sdk::Error(
          ARCHIVUM_RESOURCE_EXHAUSTED,
          "image too large: page " + std::to_string(page + 1) + " is " +
              std::to_string(header->width) + " x " + std::to_string(header->height) + " (" +
              std::to_string(header->decoded_pixels) + " pixels to decode); the limit is " +
              std::to_string(options_.max_pixels / 1'000'000) + " megapixels (max_megapixels)");
    }
    const Clock::time_point deadline =
        Clock::now() + std::chrono::milliseconds(options_.page_timeout_ms);
    const PixPtr pix = DecodeImage(bytes, *header, page);
    if (pix == nullptr) {
      const std::string reason = messages.last().empty() ? "cannot decode" : messages.last();
      if (page == 0) throw sdk::Error(ARCHIVUM_ERROR, "not a readable image: " + reason);
      sink.Log(sdk::LogLevel::kDebug, "page " + std::to_string(page + 1) + ": " + reason);
      out.Damaged("page " + std::to_string(page + 1) + ": " + reason);
      break;
    }
    if (!lease) {
      lease = pool_.Acquire([&] { return file.cancelled(); });
      if (!lease) return ARCHIVUM_CANCELLED;
    }
    const PageResult result = RecognizePix(lease->engine(), pix.get(), 0, deadline, file);
    if (result.status == PageResult::Status::kCancelled) return ARCHIVUM_CANCELLED;
    if (result.status == PageResult::Status::kTimedOut) {
      sink.Log(sdk::LogLevel::kWarn, "page " + std::to_string(page + 1) +
                                         " skipped: recognition took longer than page_timeout (" +
                                         Seconds(options_.page_timeout_ms) + ")");
      out.TimedOut();
      continue;
    }
    if (!out.Add(result)) break;
  }
  out.Finish();
  return ARCHIVUM_OK;
}

archivum_rc OcrExtractor::ProcessPdf(const sdk::File& file, sdk::Sink& sink) const {
  const std::string_view bytes = file.bytes();
  if (bytes.empty()) throw sdk::Error(ARCHIVUM_ERROR, "not a readable PDF: the file is empty");
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    throw sdk::Error(ARCHIVUM_RESOURCE_EXHAUSTED, "PDF too large: " + std::to_string(bytes.size()) +
                                                      " bytes; poppler reads at most " +
                                                      std::to_string(INT_MAX));
  }
  if (file.cancelled()) return ARCHIVUM_CANCELLED;
  const std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (doc == nullptr)
    throw sdk::Error(ARCHIVUM_ERROR, "not a readable PDF: poppler cannot open it");
  if (doc->is_locked()) {
    sink.Log(sdk::LogLevel::kDebug, "the PDF needs a password: nothing to recognize");
    return ARCHIVUM_UNSUPPORTED;
  }
  const int pages = doc->pages();
  if (pages <= 0) throw sdk::Error(ARCHIVUM_ERROR, "not a readable PDF: it has no pages");

  LeptonicaMessages messages(sink);
  Output out(sink, options_.max_text);
  std::optional<TesseractPool::Lease> lease;
  int attempted = 0;
  for (int i = 0; i < pages; ++i) {
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    const std::string name = "page " + std::to_string(i + 1);
    const std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page == nullptr) {
      sink.Log(sdk::LogLevel::kDebug, name + " is missing or damaged; skipped");
      continue;
    }
    if (PdfPages::HasTextLayer(*page)) continue;
    if (attempted == options_.max_pages) {
      sink.Log(sdk::LogLevel::kDebug, "pages from " + name + " on not recognized: max_pages");
      out.Truncated();
      break;
    }
    ++attempted;
    const Clock::time_point deadline =
        Clock::now() + std::chrono::milliseconds(options_.page_timeout_ms);
    int dpi = 0;
    const poppler::image image = PdfPages::Render(*page, options_.dpi, options_.max_pixels, &dpi);
    if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) {
      sink.Log(sdk::LogLevel::kWarn, name + " skipped: poppler cannot render it");
      continue;
    }
    if (dpi < options_.dpi) {
      sink.Log(sdk::LogLevel::kDebug,
               name + " rendered at " + std::to_string(dpi) + " dpi to stay within max_megapixels");
    }
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    if (!lease) {
      lease = pool_.Acquire([&] { return file.cancelled(); });
      if (!lease) return ARCHIVUM_CANCELLED;
    }
    const PageResult result =
        RecognizeGray(lease->engine(), reinterpret_cast<const unsigned char*>(image.const_data()),
                      image.width(), image.height(), image.bytes_per_row(), dpi, deadline, file);
    if (result.status == PageResult::Status::kCancelled) return ARCHIVUM_CANCELLED;
    if (result.status == PageResult::Status::kTimedOut) {
      sink.Log(sdk::LogLevel::kWarn, name +
                                         " skipped: recognition took longer than page_timeout (" +
                                         Seconds(options_.page_timeout_ms) + ")");
      out.TimedOut();
      continue;
    }
    if (!out.Add(result)) break;
  }
  out.Finish();
  return ARCHIVUM_OK;
}

}  // namespace archivum::bundled::ocr
