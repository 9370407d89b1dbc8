#include "ocr/recognizer.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>

#include <memory>

#include "common/utf8.h"
#include "ocr/openmp_limit.h"

namespace archivum::bundled::ocr {
namespace {

// What the monitor's callback needs, and what it found.
struct Watch {
  const sdk::File* file;
  Clock::time_point deadline;
  bool cancelled = false;
  bool timed_out = false;
};

// tesseract's CANCEL_FUNC: true stops the recognition. Called on the recognizing thread.
bool ShouldStop(void* context, int /*words*/) {
  auto* watch = static_cast<Watch*>(context);
  if (watch->file->cancelled()) {
    watch->cancelled = true;
  } else if (Clock::now() >= watch->deadline) {
    watch->timed_out = true;
  }
  return watch->cancelled || watch->timed_out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Runs recognition on the image already set on `engine`.
PageResult Recognize(tesseract::TessBaseAPI& engine, Clock::time_point deadline,
                     const sdk::File& file) {
  LimitOpenMpToThisThread();
  PageResult result;
  Watch watch{&file, deadline};
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = &ShouldStop;
  monitor.cancel_this = &watch;
  const int rc = engine.Recognize(&monitor);
  if (watch.cancelled) {
    result.status = PageResult::Status::kCancelled;
    return result;
  }
  if (watch.timed_out) {
    result.status = PageResult::Status::kTimedOut;
    return result;
  }
  if (rc != 0) throw sdk::Error(ARCHIVUM_ERROR, "tesseract failed to recognize the page");

  const std::unique_ptr<char[]> text(engine.GetUTF8Text());
  if (text != nullptr) {
    std::string_view view(text.get());
    while (!view.empty() && IsSpace(view.front())) view.remove_prefix(1);
    while (!view.empty() && IsSpace(view.back())) view.remove_suffix(1);
    result.text = SanitizeUtf8(view);
  }
  const std::unique_ptr<int[]> confidences(engine.AllWordConfidences());
  if (confidences != nullptr) {
    for (const int* c = confidences.get(); *c >= 0; ++c) {
      result.confidence_sum += *c;
      ++result.words;
    }
  }
  return result;
}

}  // namespace

PageResult RecognizePix(tesseract::TessBaseAPI& engine, Pix* pix, int dpi,
                        Clock::time_point page_deadline, const sdk::File& file) {
  engine.SetImage(pix);
  if (dpi > 0) engine.SetSourceResolution(dpi);
  return Recognize(engine, page_deadline, file);
}

PageResult RecognizeGray(tesseract::TessBaseAPI& engine, const unsigned char* pixels, int width,
                         int height, int stride, int dpi, Clock::time_point page_deadline,
                         const sdk::File& file) {
  engine.SetImage(pixels, width, height, /*bytes_per_pixel=*/1, stride);
  engine.SetSourceResolution(dpi);
  return Recognize(engine, page_deadline, file);
}

}  // namespace archivum::bundled::ocr
