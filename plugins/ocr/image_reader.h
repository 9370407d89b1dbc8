// Decoding the images the ocr plugin reads with leptonica (Debian's build reads BMP, JPEG, PNG,
// TIFF, PNM, GIF, JPEG 2000 and WebP), from memory and with a bound on their size.
//
// Decompression bombs: a small file can declare an image of billions of pixels. So the size of
// each page is read from the file's header, without decoding, and a page over the bound is never
// decoded. leptonica reads most headers cheaply (pixReadHeaderMem, readHeaderMemTiff), but for
// BMP and GIF it decodes the whole file to answer, so those two headers are read here; for GIF
// every frame counts, since leptonica's reader (giflib's DGifSlurp) decodes them all.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct Pix;

namespace archivum::bundled::ocr {

// Owns a leptonica image.
struct PixDeleter {
  void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// What a page's header says.
struct ImageHeader {
  int format = 0;  // leptonica's IFF_* of the file
  int width = 0;
  int height = 0;
  // Pixels leptonica allocates to decode it: width * height, and for GIF the sum over every
  // frame as well.
  uint64_t decoded_pixels = 0;
};

// Whether leptonica recognizes `bytes` as an image format it can read (by their first bytes).
bool IsReadableImage(std::string_view bytes);

// The header of page `page` (0-based; only TIFF files have more than one), or std::nullopt if
// there is no such page or its header cannot be read (leptonica's reason goes to its message
// handler: see leptonica_messages.h).
std::optional<ImageHeader> ReadImageHeader(std::string_view bytes, int page);

// Decodes page `page`, whose header is `header`: an image of 1, 8 or 32 bits per pixel, an image
// with an alpha channel composed onto white (text on a transparent background would otherwise
// read as black on black). Null if leptonica cannot decode it (its reason as above).
PixPtr DecodeImage(std::string_view bytes, const ImageHeader& header, int page);

}  // namespace archivum::bundled::ocr
