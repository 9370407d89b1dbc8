// Reading an image's metadata with exiv2 (and libheif for the dimensions of HEIF images), from
// memory, never by path: the part of the `image` plugin that knows the formats.
//
// Formats: the exiv2 image types JPEG, PNG, TIFF (and the TIFF-based camera RAWs: NEF, ARW, DNG,
// PEF, SRW), WebP, GIF, ISO BMFF (HEIC/HEIF/AVIF, Canon CR3), CR2, ORF, RW2 and RAF. Every other
// type exiv2 knows (video containers, PSD, EPS, ...) is refused before exiv2 parses it, so that
// hostile bytes labeled as an image only ever reach the parsers of these formats.
//
// Thread safety: ReadImage may run concurrently once InitImageLibraries() has returned (exiv2
// 0.27 keeps everything about an image in its Image object; its XMP toolkit is process-wide and
// is initialized there with a lock; libheif contexts are per call).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::bundled::image {

// Longest text value kept (title, description, the joined keywords; make, model and lens are
// one-liners of at most kMaxShortValue): a longer one is cut at a character boundary.
inline constexpr size_t kMaxValueBytes = 4096;
inline constexpr size_t kMaxShortValue = 256;
// Keywords kept, at most (after duplicates are dropped).
inline constexpr size_t kMaxKeywords = 256;

// Sets up exiv2 and libheif for concurrent use, once per process: exiv2's XMP toolkit with a
// lock, exiv2's ISO BMFF support (HEIF, CR3) switched on, exiv2's log muted (its messages go to
// stderr and cannot be told apart by file; failures reach the caller as exceptions), libheif's
// plugins loaded. Process-wide settings: exiv2 and libheif have no others. Thread-safe.
void InitImageLibraries();

// What the bytes are, by their content (exiv2's detection).
enum class Container {
  kJpeg,
  kPng,
  kTiff,  // also NEF, ARW, DNG, PEF, SRW: TIFF files
  kWebp,
  kGif,
  kBmff,  // ISO base media: HEIC, HEIF, AVIF, CR3
  kCr2,
  kOrf,
  kRw2,
  kRaf,
};

// "JPEG", "PNG", ... for messages.
std::string_view ContainerName(Container c);

// The bytes are not an image this reader accepts: not one exiv2 knows, or a type it knows that
// is refused (see above). The message says which.
class NotAnImage : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An image whose type was recognized but whose metadata exiv2 cannot read (truncated, corrupt).
// what() is exiv2's reason, one line.
class UnreadableMetadata : public std::runtime_error {
 public:
  UnreadableMetadata(Container container, const std::string& reason)
      : std::runtime_error(reason), container_(container) {}
  Container container() const { return container_; }

 private:
  Container container_;
};

struct ImageInfo {
  Container container = Container::kJpeg;
  // exiv2's MIME type of the content ("image/jpeg", "image/heic", "image/x-canon-cr3", ...).
  std::string mime;
  // A camera RAW (the thumbnail then comes from an embedded preview; see `preview`).
  bool raw = false;
  // Pixels of the image itself (not of an embedded thumbnail); 0 when unknown.
  uint64_t width = 0;
  uint64_t height = 0;
  // EXIF Orientation 1..8, 0 when absent or invalid.
  int orientation = 0;
  // The metadata findings in the vocabulary's order (plugin-api/README.md): camera_make,
  // camera_model, lens, taken, gps_lat, gps_lon, orientation, title, description, keywords, each
  // only when the file states it; well-formed UTF-8, one line, bounded. width and height are not
  // in here (see above).
  std::vector<std::pair<std::string, std::string>> findings;
  // RAW only: the largest preview the file embeds (often a full-size JPEG), as its bytes; empty
  // if it has none.
  std::string preview;
  // Things worth a debug log line (an ignored malformed value, a missing preview).
  std::vector<std::string> notes;
};

// Reads the image in `bytes` (not copied; only during the call). `mime` is the detected type
// (a RAW type marks a TIFF-based file as RAW, which its content does not say). Throws NotAnImage,
// UnreadableMetadata, or std::bad_alloc.
ImageInfo ReadImage(std::string_view bytes, std::string_view mime);

// Whether `mime` (parameters and case ignored) is one of the camera RAW types the plugin accepts.
bool IsRawMime(std::string_view mime);

// The dimensions of the primary image of a HEIF file (HEIC, AVIF) as libheif reads them (after
// the file's rotations), or std::nullopt if libheif cannot read it.
std::optional<std::pair<uint64_t, uint64_t>> HeifDimensions(std::string_view bytes);

}  // namespace archivum::bundled::image
