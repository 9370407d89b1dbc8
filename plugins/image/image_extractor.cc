#include "image/image_extractor.h"

#include <optional>
#include <string>

#include "common/config.h"
#include "common/thumbnail.h"
#include "common/utf8.h"
#include "image/image_reader.h"

namespace archivum::bundled::image {
namespace {

constexpr uint64_t kMaxInputLimit = uint64_t{4} << 30;
constexpr int64_t kMaxPixelsLimit = 10'000'000'000;

[[noreturn]] void Refused(std::string_view what, archivum_rc rc) {
  throw sdk::Error(ARCHIVUM_ERROR,
                   "the host refused " + std::string(what) + " (code " + std::to_string(rc) + ")");
}

// Emits a finding; the host's output limit drops it, any other refusal is an error (everything
// emitted here is well-formed).
void Emit(sdk::Sink& sink, std::string_view key, std::string_view value) {
  const archivum_rc rc = sink.Finding(key, value);
  if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
    Refused("the finding " + std::string(key), rc);
  }
}

bool LabeledImage(std::string_view mime) {
  if (mime.size() < 6) return false;
  std::string head(mime.substr(0, 6));
  for (char& c : head) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return head == "image/";
}

// The name of the format for messages about bytes exiv2 does not recognize: the label's type.
std::string FormatName(std::string_view mime) {
  const std::string type = OneLine(mime.substr(0, mime.find(';')), 64);
  return type.empty() ? std::string("image") : type;
}

// The thumbnail of `source`, emitted as the preview; a log line instead when there is none.
// Returns the thumbnail (empty on failure) so that the caller can use what libvips read.
Thumbnail EmitPreview(std::string_view source, int orientation, const sdk::File& file,
                      sdk::Sink& sink, const Options& options) {
  if (source.size() > options.max_thumbnail_input) {
    sink.Log(sdk::LogLevel::kInfo, "no thumbnail: the source has " + std::to_string(source.size()) +
                                       " bytes, over " + "max_thumbnail_input (" +
                                       std::to_string(options.max_thumbnail_input) + ")");
    return {};
  }
  ThumbnailLimits limits;
  limits.max_pixels = options.max_thumbnail_pixels;
  limits.orientation = orientation;
  Thumbnail thumbnail = ThumbnailFromEncoded(source, limits);
  if (!thumbnail.ok()) {
    sink.Log(thumbnail.refused ? sdk::LogLevel::kInfo : sdk::LogLevel::kWarn,
             "no thumbnail: " + thumbnail.error);
    return thumbnail;
  }
  if (file.cancelled()) return thumbnail;  // the caller checks again and gives up
  const archivum_rc rc = sink.Preview(kThumbnailMime, thumbnail.webp);
  if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED && rc != ARCHIVUM_UNSUPPORTED) {
    Refused("the preview", rc);
  }
  return thumbnail;
}

bool WantPreview(const sdk::Sink& sink, const Options& options) {
  return options.thumbnails && sink.TakesPreviews();
}

// An image whose metadata exiv2 cannot read: what libvips can make of the pixels, or an error.
archivum_rc ProcessDamaged(const UnreadableMetadata& e, const sdk::File& file, sdk::Sink& sink,
                           const Options& options) {
  const std::string reason =
      "not a readable " + std::string(ContainerName(e.container())) + ": " + e.what();
  // Only the pixel data can vouch for the file now: without a header libvips reads, the file is
  // unreadable. The thumbnail is made even when thumbnails are off, as that check.
  if (file.bytes().size() > options.max_thumbnail_input) throw sdk::Error(ARCHIVUM_ERROR, reason);
  ThumbnailLimits limits;
  limits.max_pixels = options.max_thumbnail_pixels;
  const Thumbnail thumbnail = ThumbnailFromEncoded(file.bytes(), limits);
  if (thumbnail.source_width == 0 || thumbnail.source_height == 0) {
    throw sdk::Error(ARCHIVUM_ERROR, reason);
  }
  if (file.cancelled()) return ARCHIVUM_CANCELLED;
  sink.Log(sdk::LogLevel::kWarn, reason + "; width and height from the pixel data");
  Emit(sink, "width", std::to_string(thumbnail.source_width));
  Emit(sink, "height", std::to_string(thumbnail.source_height));
  Emit(sink, "damaged", "metadata: " + std::string(e.what()));
  if (!WantPreview(sink, options)) return ARCHIVUM_OK;
  if (!thumbnail.ok()) {
    sink.Log(thumbnail.refused ? sdk::LogLevel::kInfo : sdk::LogLevel::kWarn,
             "no thumbnail: " + thumbnail.error);
    return ARCHIVUM_OK;
  }
  const archivum_rc rc = sink.Preview(kThumbnailMime, thumbnail.webp);
  if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED && rc != ARCHIVUM_UNSUPPORTED) {
    Refused("the preview", rc);
  }
  return ARCHIVUM_OK;
}

}  // namespace

