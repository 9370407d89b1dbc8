#include "support/documents/text_image.h"

#include <glib.h>
#include <vips/vips.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace archivum::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "text_image: %s: %s\n", what.c_str(), vips_error_buffer());
  std::abort();
}

void InitVips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("archivum-test-documents") != 0) Die("libvips does not start");
  });
}

// Owns one reference to a GObject (a VipsImage or a VipsTarget).
struct Unref {
  void operator()(void* object) const { g_object_unref(object); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

Image Take(VipsImage* image, const char* what) {
  if (image == nullptr) Die(what);
  return Image(image);
}

// `image` as a libvips image (borrowing its pixels: `image` must outlive it) that records its
// resolution.
Image Wrap(const GrayImage& image) {
  const Image pixels =
      Take(vips_image_new_from_memory(image.pixels.data(), image.pixels.size(), image.width,
                                      image.height, 1, VIPS_FORMAT_UCHAR),
           "vips_image_new_from_memory");
  // libvips records resolution in pixels per millimetre.
  VipsImage* out = nullptr;
  const double per_mm = image.dpi / 25.4;
  vips_copy(pixels.get(), &out, "xres", per_mm, "yres", per_mm, "interpretation",
            VIPS_INTERPRETATION_B_W, nullptr);
  return Take(out, "vips_copy");
}

// `image` saved by the saver for `suffix` (with its options, e.g. ".jpg[Q=90]").
std::string Save(VipsImage* image, const char* suffix) {
  const std::unique_ptr<VipsTarget, Unref> target(vips_target_new_to_memory());
  if (target == nullptr || vips_image_write_to_target(image, suffix, target.get(), nullptr) != 0) {
    Die(std::string("cannot encode ") + suffix);
  }
  VipsBlob* blob = nullptr;
  g_object_get(target.get(), "blob", &blob, nullptr);
  if (blob == nullptr) Die(std::string("no bytes for ") + suffix);
  size_t length = 0;
  const void* data = vips_blob_get(blob, &length);
  std::string bytes(static_cast<const char*>(data), length);
  vips_area_unref(VIPS_AREA(blob));
  return bytes;
}

}  // namespace

GrayImage RenderTextImage(const TextImageSpec& spec) {
  InitVips();
  // vips_text reads Pango markup: escape the text so that '<' and '&' print as themselves.
  const std::unique_ptr<gchar, decltype(&g_free)> escaped(
      g_markup_escape_text(spec.text.data(), static_cast<gssize>(spec.text.size())), &g_free);
  // The glyphs as a mask: 0 (background) to 255 (ink), one band.
  VipsImage* raw = nullptr;
  if (spec.wrap_width > 0) {
    vips_text(&raw, escaped.get(), "font", spec.font.c_str(), "dpi", spec.dpi, "width",
              spec.wrap_width, nullptr);
  } else {
    vips_text(&raw, escaped.get(), "font", spec.font.c_str(), "dpi", spec.dpi, nullptr);
  }
  const Image mask = Take(raw, "vips_text");
  VipsImage* out = nullptr;
  vips_invert(mask.get(), &out, nullptr);  // black ink on white
  const Image ink = Take(out, "vips_invert");
  vips_cast_uchar(ink.get(), &out, nullptr);
  const Image gray = Take(out, "vips_cast_uchar");

  const int width = spec.page_width > 0 && spec.page_height > 0
                        ? spec.page_width
                        : vips_image_get_width(gray.get()) + 2 * spec.margin;
  const int height = spec.page_width > 0 && spec.page_height > 0
                         ? spec.page_height
                         : vips_image_get_height(gray.get()) + 2 * spec.margin;
  // On a white sheet of that size; text past its edges is cut.
  double white[] = {255.0};
  VipsArrayDouble* background = vips_array_double_new(white, 1);
  vips_embed(gray.get(), &out, spec.margin, spec.margin, width, height, "extend",
             VIPS_EXTEND_BACKGROUND, "background", background, nullptr);
  vips_area_unref(VIPS_AREA(background));
  const Image sheet = Take(out, "vips_embed");

  GrayImage image;
  size_t size = 0;
  void* pixels = vips_image_write_to_memory(sheet.get(), &size);
  if (pixels == nullptr) Die("vips_image_write_to_memory");
  image.pixels.assign(static_cast<const char*>(pixels), size);
  g_free(pixels);
  image.width = width;
  image.height = height;
  image.dpi = spec.dpi;
  if (image.pixels.size() != static_cast<size_t>(width) * static_cast<size_t>(height)) {
    Die("the rendered text is not one 8-bit band");
  }
  return image;
}

std::string EncodeImage(const GrayImage& image, TextImageFormat format) {
  InitVips();
  const Image with_resolution = Wrap(image);
  const char* suffix = nullptr;
  switch (format) {
    case TextImageFormat::kPng: suffix = ".png"; break;
    case TextImageFormat::kJpeg: suffix = ".jpg[Q=90]"; break;
    case TextImageFormat::kTiff: suffix = ".tif"; break;
    case TextImageFormat::kWebp: suffix = ".webp[lossless]"; break;
    case TextImageFormat::kPnm: suffix = ".pgm"; break;
    case TextImageFormat::kGif: suffix = ".gif"; break;
  }
  return Save(with_resolution.get(), suffix);
}

std::string EncodeMultipageTiff(const std::vector<GrayImage>& pages) {
  InitVips();
  if (pages.empty()) Die("a multipage TIFF needs pages");
  std::vector<Image> wrapped;
  std::vector<VipsImage*> images;
  for (const GrayImage& page : pages) {
    if (page.width != pages[0].width || page.height != pages[0].height) {
      Die("the pages of a multipage TIFF differ in size");
    }
    wrapped.push_back(Wrap(page));
    images.push_back(wrapped.back().get());
  }
  // libvips writes a tall image with a "page-height" as one TIFF page per that many rows.
  VipsImage* out = nullptr;
  vips_arrayjoin(images.data(), &out, static_cast<int>(images.size()), "across", 1, nullptr);
  const Image column = Take(out, "vips_arrayjoin");
  vips_copy(column.get(), &out, nullptr);
  const Image paged = Take(out, "vips_copy");
  vips_image_set_int(paged.get(), "page-height", pages[0].height);
  return Save(paged.get(), ".tif");
}

std::string EncodeTransparentPng(const GrayImage& image) {
  InitVips();
  const Image gray = Wrap(image);
  VipsImage* out = nullptr;
  vips_invert(gray.get(), &out, nullptr);  // the ink's darkness: its opacity
  const Image alpha = Take(out, "vips_invert");
  vips_black(&out, image.width, image.height, nullptr);
  const Image black = Take(out, "vips_black");
  vips_cast_uchar(black.get(), &out, nullptr);
  const Image black8 = Take(out, "vips_cast_uchar");
  vips_bandjoin2(black8.get(), alpha.get(), &out, nullptr);
  const Image joined = Take(out, "vips_bandjoin2");
  vips_copy(joined.get(), &out, "interpretation", VIPS_INTERPRETATION_B_W, nullptr);
  const Image with_alpha = Take(out, "vips_copy");
  return Save(with_alpha.get(), ".png");
}

}  // namespace archivum::testing
