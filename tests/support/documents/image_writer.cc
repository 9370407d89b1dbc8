#include "support/documents/image_writer.h"

#include <vips/vips.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exiv2/exiv2.hpp>
#include <memory>
#include <mutex>
#include <string_view>

namespace archivum::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  char* vips = vips_error_buffer_copy();
  std::fprintf(stderr, "image_writer: %s %s\n", what.c_str(), vips == nullptr ? "" : vips);
  g_free(vips);
  std::abort();
}

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    setenv("VIPS_WARNING", "0", 0);  // as the plugins' thumbnail helper does
    if (VIPS_INIT("archivum-tests") != 0) Die("libvips cannot start");
    // The XMP toolkit is process-wide and initialized once, by whoever comes first: with a lock,
    // so that the image plugin under test (which asks for one too) can read XMP concurrently.
    static std::mutex* xmp = new std::mutex();
    Exiv2::XmpParser::initialize(
        [](void* mu, bool lock) {
          if (lock) {
            static_cast<std::mutex*>(mu)->lock();
          } else {
            static_cast<std::mutex*>(mu)->unlock();
          }
        },
        xmp);
  });
}

struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

// The pixels of `content`, 8-bit RGB or RGBA.
std::string Pixels(ImageContent content, int width, int height, int bands) {
  std::string out(static_cast<size_t>(width) * height * bands, '\0');
  uint32_t noise = 12345;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      unsigned char rgb[3] = {0, 0, 0};
      switch (content) {
        case ImageContent::kGradient:
          rgb[0] = static_cast<unsigned char>(255 * x / std::max(1, width - 1));
          rgb[1] = static_cast<unsigned char>(255 * y / std::max(1, height - 1));
          rgb[2] = 96;
          break;
        case ImageContent::kLeftRedRightBlue:
          if (x < width / 2) {
            rgb[0] = 255;
          } else {
            rgb[2] = 255;
          }
          break;
        case ImageContent::kGreen: rgb[1] = 255; break;
        case ImageContent::kNoise:
          for (unsigned char& c : rgb) {
            noise = noise * 1664525u + 1013904223u;
            c = static_cast<unsigned char>(noise >> 24);
          }
          break;
      }
      char* p = &out[(static_cast<size_t>(y) * width + x) * bands];
      for (int b = 0; b < 3; ++b) p[b] = static_cast<char>(rgb[b]);
      if (bands == 4) p[3] = static_cast<char>(255);
    }
  }
  return out;
}

std::string Encode(ImageFormat format, ImageContent content, int width, int height, bool alpha,
                   const std::string* exif_blob = nullptr) {
  InitOnce();
  const int bands = alpha ? 4 : 3;
  const std::string pixels = Pixels(content, width, height, bands);
  ImagePtr image(vips_image_new_from_memory(pixels.data(), pixels.size(), width, height, bands,
                                            VIPS_FORMAT_UCHAR));
  if (image == nullptr) Die("cannot wrap pixels");
  if (exif_blob != nullptr) {
    vips_image_set_blob_copy(image.get(), VIPS_META_EXIF_NAME, exif_blob->data(),
                             exif_blob->size());
  }
  void* buffer = nullptr;
  size_t length = 0;
  int rc = -1;
  switch (format) {
    case ImageFormat::kJpeg:
      rc = vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 90, "strip", TRUE, nullptr);
      break;
    case ImageFormat::kPng:
      rc = vips_pngsave_buffer(image.get(), &buffer, &length, "strip", TRUE, nullptr);
      break;
    case ImageFormat::kTiff:
      rc = vips_tiffsave_buffer(image.get(), &buffer, &length, "strip", TRUE, nullptr);
      break;
    case ImageFormat::kWebp:
      rc = vips_webpsave_buffer(image.get(), &buffer, &length, "Q", 90, "strip", TRUE, nullptr);
      break;
    case ImageFormat::kGif:
      rc = vips_gifsave_buffer(image.get(), &buffer, &length, "strip", TRUE, nullptr);
      break;
    case ImageFormat::kHeic:
      rc = vips_heifsave_buffer(image.get(), &buffer, &length, "Q", 50, "compression",
                                VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, "strip",
                                exif_blob == nullptr ? TRUE : FALSE, nullptr);
      break;
  }
  if (rc != 0) Die("cannot encode");
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

