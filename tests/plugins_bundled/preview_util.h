// Decoding a preview a plugin emitted (a WebP, common/thumbnail.h) back to pixels with libwebp,
// independently of the libvips that encoded it, so that tests check what a viewer would show.
// Header-only; link libwebp.
#pragma once

#include <webp/decode.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace archivum::bundled::testing {

struct DecodedPreview {
  bool ok = false;  // libwebp decoded it
  int width = 0;
  int height = 0;
  std::string rgb;  // width * height * 3 bytes, rows top to bottom

  // The color at (x, y), as {r, g, b}; requires ok and the point inside.
  struct Color {
    int r, g, b;
  };
  Color At(int x, int y) const {
    const auto* p = reinterpret_cast<const unsigned char*>(rgb.data()) +
                    (static_cast<size_t>(y) * width + x) * 3;
    return {p[0], p[1], p[2]};
  }
  // Mostly red, green or blue (lossy compression leaves some of the others).
  static bool Red(Color c) { return c.r > 180 && c.g < 80 && c.b < 80; }
  static bool Green(Color c) { return c.g > 180 && c.r < 80 && c.b < 80; }
  static bool Blue(Color c) { return c.b > 180 && c.r < 80 && c.g < 80; }
};

inline DecodedPreview DecodeWebp(std::string_view webp) {
  DecodedPreview out;
  int width = 0;
  int height = 0;
  uint8_t* pixels =
      WebPDecodeRGB(reinterpret_cast<const uint8_t*>(webp.data()), webp.size(), &width, &height);
  if (pixels == nullptr) return out;
  out.ok = true;
  out.width = width;
  out.height = height;
  out.rgb.assign(reinterpret_cast<const char*>(pixels), static_cast<size_t>(width) * height * 3);
  WebPFree(pixels);
  return out;
}

}  // namespace archivum::bundled::testing
