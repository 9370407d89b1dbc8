// libFuzzer harness: the ocr plugin's image reading (plugins/ocr/image_reader.h) on the input as
// the bytes of a file: the format, each page's size from its header (leptonica's header readers,
// and this plugin's own for BMP and GIF, whose headers leptonica only reads by decoding), then
// leptonica's decoding of the pages small enough to decode quickly. Recognition (tesseract) is
// left out: it takes a tenth of a second or more per input, and it never sees the file's bytes,
// only the decoded image.
//
// leptonica and its codecs are prebuilt libraries without coverage instrumentation, so libFuzzer
// is guided only by this plugin's code; the seeds carry the formats. Contracts checked beyond "no
// crash, no sanitizer report": a header has a positive size and counts at least width x height
// pixels to decode (exactly that, but for a GIF, which adds its frames); a page leptonica decodes
// never has more pixels than its header counted (the bound that keeps a decompression bomb from
// being decoded), and for BMP, whose header is read here, exactly the header's size. A broken
// contract aborts.
//
// Seeds (corpus/fuzz_ocr_image/): a 46 x 16 image of printed text written by libvips as PNG,
// JPEG, TIFF (plain, LZW, two pages), WebP, GIF (one frame, two frames), PGM and JPEG 2000, and
// as a 24-bit BMP.
#include <leptonica/allheaders.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "ocr/image_reader.h"

namespace {

using archivum::bundled::ocr::DecodeImage;
using archivum::bundled::ocr::ImageHeader;
using archivum::bundled::ocr::IsReadableImage;
using archivum::bundled::ocr::PixPtr;
using archivum::bundled::ocr::ReadImageHeader;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

// Pages decoded at most per input, and pixels per decoded page: enough to reach every codec,
// small enough to keep each run fast.
constexpr int kMaxPages = 4;
constexpr uint64_t kMaxDecodedPixels = uint64_t{1} << 20;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // leptonica's complaints about broken inputs would flood the output.
  setMsgSeverity(L_SEVERITY_NONE);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!IsReadableImage(bytes)) return 0;
  for (int page = 0; page < kMaxPages; ++page) {
    const std::optional<ImageHeader> header = ReadImageHeader(bytes, page);
    if (!header) break;
    if (header->width <= 0 || header->height <= 0) Fail("a header without a size");
    const uint64_t area = static_cast<uint64_t>(header->width) * header->height;
    if (header->decoded_pixels < area) Fail("fewer pixels to decode than the page has");
    if (header->format != IFF_GIF && header->decoded_pixels != area) {
      Fail("pixels to decode differ from the page's area");
    }
    if (header->decoded_pixels > kMaxDecodedPixels) continue;
    const PixPtr pix = DecodeImage(bytes, *header, page);
    if (pix == nullptr) continue;
    const uint64_t decoded = static_cast<uint64_t>(pixGetWidth(pix.get())) *
                             static_cast<uint64_t>(pixGetHeight(pix.get()));
    if (decoded > header->decoded_pixels) {
      Fail("leptonica decoded " + std::to_string(decoded) + " pixels; the header counted " +
           std::to_string(header->decoded_pixels));
    }
    if (header->format == IFF_BMP &&
        (pixGetWidth(pix.get()) != header->width || pixGetHeight(pix.get()) != header->height)) {
      Fail("the BMP header's size differs from the decoded image's");
    }
  }
  return 0;
}
