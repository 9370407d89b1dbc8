// Thumbnails for the previews the bundled plugins emit (Sink::Preview, ABI 1.4), made with
// libvips: from encoded image bytes (JPEG, PNG, TIFF, WebP, GIF, HEIF) or from raw 8-bit pixels
// (a rendered PDF page).
//
// Output contract (every successful result): a lossy WebP (RIFF/WEBP, quality 75, alpha kept
// when the source has one, no metadata) of at most kThumbnailMaxSide pixels on its long side,
// never larger than the source (small images keep their size), with the source's aspect ratio
// (each side rounded, at least 1 pixel), upright (the source's EXIF orientation, or the one the
// caller gives, applied), at most kThumbnailMaxBytes. That fits the ABI's bounds for a preview
// (256 px, 512 KiB).
//
// Safety: libvips runs only its trusted loaders (JPEG, PNG, TIFF, WebP, GIF, HEIF: every loader
// libvips marks untrusted, and every other loader, is blocked), so hostile bytes never reach
// ImageMagick, poppler, OpenSlide or the like through vips. The dimensions a source declares
// are read from its header before anything is decoded, and a source over
// ThumbnailLimits::max_pixels is refused: a PNG that claims 100000 x 100000 costs a header read,
// not gigabytes. Large sources are shrunk while they load (JPEG DCT scaling, WebP scaling,
// HEIF's embedded thumbnail when big enough), others are streamed row by row.
//
// libvips is set up once per process on first use (thread-safe): one worker thread per
// operation (the host parallelizes across files), no operation cache (every file is new, and a
// cache would keep decoded images alive), the loader blocks above. That setup is process-wide;
// this library is the only user of libvips in a plugin's process.
//
// Damage: a source whose pixel data ends early (truncated) fails rather than showing a partial
// image padded with grey; lesser damage libvips decodes past, as viewers do.
//
// Thread safety: the functions may run concurrently from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace archivum::bundled {

inline constexpr int kThumbnailMaxSide = 256;
inline constexpr size_t kThumbnailMaxBytes = size_t{512} << 10;
inline constexpr std::string_view kThumbnailMime = "image/webp";

struct ThumbnailLimits {
  // Sources declaring more pixels (width * height of the first page or frame) are refused
  // before decoding.
  uint64_t max_pixels = 100'000'000;
  // 0: the orientation the source states (EXIF), as viewers show it. 1..8: this EXIF
  // orientation instead of the source's own, e.g. a camera RAW's for its embedded preview,
  // which states none.
  int orientation = 0;
};

struct Thumbnail {
  std::string webp;  // the encoded thumbnail; empty if there is none
  int width = 0;
  int height = 0;
  // The source's dimensions as its header declares them (first page or frame, before any
  // rotation); 0 when the header could not be read.
  uint64_t source_width = 0;
  uint64_t source_height = 0;
  // Why there is no thumbnail, one line for a log ("declares 100000 x 100000 pixels, more
  // than ...", "not a supported image: ..."); empty on success. libvips's own words when it
  // failed: its error buffer is process-wide, so under concurrent failures it may also quote
  // another file's.
  std::string error;
  // The source was refused for ThumbnailLimits (not damaged, just too large).
  bool refused = false;
  // The source's bytes could not be decoded: not an image a trusted loader reads, or its data is
  // damaged or cut short. (Neither this nor `refused`: libvips itself failed.)
  bool undecodable = false;

  bool ok() const { return !webp.empty(); }
};

// A thumbnail of the encoded image in `bytes` (read in place, not copied; only during the call).
// The first page or frame of a multi-page or animated image. Never throws.
Thumbnail ThumbnailFromEncoded(std::string_view bytes, const ThumbnailLimits& limits = {});

// A thumbnail of `width` x `height` pixels of 8 bits per channel, `bands` channels per pixel
// (3: RGB, 4: RGBA, not premultiplied), in rows of exactly width * bands bytes, top to bottom,
// in sRGB. `pixels` must hold width * height * bands bytes (anything else is an error). The
// limits apply too (orientation included). Never throws.
Thumbnail ThumbnailFromPixels(std::string_view pixels, int width, int height, int bands,
                              const ThumbnailLimits& limits = {});

}  // namespace archivum::bundled
