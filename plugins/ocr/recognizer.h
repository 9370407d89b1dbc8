// Recognition of one page (an image, or a rendered PDF page) with one tesseract engine, under a
// time limit and the file's cancellation.
//
// Time: tesseract's progress monitor (ETEXT_DESC) calls back before each text line it
// recognizes (each word, with the legacy engine), and the callback here stops it when the page's
// deadline has passed or the file was cancelled (its deadline, or the host). Layout analysis
// (finding the lines, before any is recognized) has no such callback: a hostile image can keep
// it busy past the limit, and only the host's deadline (which kills an isolated worker) ends that.
//
// Thread safety: one call per engine at a time (the pool's lease guarantees it); otherwise
// reentrant.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "archivum/plugin.hpp"

struct Pix;
namespace tesseract {
class TessBaseAPI;
}

namespace archivum::bundled::ocr {

using Clock = std::chrono::steady_clock;

struct PageResult {
  enum class Status {
    kRecognized,  // text (possibly empty: a page without words) and confidences are set
    kTimedOut,    // the page's deadline passed during recognition; nothing is kept
    kCancelled,   // the file was cancelled during recognition; nothing is kept
  };
  Status status = Status::kRecognized;
  std::string text;            // valid UTF-8, without leading or trailing white space
  int64_t confidence_sum = 0;  // the sum of the words' confidences (0..100 each)
  int64_t words = 0;           // how many words tesseract recognized
};

// Recognizes `pix` (any depth leptonica reads; not taken over) at `dpi` (its resolution as the
// file states it; 0 lets tesseract estimate it from the text).
PageResult RecognizePix(tesseract::TessBaseAPI& engine, Pix* pix, int dpi,
                        Clock::time_point page_deadline, const sdk::File& file);

// Recognizes an 8-bit gray image: `height` rows of `width` bytes, each row `stride` bytes after
// the previous one, rendered at `dpi`. tesseract copies the rows into a leptonica image of its
// own: the one copy of the page made here. poppler's buffer cannot serve as a leptonica image in
// place (leptonica keeps 8-bit pixels in 32-bit words in the machine's byte order, reversed within
// each word on x86), so handing tesseract a leptonica image would take a copy as well.
PageResult RecognizeGray(tesseract::TessBaseAPI& engine, const unsigned char* pixels, int width,
                         int height, int stride, int dpi, Clock::time_point page_deadline,
                         const sdk::File& file);

}  // namespace archivum::bundled::ocr
