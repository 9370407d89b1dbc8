#include "ocr/image_reader.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cstring>

namespace archivum::bundled::ocr {
namespace {

const l_uint8* Data(std::string_view bytes) {
  return reinterpret_cast<const l_uint8*>(bytes.data());
}

uint32_t Le16(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}

uint32_t Le32(std::string_view b, size_t at) {
  return Le16(b, at) | Le16(b, at + 2) << 16;
}

// leptonica's format of `bytes`. findFileFormatBuffer reads up to 12 bytes whatever the input's
// length, so a shorter input is looked at through a zero-padded copy.
int Format(std::string_view bytes) {
  l_uint8 head[12] = {};
  std::memcpy(head, bytes.data(), std::min(bytes.size(), sizeof(head)));
  l_int32 format = IFF_UNKNOWN;
  if (findFileFormatBuffer(head, &format) != 0) return IFF_UNKNOWN;
  return format;
}

bool IsTiff(int format) {
  return L_FORMAT_IS_TIFF(format);
}

// A BMP's size from its file and DIB headers (BITMAPCOREHEADER or a later, larger one; a
// negative height means rows run top-down).
std::optional<ImageHeader> BmpHeader(std::string_view b) {
  if (b.size() < 26 || b.substr(0, 2) != "BM") return std::nullopt;
  ImageHeader h;
  h.format = IFF_BMP;
  if (Le32(b, 14) == 12) {
    h.width = static_cast<int>(Le16(b, 18));
    h.height = static_cast<int>(Le16(b, 20));
  } else {
    const auto width = static_cast<int32_t>(Le32(b, 18));
    const auto height = static_cast<int32_t>(Le32(b, 22));
    if (height == INT32_MIN) return std::nullopt;
    h.width = width;
    h.height = height < 0 ? -height : height;
  }
  if (h.width <= 0 || h.height <= 0) return std::nullopt;
  h.decoded_pixels = static_cast<uint64_t>(h.width) * static_cast<uint64_t>(h.height);
  return h;
}

// Skips a chain of GIF data sub-blocks (length byte, data; a zero length ends it) at `pos`.
size_t SkipSubBlocks(std::string_view b, size_t pos) {
  while (pos < b.size()) {
    const size_t length = static_cast<unsigned char>(b[pos]);
    ++pos;
    if (length == 0) break;
    pos += length;
  }
  return pos;
}

// A GIF's logical screen, and the pixels of the screen plus every frame, found by walking its
// blocks without decoding any image data. A walk cut short by damage counts what it passed:
// the decoder stops at the same damage.
std::optional<ImageHeader> GifHeader(std::string_view b) {
  if (b.size() < 13 || (b.substr(0, 6) != "GIF87a" && b.substr(0, 6) != "GIF89a")) {
    return std::nullopt;
  }
  ImageHeader h;
  h.format = IFF_GIF;
  h.width = static_cast<int>(Le16(b, 6));
  h.height = static_cast<int>(Le16(b, 8));
  uint64_t pixels = static_cast<uint64_t>(h.width) * static_cast<uint64_t>(h.height);
  const auto color_table = [](unsigned flags) -> size_t {
    return (flags & 0x80) != 0 ? 3 * (size_t{2} << (flags & 7)) : 0;
  };
  size_t pos = 13 + color_table(static_cast<unsigned char>(b[10]));
  while (pos < b.size()) {
    const auto block = static_cast<unsigned char>(b[pos]);
    if (block == 0x21) {  // extension: introducer, label, sub-blocks
      pos = SkipSubBlocks(b, pos + 2);
    } else if (block == 0x2C && pos + 10 <= b.size()) {  // image descriptor
      pixels += static_cast<uint64_t>(Le16(b, pos + 5)) * Le16(b, pos + 7);
      const auto flags = static_cast<unsigned char>(b[pos + 9]);
      // Local color table, the LZW minimum code size, then the image data's sub-blocks.
      pos = SkipSubBlocks(b, pos + 10 + color_table(flags) + 1);
    } else {
      break;  // the trailer (0x3B), or damage
    }
  }
  if (h.width <= 0 || h.height <= 0) return std::nullopt;
  h.decoded_pixels = pixels;
  return h;
}

}  // namespace

void PixDeleter::operator()(Pix* pix) const {
  pixDestroy(&pix);
}

bool IsReadableImage(std::string_view bytes) {
  switch (Format(bytes)) {
    case IFF_UNKNOWN:
    case IFF_PS:
    case IFF_LPDF:
    case IFF_SPIX:  // leptonica's own serialization: not a file format anyone hands over
      return false;
    default: return true;
  }
}

std::optional<ImageHeader> ReadImageHeader(std::string_view bytes, int page) {
  if (!IsReadableImage(bytes) || page < 0) return std::nullopt;
  const int format = Format(bytes);
  if (page > 0 && !IsTiff(format)) return std::nullopt;
  if (format == IFF_BMP) return BmpHeader(bytes);
  if (format == IFF_GIF) return GifHeader(bytes);
  ImageHeader h;
  l_int32 width = 0, height = 0, bps = 0, spp = 0, cmap = 0, found = format;
  if (IsTiff(format)) {
    l_int32 resolution = 0;
    if (readHeaderMemTiff(Data(bytes), bytes.size(), page, &width, &height, &bps, &spp, &resolution,
                          &cmap, &found) != 0) {
      return std::nullopt;
    }
  } else if (pixReadHeaderMem(Data(bytes), bytes.size(), &found, &width, &height, &bps, &spp,
                              &cmap) != 0) {
    return std::nullopt;
  }
  if (width <= 0 || height <= 0) return std::nullopt;
  h.format = format;
  h.width = width;
  h.height = height;
  h.decoded_pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  return h;
}

PixPtr DecodeImage(std::string_view bytes, const ImageHeader& header, int page) {
  PixPtr pix(IsTiff(header.format) ? pixReadMemTiff(Data(bytes), bytes.size(), page)
                                   : pixReadMem(Data(bytes), bytes.size()));
  if (pix == nullptr) return nullptr;
  if (pixGetDepth(pix.get()) == 32 && pixGetSpp(pix.get()) == 4) {
    // White (0xffffff) where the image is transparent.
    PixPtr opaque(pixAlphaBlendUniform(pix.get(), 0xffffff00));
    if (opaque == nullptr) return nullptr;
    pix = std::move(opaque);
  }
  return pix;
}

}  // namespace archivum::bundled::ocr
