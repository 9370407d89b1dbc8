// archivum_bench_make_photos: writes the bench's photos: JPEGs of a camera's size (4000 x 3000 by
// default, about 3 MB each at quality 90) with the EXIF a camera writes (make, model, lens, the
// time taken with its offset, GPS position, orientation), for bench/run's photo section.
//
//   archivum_bench_make_photos --out DIR [--count 300] [--width 4000] [--height 3000]
//                              [--seed 1] [--summary FILE.json]
//
// The pixels are a gradient under Gaussian noise, which compresses like a photo's detail (a
// plain gradient would be a tenth of the size, noise alone five times it). Deterministic for a
// seed. DIR must not exist yet or be empty.
#include <vips/vips.h>

#include <CLI/CLI.hpp>
#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace {

namespace fs = std::filesystem;

struct VipsUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, VipsUnref>;

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "archivum_bench_make_photos: " << what << ": " << vips_error_buffer() << "\n";
  std::exit(1);
}

// One photo's pixels, encoded: a colour gradient (its direction from `seed`) under noise.
std::string Encode(int width, int height, uint32_t seed) {
  VipsImage* x = nullptr;
  if (vips_xyz(&x, width, height, nullptr) != 0) Fail("vips_xyz");
  Image xyz(x);
  // Three bands from x and y: red across, green down, blue along the diagonal, each in 0..255.
  VipsImage* bands[3] = {};
  const double sx = 255.0 / width, sy = 255.0 / height;
  const double a[3][2] = {{sx, 0}, {0, sy}, {sx / 2, sy / 2}};
  for (int b = 0; b < 3; ++b) {
    VipsImage* xb = nullptr;
    VipsImage* yb = nullptr;
    VipsImage* sum = nullptr;
    if (vips_extract_band(xyz.get(), &xb, 0, nullptr) != 0 ||
        vips_extract_band(xyz.get(), &yb, 1, nullptr) != 0)
      Fail("vips_extract_band");
    Image xi(xb), yi(yb);
    VipsImage* xs = nullptr;
    VipsImage* ys = nullptr;
    if (vips_linear1(xi.get(), &xs, a[b][0], (seed * 37 + b * 11) % 64, nullptr) != 0 ||
        vips_linear1(yi.get(), &ys, a[b][1], 0, nullptr) != 0)
      Fail("vips_linear1");
    Image xsi(xs), ysi(ys);
    if (vips_add(xsi.get(), ysi.get(), &sum, nullptr) != 0) Fail("vips_add");
    bands[b] = sum;
  }
  VipsImage* joined = nullptr;
  if (vips_bandjoin(bands, &joined, 3, nullptr) != 0) Fail("vips_bandjoin");
  for (VipsImage* b : bands) g_object_unref(b);
  Image rgb(joined);
  VipsImage* noise = nullptr;
  if (vips_gaussnoise(&noise, width, height, "sigma", 4.5, "mean", 0.0, "seed",
                      static_cast<int>(seed), nullptr) != 0)
    Fail("vips_gaussnoise");
  Image n(noise);
  VipsImage* noisy = nullptr;
  if (vips_add(rgb.get(), n.get(), &noisy, nullptr) != 0) Fail("vips_add noise");
  Image ni(noisy);
  VipsImage* u8 = nullptr;
  if (vips_cast_uchar(ni.get(), &u8, nullptr) != 0) Fail("vips_cast");
  Image out(u8);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_jpegsave_buffer(out.get(), &buffer, &length, "Q", 90, nullptr) != 0) Fail("jpegsave");
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

// "48/1 51/1 301/10" for a non-negative angle in degrees.
std::string Dms(double degrees) {
  const int d = static_cast<int>(degrees);
  const double m_full = (degrees - d) * 60;
  const int m = static_cast<int>(m_full);
  const int tenths = static_cast<int>((m_full - m) * 600);
  return std::to_string(d) + "/1 " + std::to_string(m) + "/1 " + std::to_string(tenths) + "/10";
}

