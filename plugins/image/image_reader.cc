#include "image/image_reader.h"

#include <libheif/heif.h>

#include <algorithm>
#include <cctype>
#include <exiv2/bmffimage.hpp>
#include <exiv2/exiv2.hpp>
#include <exiv2/webpimage.hpp>
#include <memory>
#include <mutex>
#include <set>

#include "common/utf8.h"
#include "image/exif_values.h"

namespace archivum::bundled::image {
namespace {

// What ImageFactory::getType reports, mapped to the containers read here; anything else is
// refused before exiv2 parses it.
std::optional<Container> ContainerOf(int type) {
  switch (type) {
    case Exiv2::ImageType::jpeg: return Container::kJpeg;
    case Exiv2::ImageType::png: return Container::kPng;
    case Exiv2::ImageType::tiff: return Container::kTiff;
    case Exiv2::ImageType::webp: return Container::kWebp;
    case Exiv2::ImageType::gif: return Container::kGif;
    case Exiv2::ImageType::bmff: return Container::kBmff;
    case Exiv2::ImageType::cr2: return Container::kCr2;
    case Exiv2::ImageType::orf: return Container::kOrf;
    case Exiv2::ImageType::rw2: return Container::kRw2;
    case Exiv2::ImageType::raf: return Container::kRaf;
    default: return std::nullopt;
  }
}

constexpr std::string_view kRawMimes[] = {
    "image/x-canon-cr2", "image/x-canon-cr3",  "image/x-nikon-nef",   "image/x-nikon-nrw",
    "image/x-sony-arw",  "image/x-adobe-dng",  "image/x-olympus-orf", "image/x-panasonic-rw2",
    "image/x-fuji-raf",  "image/x-pentax-pef", "image/x-samsung-srw",
};

std::string Essence(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  std::string out;
  for (const char c : mime) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool Utf8Valid(std::string_view s) {
  while (!s.empty()) {
    const Utf8Step step = DecodeUtf8(s);
    if (!step.valid) return false;
    s.remove_prefix(step.length);
  }
  return true;
}

// IPTC IIM text: UTF-8 when the bytes are valid UTF-8 (as IIM declaring the coded character set
// ESC % G is), else Latin-1, the usual charset of IIM written without a declaration.
std::string IptcText(std::string_view bytes) {
  if (Utf8Valid(bytes)) return std::string(bytes);
  std::string out;
  for (const char c : bytes) AppendUtf8(out, static_cast<unsigned char>(c));
  return out;
}

// The text of an XMP value: a language alternative's x-default entry (else its first), or the
// value as text.
std::string XmpText(const Exiv2::Xmpdatum& datum) {
  const Exiv2::Value& value = datum.value();
  if (value.typeId() == Exiv2::langAlt) {
    const auto& alternatives = static_cast<const Exiv2::LangAltValue&>(value).value_;
    const auto def = alternatives.find("x-default");
    if (def != alternatives.end()) return def->second;
    return alternatives.empty() ? std::string() : alternatives.begin()->second;
  }
  return value.count() > 0 ? value.toString(0) : std::string();
}

class Collector {
 public:
  void Add(std::string_view key, std::string value) {
    if (!value.empty()) findings.emplace_back(key, std::move(value));
  }
  std::vector<std::pair<std::string, std::string>> findings;
};

const Exiv2::Exifdatum* FindExif(const Exiv2::ExifData& exif, const char* key) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  return it == exif.end() ? nullptr : &*it;
}

std::string ExifText(const Exiv2::ExifData& exif, const char* key) {
  const Exiv2::Exifdatum* datum = FindExif(exif, key);
  if (datum == nullptr || datum->count() == 0) return {};
  return datum->toString();
}

// The rationals of a GPS coordinate, as stored (unsigned, or signed by some writers).
std::vector<Rational> Rationals(const Exiv2::Exifdatum& datum) {
  std::vector<Rational> out;
  const Exiv2::Value& value = datum.value();
  if (value.typeId() == Exiv2::unsignedRational) {
    for (const auto& [num, den] : static_cast<const Exiv2::URationalValue&>(value).value_) {
      out.emplace_back(num, den);
    }
  } else if (value.typeId() == Exiv2::signedRational) {
    for (const auto& [num, den] : static_cast<const Exiv2::RationalValue&>(value).value_) {
      out.emplace_back(num, den);
    }
  }
  return out;
}

void ReadGps(const Exiv2::ExifData& exif, ImageInfo& info, Collector& out) {
  const Exiv2::Exifdatum* lat = FindExif(exif, "Exif.GPSInfo.GPSLatitude");
  const Exiv2::Exifdatum* lon = FindExif(exif, "Exif.GPSInfo.GPSLongitude");
  if (lat == nullptr || lon == nullptr) return;
  const std::optional<std::string> lat_value =
      GpsDecimal(Rationals(*lat), ExifText(exif, "Exif.GPSInfo.GPSLatitudeRef"), Axis::kLatitude);
  const std::optional<std::string> lon_value =
      GpsDecimal(Rationals(*lon), ExifText(exif, "Exif.GPSInfo.GPSLongitudeRef"), Axis::kLongitude);
  // A position is both coordinates; half of one is not stated clearly.
  if (!lat_value || !lon_value) {
    info.notes.push_back("GPS position not clearly stated; not emitted");
    return;
  }
  out.Add("gps_lat", *lat_value);
  out.Add("gps_lon", *lon_value);
}

void ReadTaken(const Exiv2::ExifData& exif, ImageInfo& info, Collector& out) {
  // DateTimeOriginal is when the picture was taken; DateTimeDigitized when it was stored, which
  // for a camera is the same moment (it differs for scans). DateTime is when the file last
  // changed, which is not when it was taken, and is never used.
  for (const auto& [time, offset] : {
           std::pair{"Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"},
           std::pair{"Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized"},
       }) {
    const std::string value = ExifText(exif, time);
    if (value.empty()) continue;
    if (const std::optional<std::string> taken = ExifDateTime(value, ExifText(exif, offset))) {
      out.Add("taken", *taken);
      return;
    }
    info.notes.push_back(std::string(time) +
                         " is not a valid time: " + OneLine(value, kMaxShortValue));
  }
}

// The lens: EXIF's LensModel, else what XMP states (photo tools that write XMP only). Maker
// notes are not read: they give a lens ID that exiv2 can only map to a guess among lenses.
std::string Lens(const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp) {
  std::string lens = OneLine(ExifText(exif, "Exif.Photo.LensModel"), kMaxShortValue);
  for (const char* key : {"Xmp.exifEX.LensModel", "Xmp.aux.Lens"}) {
    if (!lens.empty()) break;
    if (const auto it = xmp.findKey(Exiv2::XmpKey(key)); it != xmp.end()) {
      lens = OneLine(XmpText(*it), kMaxShortValue);
    }
  }
  return lens;
}

void ReadExif(const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp, ImageInfo& info,
              Collector& out) {
  out.Add("camera_make", OneLine(ExifText(exif, "Exif.Image.Make"), kMaxShortValue));
  out.Add("camera_model", OneLine(ExifText(exif, "Exif.Image.Model"), kMaxShortValue));
  out.Add("lens", Lens(exif, xmp));
  ReadTaken(exif, info, out);
  ReadGps(exif, info, out);
  if (const Exiv2::Exifdatum* o = FindExif(exif, "Exif.Image.Orientation");
      o != nullptr && o->count() > 0) {
    const long v = o->toLong(0);
    if (v >= 1 && v <= 8) {
      info.orientation = static_cast<int>(v);
      out.Add("orientation", std::to_string(v));
    } else {
      info.notes.push_back("Orientation " + std::to_string(v) + " is not 1..8; ignored");
    }
  }
}

void ReadCaptions(const Exiv2::XmpData& xmp, const Exiv2::IptcData& iptc, Collector& out) {
  const auto xmp_text = [&xmp](const char* key) -> std::string {
    const auto it = xmp.findKey(Exiv2::XmpKey(key));
    return it == xmp.end() ? std::string() : OneLine(XmpText(*it), kMaxValueBytes);
  };
  const auto iptc_text = [&iptc](const char* key) -> std::string {
    const auto it = iptc.findKey(Exiv2::IptcKey(key));
    return it == iptc.end() ? std::string() : OneLine(IptcText(it->toString()), kMaxValueBytes);
  };
  // XMP first: it is Unicode by definition and what current tools write; IPTC IIM is the older
  // record the same tools keep in step.
  std::string title = xmp_text("Xmp.dc.title");
  if (title.empty()) title = iptc_text("Iptc.Application2.ObjectName");
  out.Add("title", std::move(title));
  std::string description = xmp_text("Xmp.dc.description");
  if (description.empty()) description = iptc_text("Iptc.Application2.Caption");
  out.Add("description", std::move(description));

  std::vector<std::string> keywords;
  std::set<std::string> seen;
  const auto add = [&](std::string_view raw) {
    std::string k = OneLine(raw, kMaxShortValue);
    if (k.empty() || keywords.size() >= kMaxKeywords || !seen.insert(k).second) return;
    keywords.push_back(std::move(k));
  };
  if (const auto it = xmp.findKey(Exiv2::XmpKey("Xmp.dc.subject")); it != xmp.end()) {
    for (long i = 0; i < it->count(); ++i) add(it->value().toString(i));
  }
  for (const Exiv2::Iptcdatum& d : iptc) {
    if (d.key() == "Iptc.Application2.Keywords") add(IptcText(d.toString()));
  }
  std::string joined;
  for (const std::string& k : keywords) {
    const size_t extra = (joined.empty() ? 0 : 2) + k.size();
    if (joined.size() + extra > kMaxValueBytes) break;
    joined += (joined.empty() ? "" : ", ") + k;
  }
  out.Add("keywords", std::move(joined));
}

bool IsHeifMime(std::string_view mime) {
  return mime == "image/heic" || mime == "image/heif" || mime == "image/avif" ||
         mime.starts_with("image/heic-") || mime.starts_with("image/heif-");
}

uint64_t ExifDimension(const Exiv2::ExifData& exif, const char* key) {
  const Exiv2::Exifdatum* d = FindExif(exif, key);
  if (d == nullptr || d->count() == 0) return 0;
  const long v = d->toLong(0);
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

// The largest embedded preview, by pixels (then bytes): exiv2 lists them smallest first.
std::string LargestPreview(const Exiv2::Image& image, ImageInfo& info) {
  Exiv2::PreviewManager previews(image);
  const Exiv2::PreviewPropertiesList list = previews.getPreviewProperties();
  if (list.empty()) {
    info.notes.push_back("the RAW file embeds no preview");
    return {};
  }
  const auto largest =
      std::max_element(list.begin(), list.end(),
                       [](const Exiv2::PreviewProperties& a, const Exiv2::PreviewProperties& b) {
                         const uint64_t pa = uint64_t{a.width_} * a.height_;
                         const uint64_t pb = uint64_t{b.width_} * b.height_;
                         return pa != pb ? pa < pb : a.size_ < b.size_;
                       });
  const Exiv2::PreviewImage preview = previews.getPreviewImage(*largest);
  return std::string(reinterpret_cast<const char*>(preview.pData()), preview.size());
}

}  // namespace

void InitImageLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::LogMsg::setHandler(nullptr);
    Exiv2::enableBMFF(true);
    // Never destroyed: the toolkit may take the lock from any thread until the process ends.
    static std::mutex* xmp_lock = new std::mutex();
    Exiv2::XmpParser::initialize(
        [](void* mu, bool lock) {
          if (lock) {
            static_cast<std::mutex*>(mu)->lock();
          } else {
            static_cast<std::mutex*>(mu)->unlock();
          }
        },
        xmp_lock);
    heif_init(nullptr);
  });
}