void SetExif(Exiv2::ExifData& exif, const ExifSpec& spec) {
  const auto set = [&exif](const char* key, const std::string& value) {
    if (!value.empty()) exif[key] = value;
  };
  set("Exif.Image.Make", spec.make);
  set("Exif.Image.Model", spec.model);
  set("Exif.Photo.LensModel", spec.lens);
  set("Exif.Photo.DateTimeOriginal", spec.date_time_original);
  set("Exif.Photo.OffsetTimeOriginal", spec.offset_time_original);
  set("Exif.Photo.DateTimeDigitized", spec.date_time_digitized);
  set("Exif.Image.DateTime", spec.date_time);
  const auto rationals = [&exif](const char* key, const std::string& value) {
    if (value.empty()) return;
    Exiv2::URationalValue v;
    if (v.read(value) != 0) Die(std::string("bad rationals for ") + key + ": " + value);
    exif[key] = v;
  };
  rationals("Exif.GPSInfo.GPSLatitude", spec.gps_latitude);
  set("Exif.GPSInfo.GPSLatitudeRef", spec.gps_latitude_ref);
  rationals("Exif.GPSInfo.GPSLongitude", spec.gps_longitude);
  set("Exif.GPSInfo.GPSLongitudeRef", spec.gps_longitude_ref);
  if (spec.orientation != 0) {
    exif["Exif.Image.Orientation"] = static_cast<uint16_t>(spec.orientation);
  }
}

void SetXmp(Exiv2::XmpData& xmp, const CaptionSpec& spec) {
  if (!spec.title.empty()) xmp["Xmp.dc.title"] = "lang=\"x-default\" " + spec.title;
  if (!spec.description.empty()) {
    xmp["Xmp.dc.description"] = "lang=\"x-default\" " + spec.description;
  }
  if (!spec.keywords.empty()) {
    Exiv2::XmpArrayValue bag(Exiv2::xmpBag);
    for (const std::string& k : spec.keywords) bag.read(k);
    xmp.add(Exiv2::XmpKey("Xmp.dc.subject"), &bag);
  }
}

void SetIptc(Exiv2::IptcData& iptc, const CaptionSpec& spec) {
  // ESC % G: the datasets are UTF-8.
  iptc["Iptc.Envelope.CharacterSet"] = "\x1b%G";
  if (!spec.title.empty()) iptc["Iptc.Application2.ObjectName"] = spec.title;
  if (!spec.description.empty()) iptc["Iptc.Application2.Caption"] = spec.description;
  for (const std::string& k : spec.keywords) {
    Exiv2::StringValue value(k);
    iptc.add(Exiv2::IptcKey("Iptc.Application2.Keywords"), &value);
  }
}

// `encoded` with the metadata of `spec` written by exiv2 (in memory).
std::string WriteMetadata(const std::string& encoded, const ImageSpec& spec,
                          const std::string& thumbnail) {
  try {
    // exiv2 0.27 hands the image over as a std::auto_ptr (deprecated); it is never named here.
    const std::unique_ptr<Exiv2::Image> image(
        Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(encoded.data()),
                                  static_cast<long>(encoded.size()))
            .release());
    image->readMetadata();
    SetExif(image->exifData(), spec.exif);
    if (!thumbnail.empty()) {
      Exiv2::ExifThumb(image->exifData())
          .setJpegThumbnail(reinterpret_cast<const Exiv2::byte*>(thumbnail.data()),
                            static_cast<long>(thumbnail.size()));
    }
    SetXmp(image->xmpData(), spec.xmp);
    if (!spec.iptc.empty()) SetIptc(image->iptcData(), spec.iptc);
    image->writeMetadata();
    Exiv2::BasicIo& io = image->io();
    io.seek(0, Exiv2::BasicIo::beg);
    const Exiv2::DataBuf buf = io.read(static_cast<long>(io.size()));
    return std::string(reinterpret_cast<const char*>(buf.pData_), static_cast<size_t>(buf.size_));
  } catch (const Exiv2::AnyError& e) {
    Die(std::string("exiv2: ") + e.what());
  }
}

