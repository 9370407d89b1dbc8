// The logic of the `image` plugin: the metadata of photos and other images in the shared
// vocabulary (exiv2, libheif; see image_reader.h) and a WebP thumbnail as the file's preview
// (libvips; see common/thumbnail.h).
//
// What it emits (plugin-api/README.md vocabulary):
//  - findings: width, height (pixels of the image itself, from its header; libheif for HEIF),
//    then as the file states them: camera_make, camera_model, lens, taken, gps_lat, gps_lon,
//    orientation, title, description, keywords (image_reader.h says where each comes from);
//  - a preview (ABI 1.4): a WebP of at most 256 px on the long side, upright. For a camera RAW
//    it is made from the largest preview the file embeds (libvips cannot decode sensor data);
//    for anything else from the file itself. No preview, and a log line saying why, when
//    thumbnails are off, the source is over max_thumbnail_input bytes or max_thumbnail_pixels
//    pixels (a decompression bomb costs a header read), a RAW embeds no preview, or the pixels
//    cannot be decoded; the metadata is emitted all the same.
//  - "damaged" = "image data: cannot be decoded" when the header was read but libvips cannot
//    decode the pixels for the thumbnail (cut short, corrupt); with thumbnails off, or a source
//    over the limits, the pixels are not read and not judged;
//  - for an image whose metadata exiv2 cannot read (a damaged EXIF or XMP block) but whose
//    pixels libvips can: width and height from the pixel data's header, the preview, and
//    "damaged" = "metadata: <exiv2's reason>".
// Errors: ARCHIVUM_ERROR "not a readable <format>: <why>" (the format exiv2 recognized, e.g.
// "JPEG", else the file's label, e.g. "image/png") for bytes labeled as an image that are
// neither readable metadata nor decodable pixels (empty, truncated, garbage, a header without
// dimensions, a format exiv2 knows that the plugin does not read);
// ARCHIVUM_UNSUPPORTED for bytes that are no image and not labeled image/* (which only a routing
// configuration sends here); ARCHIVUM_CANCELLED once the file's deadline has passed (polled
// between the steps; one exiv2 or libvips call is not interrupted, each is bounded by the file's
// size and the limits above).
//
// Thread safety: Process may run concurrently (see image_reader.h and common/thumbnail.h) once
// InitImageLibraries() has run (the plugin's constructor does).
#pragma once

#include <cstdint>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::image {

struct Options {
  bool thumbnails = true;
  // The thumbnail's source (the file, or a RAW's embedded preview) in bytes, at most.
  uint64_t max_thumbnail_input = uint64_t{256} << 20;
  // The thumbnail's source in pixels (width * height as its header declares them), at most.
  uint64_t max_thumbnail_pixels = 100'000'000;
};

// Parses {"thumbnails": <bool, default true>, "max_thumbnail_input": <size, default 256M>,
// "max_thumbnail_pixels": <integer, default 100000000>} (sizes as common/config.h reads them;
// 1 byte to 4 GiB, 1 to 1e10 pixels). Throws sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the
// offending key.
Options ParseOptions(std::string_view config_json);

// Reads file.bytes() and emits to `sink` as described above. Returns ARCHIVUM_OK,
// ARCHIVUM_UNSUPPORTED or ARCHIVUM_CANCELLED; throws sdk::Error(ARCHIVUM_ERROR) for an unreadable
// image or a refusal of the host other than its output limit.
archivum_rc Process(const sdk::File& file, sdk::Sink& sink, const Options& options);

}  // namespace archivum::bundled::image