std::string_view ContainerName(Container c) {
  switch (c) {
    case Container::kJpeg: return "JPEG";
    case Container::kPng: return "PNG";
    case Container::kTiff: return "TIFF";
    case Container::kWebp: return "WebP";
    case Container::kGif: return "GIF";
    case Container::kBmff: return "HEIF/CR3";
    case Container::kCr2: return "CR2";
    case Container::kOrf: return "ORF";
    case Container::kRw2: return "RW2";
    case Container::kRaf: return "RAF";
  }
  return "image";
}

bool IsRawMime(std::string_view mime) {
  const std::string essence = Essence(mime);
  return std::find(std::begin(kRawMimes), std::end(kRawMimes), essence) != std::end(kRawMimes);
}

std::optional<std::pair<uint64_t, uint64_t>> HeifDimensions(std::string_view bytes) {
  struct ContextFree {
    void operator()(heif_context* c) const { heif_context_free(c); }
  };
  struct HandleRelease {
    void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
  };
  std::unique_ptr<heif_context, ContextFree> context(heif_context_alloc());
  if (context == nullptr) return std::nullopt;
  if (heif_context_read_from_memory_without_copy(context.get(), bytes.data(), bytes.size(), nullptr)
          .code != heif_error_Ok) {
    return std::nullopt;
  }
  heif_image_handle* raw_handle = nullptr;
  if (heif_context_get_primary_image_handle(context.get(), &raw_handle).code != heif_error_Ok) {
    return std::nullopt;
  }
  std::unique_ptr<heif_image_handle, HandleRelease> handle(raw_handle);
  const int width = heif_image_handle_get_width(handle.get());
  const int height = heif_image_handle_get_height(handle.get());
  if (width <= 0 || height <= 0) return std::nullopt;
  return std::pair{static_cast<uint64_t>(width), static_cast<uint64_t>(height)};
}

