#include "common/thumbnail.h"

#include <sys/mman.h>
#include <unistd.h>
#include <vips/vips.h>
// vips_vector_set_enabled (a public function that vips.h does not include)
#include <vips/vector.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "common/utf8.h"

namespace archivum::bundled {
namespace {

constexpr int kQuality = 75;
constexpr size_t kMaxReasonBytes = 256;

// The loaders that stay available: libvips marks them trusted (fuzzed, for untrusted input).
constexpr const char* kAllowedLoaders[] = {
    "VipsForeignLoadJpeg", "VipsForeignLoadPng",   "VipsForeignLoadWebp",
    "VipsForeignLoadTiff", "VipsForeignLoadNsgif", "VipsForeignLoadHeif",
};

struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

// libvips's error buffer as one bounded line, then cleared.
std::string VipsReason(std::string_view what) {
  char* text = vips_error_buffer_copy();
  std::string reason = OneLine(text == nullptr ? "" : text, kMaxReasonBytes);
  g_free(text);
  return reason.empty() ? std::string(what) : std::string(what) + ": " + reason;
}

// Whether this process may map memory writable and executable at once. Refused under systemd's
// MemoryDenyWriteExecute= (config/archivumd.service sets it), the kernel's PR_SET_MDWE or
// SELinux's execmem rule. libvips compiles its vector kernels at run time with orc, which aborts
// the process when it gets no such memory (in a sandboxed worker its other way, a temporary file
// mapped twice, is closed by Landlock too).
bool CanMapWriteExecute() {
  const long page = ::sysconf(_SC_PAGESIZE);
  const size_t size = page > 0 ? static_cast<size_t>(page) : 4096;
  void* p =
      ::mmap(nullptr, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  ::munmap(p, size);
  return true;
}

// Sets libvips up once per process (see the header); returns why it could not, or "".
const std::string& InitVips() {
  static std::once_flag once;
  static std::string* error = new std::string();  // never destroyed: read by any thread
  std::call_once(once, [] {
    // libvips's own switch that silences its warnings (damage it decoded past, ...), which would
    // go to stderr without saying which file they are about; failures still reach the caller.
    // Read by vips_init, which then installs a handler of its own (never one of this module's
    // functions, which could be unloaded). A value already in the environment is kept.
    setenv("VIPS_WARNING", "0", 0);
    if (VIPS_INIT("archivum") != 0) {
      *error = VipsReason("libvips cannot start");
      return;
    }
    // Without writable executable memory, libvips's plain C paths instead of orc's code.
    if (!CanMapWriteExecute()) vips_vector_set_enabled(FALSE);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (const char* loader : kAllowedLoaders) vips_operation_block_set(loader, FALSE);
  });
  return *error;
}

enum class Why { kInternal, kTooLarge, kUndecodable };

Thumbnail Failure(std::string reason, Why why = Why::kInternal) {
  Thumbnail t;
  t.error = std::move(reason);
  t.refused = why == Why::kTooLarge;
  t.undecodable = why == Why::kUndecodable;
  return t;
}

Thumbnail CheckPixels(uint64_t width, uint64_t height, const ThumbnailLimits& limits) {
  if (width == 0 || height == 0) return Failure("the image has no pixels", Why::kUndecodable);
  if (width * height > limits.max_pixels) {
    return Failure("declares " + std::to_string(width) + " x " + std::to_string(height) +
                       " pixels, more than the " + std::to_string(limits.max_pixels) +
                       " a thumbnail is made of",
                   Why::kTooLarge);
  }
  return {};
}

// Applies the orientation override (the thumbnail was made without rotation), then encodes.
Thumbnail Finish(ImagePtr image, const ThumbnailLimits& limits) {
  if (limits.orientation >= 2 && limits.orientation <= 8) {
    VipsImage* copy = nullptr;
    if (vips_copy(image.get(), &copy, nullptr) != 0) return Failure(VipsReason("copy"));
    image.reset(copy);
    vips_image_set_int(image.get(), VIPS_META_ORIENTATION, limits.orientation);
    VipsImage* rotated = nullptr;
    if (vips_autorot(image.get(), &rotated, nullptr) != 0) {
      return Failure(VipsReason("cannot rotate the thumbnail"));
    }
    image.reset(rotated);
  }
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_webpsave_buffer(image.get(), &buffer, &length, "Q", kQuality, "strip", TRUE, nullptr) !=
      0) {
    // libvips decodes lazily: damaged pixel data fails here, as the result is written.
    return Failure(VipsReason("cannot decode the image"), Why::kUndecodable);
  }
  Thumbnail t;
  t.webp.assign(static_cast<const char*>(buffer), length);
  g_free(buffer);
  t.width = vips_image_get_width(image.get());
  t.height = vips_image_get_height(image.get());
  if (t.webp.size() > kThumbnailMaxBytes || t.width > kThumbnailMaxSide ||
      t.height > kThumbnailMaxSide) {
    return Failure("the thumbnail came out at " + std::to_string(t.width) + " x " +
                   std::to_string(t.height) + " pixels, " + std::to_string(t.webp.size()) +
                   " bytes, over the bounds");
  }
  return t;
}

}  // namespace

Thumbnail ThumbnailFromEncoded(std::string_view bytes, const ThumbnailLimits& limits) {
  if (const std::string& error = InitVips(); !error.empty()) return Failure(error);
  if (bytes.empty()) return Failure("the image is empty", Why::kUndecodable);
  // The header alone: libvips's loaders read the dimensions without decoding pixels.
  ImagePtr header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                             VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (header == nullptr) return Failure(VipsReason("not a supported image"), Why::kUndecodable);
  const auto source_width = static_cast<uint64_t>(vips_image_get_width(header.get()));
  const auto source_height = static_cast<uint64_t>(vips_image_get_height(header.get()));
  header.reset();
  Thumbnail t = CheckPixels(source_width, source_height, limits);
  if (t.error.empty()) {
    VipsImage* out = nullptr;
    const gboolean no_rotate = limits.orientation != 0 ? TRUE : FALSE;
    if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out,
                              kThumbnailMaxSide, "height", kThumbnailMaxSide, "size",
                              VIPS_SIZE_DOWN, "no_rotate", no_rotate,
                              // The loader's option: libvips 8.14 does not pass the thumbnail's
                              // own fail_on on to it.
                              "option_string", "fail_on=truncated", nullptr) != 0) {
      t = Failure(VipsReason("cannot decode the image"), Why::kUndecodable);
    } else {
      t = Finish(ImagePtr(out), limits);
    }
  }
  t.source_width = source_width;
  t.source_height = source_height;
  return t;
}