Options ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json,
                            {"thumbnails", "max_thumbnail_input", "max_thumbnail_pixels"});
  Options options;
  options.thumbnails = config.Bool("thumbnails", options.thumbnails);
  options.max_thumbnail_input =
      config.Size("max_thumbnail_input", options.max_thumbnail_input, 1, kMaxInputLimit);
  options.max_thumbnail_pixels = static_cast<uint64_t>(
      config.Integer("max_thumbnail_pixels", static_cast<int64_t>(options.max_thumbnail_pixels), 1,
                     kMaxPixelsLimit));
  return options;
}

archivum_rc Process(const sdk::File& file, sdk::Sink& sink, const Options& options) {
  if (file.cancelled()) return ARCHIVUM_CANCELLED;
  const std::string_view bytes = file.bytes();
  std::optional<ImageInfo> read;
  try {
    read = ReadImage(bytes, file.mime());
  } catch (const NotAnImage& e) {
    if (!LabeledImage(file.mime())) return ARCHIVUM_UNSUPPORTED;
    throw sdk::Error(ARCHIVUM_ERROR, "not a readable " + FormatName(file.mime()) + ": " +
                                         (bytes.empty() ? "the file is empty" : e.what()));
  } catch (const UnreadableMetadata& e) {
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    return ProcessDamaged(e, file, sink, options);
  }
  const ImageInfo& info = *read;
  if (file.cancelled()) return ARCHIVUM_CANCELLED;
  for (const std::string& note : info.notes) sink.Log(sdk::LogLevel::kDebug, note);

  if (info.width == 0 || info.height == 0) {
    // Every image's header states its size (a RAW's EXIF does when its header does not): a file
    // without one is cut short or not what its structure claims.
    if (!info.raw) {
      throw sdk::Error(
          ARCHIVUM_ERROR,
          "not a readable " + std::string(ContainerName(info.container)) + ": no image dimensions");
    }
  } else {
    Emit(sink, "width", std::to_string(info.width));
    Emit(sink, "height", std::to_string(info.height));
  }
  for (const auto& [key, value] : info.findings) Emit(sink, key, value);

  if (!WantPreview(sink, options)) return ARCHIVUM_OK;
  if (info.raw) {
    if (info.preview.empty()) {
      sink.Log(sdk::LogLevel::kInfo, "no thumbnail: the RAW file embeds no preview");
      return ARCHIVUM_OK;
    }
    // The embedded preview states no orientation of its own; the RAW's applies to it.
    EmitPreview(info.preview, info.orientation == 0 ? 1 : info.orientation, file, sink, options);
  } else {
    // Refused here already when the header's size says so, before libvips reads anything.
    if (info.width * info.height > options.max_thumbnail_pixels) {
      sink.Log(sdk::LogLevel::kInfo, "no thumbnail: the image has " + std::to_string(info.width) +
                                         " x " + std::to_string(info.height) +
                                         " pixels, over max_thumbnail_pixels (" +
                                         std::to_string(options.max_thumbnail_pixels) + ")");
      return ARCHIVUM_OK;
    }
    const Thumbnail thumbnail = EmitPreview(bytes, 0, file, sink, options);
    // The header was read but the pixels are not there as it says (cut short, corrupt).
    if (thumbnail.undecodable && !file.cancelled()) {
      Emit(sink, "damaged", "image data: cannot be decoded");
    }
  }
  if (file.cancelled()) return ARCHIVUM_CANCELLED;
  return ARCHIVUM_OK;
}

}  // namespace archivum::bundled::image