ImageInfo ReadImage(std::string_view bytes, std::string_view mime) {
  const auto* data = reinterpret_cast<const Exiv2::byte*>(bytes.data());
  const long size = static_cast<long>(bytes.size());
  ImageInfo info;
  Container container;
  // exiv2 0.27 hands the image over as a std::auto_ptr (deprecated); it is never named here.
  std::unique_ptr<Exiv2::Image> image;
  try {
    const int type = Exiv2::ImageFactory::getType(data, size);
    if (type == Exiv2::ImageType::none) throw NotAnImage("not an image format exiv2 knows");
    const std::optional<Container> known = ContainerOf(type);
    if (!known) {
      throw NotAnImage("an image type the plugin does not read (exiv2 type " +
                       std::to_string(type) + ")");
    }
    container = *known;
    info.container = container;
    image.reset(Exiv2::ImageFactory::open(data, size).release());
  } catch (const Exiv2::AnyError& e) {
    throw NotAnImage(OneLine(e.what(), kMaxShortValue));
  }
  try {
    image->readMetadata();
    info.mime = image->mimeType();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw UnreadableMetadata(container, OneLine(e.what(), kMaxShortValue));
  }
  if (container == Container::kBmff && !IsHeifMime(info.mime) && info.mime != "image/x-canon-cr3") {
    throw NotAnImage("an ISO media file that is neither HEIF nor CR3 (" +
                     OneLine(info.mime, kMaxShortValue) + ")");
  }

  const Exiv2::ExifData& exif = image->exifData();
  info.raw = IsRawMime(mime) || container == Container::kCr2 || container == Container::kOrf ||
             container == Container::kRw2 || container == Container::kRaf ||
             info.mime == "image/x-canon-cr3" || FindExif(exif, "Exif.Image.DNGVersion") != nullptr;

  if (container == Container::kBmff && IsHeifMime(info.mime)) {
    if (const auto dims = HeifDimensions(bytes)) {
      info.width = dims->first;
      info.height = dims->second;
    } else {
      info.notes.push_back("libheif cannot read the image's dimensions");
    }
  } else {
    info.width = image->pixelWidth() > 0 ? static_cast<uint64_t>(image->pixelWidth()) : 0;
    info.height = image->pixelHeight() > 0 ? static_cast<uint64_t>(image->pixelHeight()) : 0;
  }
  if (info.width == 0 || info.height == 0) {
    // The header does not say (some RAW containers): the size EXIF states for the image.
    info.width = ExifDimension(exif, "Exif.Photo.PixelXDimension");
    info.height = ExifDimension(exif, "Exif.Photo.PixelYDimension");
    if (info.width == 0 || info.height == 0) info.width = info.height = 0;
  }

  Collector out;
  try {
    ReadExif(exif, image->xmpData(), info, out);
    ReadCaptions(image->xmpData(), image->iptcData(), out);
    if (info.raw) info.preview = LargestPreview(*image, info);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw UnreadableMetadata(container, OneLine(e.what(), kMaxShortValue));
  }
  info.findings = std::move(out.findings);
  return info;
}

}  // namespace archivum::bundled::image
