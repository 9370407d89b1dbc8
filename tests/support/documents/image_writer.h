// Images built in memory for tests: JPEG, PNG, TIFF, WebP, GIF and HEIC of a given size with
// visible content (libvips encodes them), and EXIF, XMP and IPTC metadata written into the
// encoded bytes with exiv2, as cameras and photo tools store it. Test support only; the plugins
// never write images.
//
// Thread safety: the functions are reentrant (libvips is initialized once, thread-safely).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace archivum::testing {

enum class ImageFormat { kJpeg, kPng, kTiff, kWebp, kGif, kHeic };

// What the pixels show, so that a test can tell a thumbnail's orientation and source.
enum class ImageContent {
  // A smooth gradient (red across, green down): compresses like a photo.
  kGradient,
  // The left half red, the right half blue: which side ends up where after a rotation.
  kLeftRedRightBlue,
  // Solid green.
  kGreen,
  // Deterministic noise, which compresses badly: a large file for its size.
  kNoise,
};

// EXIF values, each written only when set, in the form EXIF stores them (exiv2's string syntax).
struct ExifSpec {
  std::string make;                  // Exif.Image.Make
  std::string model;                 // Exif.Image.Model
  std::string lens;                  // Exif.Photo.LensModel
  std::string date_time_original;    // Exif.Photo.DateTimeOriginal, "YYYY:MM:DD HH:MM:SS"
  std::string offset_time_original;  // Exif.Photo.OffsetTimeOriginal, "+02:00"
  std::string date_time_digitized;   // Exif.Photo.DateTimeDigitized
  std::string date_time;             // Exif.Image.DateTime (the file's change time)
  // Degrees, minutes and seconds as three unsigned rationals: "48/1 51/1 301/10".
  std::string gps_latitude;
  std::string gps_latitude_ref;  // "N" or "S"
  std::string gps_longitude;
  std::string gps_longitude_ref;  // "E" or "W"
  int orientation = 0;            // Exif.Image.Orientation, 1..8; 0: not written
  bool empty() const;
};

// XMP (dc:title, dc:description as x-default language alternatives, dc:subject as a bag) or
// IPTC IIM (ObjectName, Caption-Abstract, one Keywords dataset each, in UTF-8 with the coded
// character set ESC % G).
struct CaptionSpec {
  std::string title;
  std::string description;
  std::vector<std::string> keywords;
  bool empty() const { return title.empty() && description.empty() && keywords.empty(); }
};

struct ImageSpec {
  ImageFormat format = ImageFormat::kJpeg;
  int width = 64;
  int height = 48;
  ImageContent content = ImageContent::kGradient;
  bool alpha = false;  // an opaque alpha channel (PNG, TIFF, WebP)
  // Metadata: JPEG, PNG, TIFF and WebP take all three (exiv2 writes them); GIF none; HEIC only
  // EXIF (libheif stores it when libvips encodes).
  ExifSpec exif = {};
  CaptionSpec xmp = {};
  CaptionSpec iptc = {};
  // JPEG only: a JPEG of this size with this content embedded as the EXIF thumbnail (IFD1),
  // which is where exiv2's PreviewManager finds a camera's preview.
  int embedded_preview_width = 0;
  int embedded_preview_height = 0;
  ImageContent embedded_preview_content = ImageContent::kGreen;
};

// The image `spec` describes. Aborts the test program on a failure of the libraries (a broken
// fixture is a bug in the test, or a missing encoder in the installation).
std::string MakeImage(const ImageSpec& spec);

// A TIFF image (`spec.format` is ignored) dressed as a TIFF-based camera RAW: a NEF, ARW, PEF,
// SRW or DNG is a TIFF whose first image is a small preview. Here the main image carries
// `spec.exif` (Make and Model say which camera) and a JPEG preview (embedded_preview_*) as its
// EXIF thumbnail. Enough for exiv2 and libmagic; no raw sensor data.
std::string MakeTiffRaw(const ImageSpec& spec);

// A PNG whose header (IHDR) declares `width` x `height` pixels followed by one tiny IDAT: a
// decompression bomb's header without the bomb.
std::string MakePngDeclaring(uint32_t width, uint32_t height);

}  // namespace archivum::testing