void AppendBigEndian(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void AppendChunk(std::string& out, std::string_view type, std::string_view data) {
  AppendBigEndian(out, static_cast<uint32_t>(data.size()));
  const std::string body = std::string(type) + std::string(data);
  out += body;
  AppendBigEndian(out, static_cast<uint32_t>(
                           crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size())));
}

}  // namespace

bool ExifSpec::empty() const {
  return make.empty() && model.empty() && lens.empty() && date_time_original.empty() &&
         offset_time_original.empty() && date_time_digitized.empty() && date_time.empty() &&
         gps_latitude.empty() && gps_latitude_ref.empty() && gps_longitude.empty() &&
         gps_longitude_ref.empty() && orientation == 0;
}

std::string MakeImage(const ImageSpec& spec) {
  InitOnce();
  std::string thumbnail;
  if (spec.embedded_preview_width > 0) {
    thumbnail = Encode(ImageFormat::kJpeg, spec.embedded_preview_content,
                       spec.embedded_preview_width, spec.embedded_preview_height, false);
  }
  if (spec.format == ImageFormat::kHeic) {
    std::string exif_blob;
    if (!spec.exif.empty()) {
      Exiv2::ExifData exif;
      SetExif(exif, spec.exif);
      Exiv2::Blob blob;
      Exiv2::ExifParser::encode(blob, Exiv2::littleEndian, exif);
      exif_blob = "Exif" + std::string(2, '\0') + std::string(blob.begin(), blob.end());
    }
    return Encode(spec.format, spec.content, spec.width, spec.height, spec.alpha,
                  exif_blob.empty() ? nullptr : &exif_blob);
  }
  std::string encoded = Encode(spec.format, spec.content, spec.width, spec.height, spec.alpha);
  if (spec.format == ImageFormat::kGif ||
      (spec.exif.empty() && spec.xmp.empty() && spec.iptc.empty() && thumbnail.empty())) {
    return encoded;
  }
  return WriteMetadata(encoded, spec, thumbnail);
}

std::string MakeTiffRaw(const ImageSpec& spec) {
  InitOnce();
  ImageSpec tiff = spec;
  tiff.format = ImageFormat::kTiff;
  std::string thumbnail;
  if (spec.embedded_preview_width > 0) {
    thumbnail = Encode(ImageFormat::kJpeg, spec.embedded_preview_content,
                       spec.embedded_preview_width, spec.embedded_preview_height, false);
  }
  return WriteMetadata(Encode(ImageFormat::kTiff, spec.content, spec.width, spec.height, false),
                       tiff, thumbnail);
}

std::string MakePngDeclaring(uint32_t width, uint32_t height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  AppendBigEndian(ihdr, width);
  AppendBigEndian(ihdr, height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter, progressive
  AppendChunk(png, "IHDR", ihdr);
  // The first scanline's filter byte and a few pixels, deflated: far too little for the header.
  const std::string raw(16, '\0');
  uLongf length = compressBound(raw.size());
  std::string idat(length, '\0');
  if (compress(reinterpret_cast<Bytef*>(idat.data()), &length,
               reinterpret_cast<const Bytef*>(raw.data()), raw.size()) != Z_OK) {
    Die("zlib");
  }
  idat.resize(length);
  AppendChunk(png, "IDAT", idat);
  AppendChunk(png, "IEND", "");
  return png;
}

}  // namespace archivum::testing