Thumbnail ThumbnailFromPixels(std::string_view pixels, int width, int height, int bands,
                              const ThumbnailLimits& limits) {
  if (const std::string& error = InitVips(); !error.empty()) return Failure(error);
  if (width <= 0 || height <= 0 || (bands != 3 && bands != 4)) {
    return Failure("invalid pixel layout: " + std::to_string(width) + " x " +
                   std::to_string(height) + " x " + std::to_string(bands));
  }
  const uint64_t w = static_cast<uint64_t>(width);
  const uint64_t h = static_cast<uint64_t>(height);
  if (Thumbnail refused = CheckPixels(w, h, limits); !refused.error.empty()) {
    refused.source_width = w;
    refused.source_height = h;
    return refused;
  }
  if (pixels.size() != w * h * static_cast<uint64_t>(bands)) {
    return Failure("expected " + std::to_string(w * h * static_cast<uint64_t>(bands)) +
                   " bytes of pixels, got " + std::to_string(pixels.size()));
  }
  ImagePtr in(vips_image_new_from_memory(pixels.data(), pixels.size(), width, height, bands,
                                         VIPS_FORMAT_UCHAR));
  if (in == nullptr) return Failure(VipsReason("cannot wrap the pixels"));
  VipsImage* out = nullptr;
  if (vips_thumbnail_image(in.get(), &out, kThumbnailMaxSide, "height", kThumbnailMaxSide, "size",
                           VIPS_SIZE_DOWN, "no_rotate", TRUE, nullptr) != 0) {
    return Failure(VipsReason("cannot scale the pixels"));
  }
  Thumbnail t = Finish(ImagePtr(out), limits);
  t.source_width = w;
  t.source_height = h;
  return t;
}

}  // namespace archivum::bundled