std::string WithExif(const std::string& jpeg, int i, std::mt19937& rng) {
  auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(jpeg.data()),
                                         static_cast<long>(jpeg.size()));
  image->readMetadata();
  static const char* const kCameras[][2] = {{"Canon", "Canon EOS R5"},
                                            {"NIKON CORPORATION", "NIKON Z 6_2"},
                                            {"SONY", "ILCE-7M4"},
                                            {"FUJIFILM", "X-T5"},
                                            {"Apple", "iPhone 15 Pro"}};
  const auto& camera = kCameras[i % 5];
  Exiv2::ExifData& exif = image->exifData();
  exif["Exif.Image.Make"] = camera[0];
  exif["Exif.Image.Model"] = camera[1];
  exif["Exif.Photo.LensModel"] = "24-105mm F4";
  std::uniform_int_distribution<int> day(1, 28), hour(0, 23), minute(0, 59);
  char when[32];
  std::snprintf(when, sizeof when, "20%02d:%02d:%02d %02d:%02d:%02d", 15 + i % 10, 1 + i % 12,
                day(rng), hour(rng), minute(rng), minute(rng));
  exif["Exif.Photo.DateTimeOriginal"] = when;
  exif["Exif.Photo.OffsetTimeOriginal"] = "+01:00";
  std::uniform_real_distribution<double> lat(-60, 70), lon(-180, 180);
  const double la = lat(rng), lo = lon(rng);
  exif["Exif.GPSInfo.GPSLatitudeRef"] = la < 0 ? "S" : "N";
  exif["Exif.GPSInfo.GPSLatitude"] = Dms(std::abs(la));
  exif["Exif.GPSInfo.GPSLongitudeRef"] = lo < 0 ? "W" : "E";
  exif["Exif.GPSInfo.GPSLongitude"] = Dms(std::abs(lo));
  exif["Exif.Image.Orientation"] = uint16_t{1};
  image->writeMetadata();
  Exiv2::BasicIo& io = image->io();
  io.seek(0, Exiv2::BasicIo::beg);
  const auto buf = io.read(static_cast<long>(io.size()));
  return std::string(reinterpret_cast<const char*>(buf.pData_), static_cast<size_t>(buf.size_));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_make_photos: camera-sized JPEGs with EXIF for bench/run"};
  std::string out, summary_path;
  int count = 300, width = 4000, height = 3000;
  uint32_t seed = 1;
  app.add_option("--out", out, "directory to write the photos into (new or empty)")->required();
  app.add_option("--count", count, "how many photos")->check(CLI::Range(1, 100000));
  app.add_option("--width", width, "pixels across")->check(CLI::Range(16, 20000));
  app.add_option("--height", height, "pixels down")->check(CLI::Range(16, 20000));
  app.add_option("--seed", seed, "seed of the pixels and the metadata");
  app.add_option("--summary", summary_path, "write {files, bytes, width, height} as JSON here");
  CLI11_PARSE(app, argc, argv);
  if (VIPS_INIT(argv[0]) != 0) Fail("vips_init");
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    std::cerr << "archivum_bench_make_photos: " << out << " is not empty\n";
    return 2;
  }
  fs::create_directories(out);
  std::mt19937 rng(seed);
  uint64_t bytes = 0;
  for (int i = 0; i < count; ++i) {
    const std::string jpeg = WithExif(Encode(width, height, seed * 1000 + i), i, rng);
    const fs::path file = fs::path(out) / ("IMG_" + std::to_string(1000 + i) + ".JPG");
    std::ofstream(file, std::ios::binary)
        .write(jpeg.data(), static_cast<std::streamsize>(jpeg.size()));
    bytes += jpeg.size();
    if ((i + 1) % 50 == 0) std::cerr << "photos: " << (i + 1) << "/" << count << "\n";
  }
  if (!summary_path.empty()) {
    std::ofstream(summary_path) << nlohmann::json{{"files", count},
                                                  {"bytes", bytes},
                                                  {"width", width},
                                                  {"height", height}}
                                       .dump()
                                << "\n";
  }
  std::cerr << "photos: " << count << " files, " << bytes / 1000000 << " MB\n";
  return 0;
}
