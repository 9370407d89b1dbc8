// Images of printed text for the OCR tests and the OCR bench: text set in a real font by libvips
// (vips_text: Pango and fontconfig, with Debian's fonts-dejavu-core), black on white, at a given
// resolution, as a scanner of a clean printed page would deliver it. Also the encodings the ocr
// plugin reads (PNG, JPEG, TIFF, WebP, PNM, GIF). Test support only.
//
// libvips is initialized on first use, once per process (it is never shut down: it keeps
// process-wide caches and threads, which is fine in a test program).
//
// Thread safety: the functions are reentrant (libvips is thread-safe).
#pragma once

#include <string>
#include <vector>

namespace archivum::testing {

struct TextImageSpec {
  // The text, UTF-8; '\n' starts a new line. Written as plain text (not Pango markup).
  std::string text;
  // A Pango font description: family and size in points, e.g. "DejaVu Sans 14".
  std::string font = "DejaVu Sans 14";
  // Pixels per inch: the font's size in pixels follows from it, and the image records it.
  int dpi = 300;
  // Lines longer than this many pixels wrap at word boundaries; 0 keeps each line whole.
  int wrap_width = 0;
  // White space around the text on every side, in pixels.
  int margin = 60;
  // If both are > 0, the image has exactly this size (e.g. A4 at 300 dpi: 2480 x 3508), with the
  // text at its top left (after the margin) and cut where it does not fit.
  int page_width = 0;
  int page_height = 0;
};

// An 8-bit gray image: `width * height` bytes, row by row from the top, no padding; 0 is black,
// 255 white.
struct GrayImage {
  int width = 0;
  int height = 0;
  int dpi = 0;
  std::string pixels;
};

// The text of `spec`, rendered. Aborts the test program if libvips cannot render it (no font, an
// empty text): a broken fixture is a bug in the test.
GrayImage RenderTextImage(const TextImageSpec& spec);

enum class TextImageFormat {
  kPng,   // lossless, records the resolution
  kJpeg,  // quality 90
  kTiff,  // uncompressed, records the resolution
  kWebp,  // lossless
  kPnm,   // binary graymap (P5); has no resolution
  kGif,   // 256 grays
};

// `image` encoded as `format` (libvips' savers). Aborts the test program on failure.
std::string EncodeImage(const GrayImage& image, TextImageFormat format);

// `pages` as one multipage TIFF (uncompressed, a page each, in order), as a scanner's document
// feeder writes them. The pages must all have the same size. Aborts the test program on failure.
std::string EncodeMultipageTiff(const std::vector<GrayImage>& pages);

// `image` as a PNG with an alpha channel and no white: black everywhere, with the opacity of the
// ink (a screenshot of text on a transparent background). Aborts the test program on failure.
std::string EncodeTransparentPng(const GrayImage& image);

}  // namespace archivum::testing
