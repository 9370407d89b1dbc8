// libFuzzer harness for the image plugin (plugins/image/): Process on the input as the bytes of a
// file, into a sink that checks what the host would check, with thumbnails on (so that libvips's
// loaders and the thumbnail helper run on every input that gets that far). The detected MIME type
// is chosen by the input's size (one of the plugin's image types, a RAW type, or none), so that
// both the RAW path (embedded previews) and the plain path are reached. exiv2, libheif and libvips
// are prebuilt libraries without coverage instrumentation: libFuzzer is guided by the plugin's own
// code, and the seeds and the dictionary carry the exploration into the libraries.
//
// Besides sanitizer reports, it stops on a broken contract: a finding, a log line or a failure's
// message that is not well-formed UTF-8, a finding key outside the vocabulary the plugin documents
// or emitted twice, a value not in its documented form (width, height and orientation numbers,
// GPS degrees with six decimals in range, taken as ISO 8601, no line breaks), a preview that is
// not a WebP of at most 256 px on its long side and 512 KiB, any text, tag or child, an error
// without "not a readable ..." as its message, or any exception but sdk::Error.
//
// Limits: thumbnails of at most 4 megapixels (max_thumbnail_pixels), so that an input declaring
// a large image costs a header read rather than seconds of decoding per run.
//
// Seeds (corpus/fuzz_image/): tiny images written by tests/support/documents/image_writer (JPEG
// with EXIF, GPS, XMP and IPTC; PNG, TIFF and WebP with EXIF and XMP; GIF; HEIC with EXIF; a
// TIFF-based RAW with an embedded JPEG preview), see corpus/README.md.
#include <webp/decode.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"
#include "common/utf8.h"
#include "image/image_extractor.h"
#include "image/image_reader.h"

namespace {

namespace image = archivum::bundled::image;
namespace sdk = archivum::sdk;

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "fuzz_image: broken contract: %s\n", what.c_str());
  std::abort();
}

std::string_view View(archivum_str s) {
  return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size);
}

bool ValidUtf8(std::string_view s) {
  while (!s.empty()) {
    const auto step = archivum::bundled::DecodeUtf8(s);
    if (!step.valid) return false;
    s.remove_prefix(step.length);
  }
  return true;
}

bool Digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "-48.858361": an optional sign, digits, a point, six digits, within +-limit.
bool Degrees(std::string_view v, double limit) {
  const size_t point = v.find('.');
  if (point == std::string_view::npos || v.size() - point != 7) return false;
  const std::string_view whole = v.substr(v[0] == '-' ? 1 : 0, point - (v[0] == '-' ? 1 : 0));
  if (!Digits(whole) || !Digits(v.substr(point + 1))) return false;
  const double d = std::strtod(std::string(v).c_str(), nullptr);
  return d >= -limit && d <= limit;
}

// "YYYY-MM-DDTHH:MM:SS" with an optional "+HH:MM" / "-HH:MM".
bool Taken(std::string_view v) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (v.size() != kShape.size() && v.size() != kShape.size() + 6) return false;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != kShape[i]) return false;
  }
  if (v.size() == kShape.size()) return true;
  const std::string_view zone = v.substr(kShape.size());
  return (zone[0] == '+' || zone[0] == '-') && Digits(zone.substr(1, 2)) && zone[3] == ':' &&
         Digits(zone.substr(4, 2));
}

struct Recorder {
  std::set<std::string> keys;
  int previews = 0;

  void Finding(std::string_view key, std::string_view value) {
    static const std::set<std::string, std::less<>> kVocabulary = {
        "width",   "height",      "camera_make", "camera_model", "lens",     "taken",  "gps_lat",
        "gps_lon", "orientation", "title",       "description",  "keywords", "damaged"};
    if (!kVocabulary.contains(key)) Broken("finding outside the vocabulary: " + std::string(key));
    if (!keys.insert(std::string(key)).second) Broken("finding twice: " + std::string(key));
    if (!ValidUtf8(value)) Broken("finding " + std::string(key) + " is not UTF-8");
    if (value.empty() || value.find_first_of("\r\n\t") != std::string_view::npos ||
        value.front() == ' ' || value.back() == ' ') {
      Broken("finding " + std::string(key) + " is not one trimmed line");
    }
    const std::string v(value);
    if ((key == "width" || key == "height") && (!Digits(value) || value[0] == '0')) {
      Broken(std::string(key) + " = " + v);
    }
    if (key == "orientation" && (value.size() != 1 || value[0] < '1' || value[0] > '8')) {
      Broken("orientation = " + v);
    }
    if (key == "gps_lat" && !Degrees(value, 90)) Broken("gps_lat = " + v);
    if (key == "gps_lon" && !Degrees(value, 180)) Broken("gps_lon = " + v);
    if (key == "taken" && !Taken(value)) Broken("taken = " + v);
  }

