// The `image` plugin: extract stage, the metadata of photos and images (exiv2, libheif) and a
// WebP thumbnail as the file's preview (libvips); image_extractor.h says what it emits and when
// it fails.
//
// Config: {"thumbnails": <bool, default true>: make previews,
//          "max_thumbnail_input": <size, default 256M>: bytes of a thumbnail's source, at most,
//          "max_thumbnail_pixels": <integer, default 100000000>: pixels of a thumbnail's source,
//          at most (checked in its header before anything is decoded)}.
#include "archivum/plugin.hpp"

#include <string_view>

#include "image/image_extractor.h"
#include "image/image_reader.h"

namespace archivum::bundled::image {
namespace {

class ImagePlugin {
 public:
  static constexpr std::string_view kName = "image";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "Reads the metadata of photos and images (EXIF, XMP, IPTC) and makes their thumbnails";
  static constexpr sdk::Stage kStage = sdk::Stage::kExtract;
  // The types libmagic (file 5.44) reports for these formats, and the camera RAW types the
  // filetype plugin names by extension where libmagic says image/tiff or nothing specific.
  static constexpr std::string_view kAccept[] = {
      "image/jpeg",
      "image/png",
      "image/tiff",
      "image/webp",
      "image/gif",
      "image/heic",
      "image/heif",
      "image/heic-sequence",
      "image/heif-sequence",
      "image/x-canon-cr2",
      "image/x-canon-cr3",
      "image/x-nikon-nef",
      "image/x-nikon-nrw",
      "image/x-sony-arw",
      "image/x-adobe-dng",
      "image/x-olympus-orf",
      "image/x-panasonic-rw2",
      "image/x-fuji-raf",
      "image/x-pentax-pef",
      "image/x-samsung-srw",
  };
  // Options are immutable; exiv2, libheif and libvips are set up for concurrent use once per
  // process (image_reader.h, common/thumbnail.h).
  static constexpr bool kThreadSafe = true;

  ImagePlugin(std::string_view config_json, const sdk::Host& /*host*/)
      : options_(ParseOptions(config_json)) {
    InitImageLibraries();
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    return image::Process(file, sink, options_);
  }

 private:
  const Options options_;
};

}  // namespace
}  // namespace archivum::bundled::image

ARCHIVUM_PLUGIN(archivum::bundled::image::ImagePlugin)