  void Preview(std::string_view mime, std::string_view bytes) {
    if (++previews > 1) Broken("two previews");
    if (mime != "image/webp") Broken("preview type " + std::string(mime));
    if (bytes.size() > size_t{512} << 10) Broken("preview over 512 KiB");
    int width = 0;
    int height = 0;
    if (!WebPGetInfo(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &width,
                     &height)) {
      Broken("preview is not a WebP");
    }
    if (width < 1 || height < 1 || width > 256 || height > 256) {
      Broken("preview of " + std::to_string(width) + " x " + std::to_string(height));
    }
  }

  archivum_sink Table() {
    archivum_sink t{};
    t.struct_size = sizeof(t);
    t.ctx = this;
    t.emit_finding = [](void* ctx, archivum_str key, archivum_str value) -> archivum_rc {
      static_cast<Recorder*>(ctx)->Finding(View(key), View(value));
      return ARCHIVUM_OK;
    };
    t.emit_text = [](void*, archivum_str) -> archivum_rc {
      Broken("the image plugin emitted text");
    };
    t.emit_tag = [](void*, archivum_str) -> archivum_rc {
      Broken("the image plugin emitted a tag");
    };
    t.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc { Broken("child"); };
    t.set_mime = [](void*, archivum_str) -> archivum_rc { Broken("set_mime"); };
    t.log = [](void*, archivum_log_level, archivum_str message) {
      if (!ValidUtf8(View(message))) Broken("log message is not UTF-8");
    };
    t.begin_child = [](void*, archivum_str) -> archivum_rc { Broken("begin_child"); };
    t.write_child = [](void*, archivum_bytes) -> archivum_rc { Broken("write_child"); };
    t.child_finding = [](void*, archivum_str, archivum_str) -> archivum_rc {
      Broken("child_finding");
    };
    t.child_tag = [](void*, archivum_str) -> archivum_rc { Broken("child_tag"); };
    t.end_child = [](void*) -> archivum_rc { Broken("end_child"); };
    t.emit_preview = [](void* ctx, archivum_str mime, archivum_bytes bytes) -> archivum_rc {
      static_cast<Recorder*>(ctx)->Preview(
          View(mime), std::string_view(reinterpret_cast<const char*>(bytes.data), bytes.size));
      return ARCHIVUM_OK;
    };
    t.emit_text_as = [](void*, archivum_str, archivum_str) -> archivum_rc {
      Broken("the image plugin emitted text");
    };
    return t;
  }
};

constexpr const char* kMimes[] = {
    "image/jpeg", "image/png",         "image/tiff",        "image/webp",        "image/gif",
    "image/heic", "image/x-nikon-nef", "image/x-canon-cr2", "image/x-canon-cr3", ""};

const image::Options& FuzzOptions() {
  static const image::Options options = [] {
    image::Options o;
    o.max_thumbnail_pixels = uint64_t{1} << 22;
    return o;
  }();
  return options;
}

}  // namespace

// exiv2 registers each XMP namespace it has not seen in a process-wide registry (strings it
// allocates itself) and never frees them, not even when the registry is destroyed at exit:
// reachable while the process runs, reported as leaked after. exiv2's, not the plugin's.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:Exiv2::XmpProperties::registerNs\n";
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Process-wide setup outside any input, so that what it allocates once is not counted against
  // the first input's leak check.
  image::InitImageLibraries();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr char kPath[] = "/fuzz/input";
  const char* mime = kMimes[size % std::size(kMimes)];
  archivum_file file{};
  file.struct_size = sizeof(file);
  file.path = {kPath, sizeof(kPath) - 1};
  file.display_name = file.path;
  file.size = size;
  file.mime = {mime, std::char_traits<char>::length(mime)};
  file.bytes = {data, size};
  file.deadline_ns = INT64_MAX;
  file.is_cancelled = [](void*) -> int32_t { return 0; };

  Recorder out;
  const archivum_sink table = out.Table();
  sdk::File f(&file);
  sdk::Sink sink(&table);
  try {
    const archivum_rc rc = image::Process(f, sink, FuzzOptions());
    if (rc == ARCHIVUM_UNSUPPORTED) {
      if (mime[0] != '\0') Broken("an input labeled " + std::string(mime) + " was declined");
      if (!out.keys.empty() || out.previews != 0) Broken("declined after emitting");
    } else if (rc != ARCHIVUM_OK) {
      Broken("Process returned " + std::to_string(rc));
    }
  } catch (const sdk::Error& e) {
    const std::string message = e.what();
    if (e.code() != ARCHIVUM_ERROR || message.rfind("not a readable ", 0) != 0) {
      Broken("unexpected error " + std::to_string(e.code()) + ": " + message);
    }
    if (!ValidUtf8(message)) Broken("error message is not UTF-8");
  } catch (const std::exception& e) {
    Broken(std::string("exception escaped: ") + e.what());
  }
  return 0;
}
