// Pictures and scans end to end: photos, a scan and PDFs the tests generate, through the bundled
// image, pdf and ocr plugins in their sandboxed workers, into the catalog, read back over real gRPC
// and HTTP. What a user notices: a photo's camera, time and place are recorded and searchable,
// every picture and PDF has a thumbnail that decodes and is small, printed words in a scan are
// found and marked as OCR text, and a broken image costs that one file.
#include <gtest/gtest.h>
#include <webp/decode.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/documents/image_writer.h"
#include "support/documents/pdf_writer.h"
#include "support/documents/text_image.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using testing::ImageFormat;
using testing::ImageSpec;

constexpr std::string_view kScanWords = "Archivum recognizes printed words";

// The size a WebP image states, or {0, 0} if `bytes` is not one.
std::pair<int, int> WebpSize(const std::string& bytes) {
  int width = 0;
  int height = 0;
  if (!WebPGetInfo(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &width, &height)) {
    return {0, 0};
  }
  return {width, height};
}

class ImagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::DaemonOptions opts;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.http = true;
    // OCR is off by default; one engine keeps the test light.
    opts.plugins_yaml =
        "  settings:\n    ocr:\n      enabled: true\n      config: {instances: 1}\n";
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error).release();
    ASSERT_NE(daemon_, nullptr) << error;
    corpus_ = new fs::path(daemon_->dir() / "corpus");
    const fs::path& c = *corpus_;
    fs::create_directories(c / "photos");

    ImageSpec paris;
    paris.width = 640;
    paris.height = 480;
    paris.exif.make = "Canon";
    paris.exif.model = "Canon EOS R5";
    paris.exif.lens = "RF24-105mm F4 L IS USM";
    paris.exif.date_time_original = "2024:03:01 09:30:15";
    paris.exif.offset_time_original = "+01:00";
    paris.exif.gps_latitude = "48/1 51/1 301/10";  // 48°51'30.1" N
    paris.exif.gps_latitude_ref = "N";
    paris.exif.gps_longitude = "2/1 17/1 402/10";  // 2°17'40.2" E
    paris.exif.gps_longitude_ref = "E";
    paris.xmp.title = "Tour Eiffel";
    paris.xmp.keywords = {"paris", "tower"};
    testing::WriteFile(c / "photos/eiffel.jpg", testing::MakeImage(paris));

    ImageSpec sydney;
    sydney.width = 300;
    sydney.height = 200;
    sydney.exif.make = "NIKON CORPORATION";
    sydney.exif.model = "NIKON D850";
    sydney.exif.date_time_original = "2019:07:14 18:02:00";
    sydney.exif.gps_latitude = "33/1 51/1 244/10";  // 33°51'24.4" S
    sydney.exif.gps_latitude_ref = "S";
    sydney.exif.gps_longitude = "151/1 12/1 552/10";  // 151°12'55.2" E
    sydney.exif.gps_longitude_ref = "E";
    testing::WriteFile(c / "photos/opera.jpg", testing::MakeImage(sydney));

    ImageSpec plain;
    plain.format = ImageFormat::kPng;
    plain.width = 100;
    plain.height = 80;
    testing::WriteFile(c / "photos/plain.png", testing::MakeImage(plain));
    // A JPEG cut after its first bytes.
    testing::WriteFile(c / "photos/broken.jpg", testing::MakeImage(paris).substr(0, 300));

    testing::TextImageSpec scan;
    scan.text = std::string(kScanWords);
    scan.font = "DejaVu Sans 16";
    const testing::GrayImage page = testing::RenderTextImage(scan);
    testing::WriteFile(c / "scan.png", testing::EncodeImage(page, testing::TextImageFormat::kPng));
    testing::PdfSpec scanned;
    scanned.scanned_pages.push_back({page.width, page.height, page.pixels, 300});
    testing::WriteFile(c / "scanned.pdf", testing::MakePdf(scanned));
    testing::PdfSpec report;
    report.pages = {"Quarterly report\nRevenue grew in every region."};
    testing::WriteFile(c / "report.pdf", testing::MakePdf(report));
    testing::WriteFile(c / "notes.txt", "plain notes without pictures\n");

    auto stub = pb::FileManager::NewStub(daemon_->channel());
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(c.string());
    summary_ = new pb::IngestSummary();
    const grpc::Status st = stub->Ingest(&ctx, req, summary_);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    delete corpus_;
    delete summary_;
  }

  void SetUp() override {
    ASSERT_NE(daemon_, nullptr);
    stub_ = pb::FileManager::NewStub(daemon_->channel());
  }

  static std::string P(const std::string& rel) { return (*corpus_ / rel).string(); }

  pb::Document Get(const std::string& rel, uint32_t text_bytes = 0) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path(P(rel));
    req.set_text_bytes(text_bytes);
    pb::Document doc;
    const grpc::Status st = stub_->GetDocument(&ctx, req, &doc);
    EXPECT_TRUE(st.ok()) << rel << ": " << st.error_message();
    return doc;
  }

  std::map<std::string, std::string> Metadata(const std::string& rel) {
    std::map<std::string, std::string> out;
    const pb::Document doc = Get(rel);
    for (const pb::Finding& f : doc.findings()) {
      if (f.plugin() == "image") out[f.key()] = f.value();
    }
    return out;
  }

  grpc::Status Thumbnail(const std::string& path, pb::Thumbnail* out) {
    grpc::ClientContext ctx;
    pb::GetThumbnailRequest req;
    req.set_path(path);
    return stub_->GetThumbnail(&ctx, req, out);
  }

  std::set<std::string> Paths(const std::string& query) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(query);
    req.set_limit(100);
    pb::AnalyzeResponse r;
    const grpc::Status st = stub_->Analyze(&ctx, req, &r);
    EXPECT_TRUE(st.ok()) << query << ": " << st.error_message();
    std::set<std::string> out;
    for (const auto& p : r.results()) out.insert(fs::path(p).lexically_relative(*corpus_).string());
    return out;
  }

  static ht::Response HttpGet(const std::string& target) {
    return ht::Fetch(daemon_->http_address(), ht::MakeRequest(ht::http::verb::get, target));
  }

  static inline testing::Daemon* daemon_ = nullptr;
  static inline fs::path* corpus_ = nullptr;
  static inline pb::IngestSummary* summary_ = nullptr;
  std::unique_ptr<pb::FileManager::Stub> stub_;
};

TEST_F(ImagesTest, EveryFileIsCatalogedAndTheBrokenImageCostsOnlyItself) {
  EXPECT_EQ(summary_->files_seen(), 8u) << summary_->DebugString();
  EXPECT_EQ(summary_->files_ingested(), 8u) << summary_->DebugString();
  EXPECT_EQ(summary_->files_failed(), 0u) << summary_->DebugString();
  // The cut JPEG is cataloged with what could be read and says why the rest could not.
  const pb::Document broken = Get("photos/broken.jpg");
  EXPECT_EQ(broken.mime(), "image/jpeg");
  bool explained = false;
  for (const pb::Finding& f : broken.findings()) {
    if ((f.plugin() == "image" && f.key() == "damaged") || f.key() == "error") explained = true;
  }
  EXPECT_TRUE(explained) << broken.DebugString();
  EXPECT_FALSE(broken.has_thumbnail());
}

TEST_F(ImagesTest, PhotoMetadataIsRecorded) {
  const auto eiffel = Metadata("photos/eiffel.jpg");
  EXPECT_EQ(eiffel.at("width"), "640");
  EXPECT_EQ(eiffel.at("height"), "480");
  EXPECT_EQ(eiffel.at("camera_make"), "Canon");
  EXPECT_EQ(eiffel.at("camera_model"), "Canon EOS R5");
  EXPECT_EQ(eiffel.at("lens"), "RF24-105mm F4 L IS USM");
  EXPECT_EQ(eiffel.at("taken"), "2024-03-01T09:30:15+01:00");
  EXPECT_EQ(eiffel.at("gps_lat"), "48.858361");
  EXPECT_EQ(eiffel.at("gps_lon"), "2.294500");
  EXPECT_EQ(eiffel.at("title"), "Tour Eiffel");
  const auto opera = Metadata("photos/opera.jpg");
  EXPECT_EQ(opera.at("gps_lat"), "-33.856778");
  EXPECT_EQ(opera.at("gps_lon"), "151.215333");
  EXPECT_EQ(opera.at("taken"), "2019-07-14T18:02:00");
  const auto plain = Metadata("photos/plain.png");
  EXPECT_EQ(plain.at("width"), "100");
  EXPECT_EQ(plain.count("camera_make"), 0u);
  // The vocabulary's keys are the document's metadata too.
  bool title = false;
  const pb::Document eiffel_doc = Get("photos/eiffel.jpg");
  for (const pb::MetadataEntry& m : eiffel_doc.metadata()) {
    if (m.key() == "title" && m.value() == "Tour Eiffel") title = true;
  }
  EXPECT_TRUE(title);
  EXPECT_EQ(Paths("image.camera_make:Canon"), std::set<std::string>{"photos/eiffel.jpg"});
  EXPECT_EQ(Paths("title:eiffel"), std::set<std::string>{"photos/eiffel.jpg"});
}

TEST_F(ImagesTest, PhotosAreFoundByCameraTimeSizeAndPlace) {
  using Set = std::set<std::string>;
  EXPECT_EQ(Paths("camera:canon"), Set{"photos/eiffel.jpg"});
  EXPECT_EQ(Paths("camera:\"nikon d850\""), Set{"photos/opera.jpg"});
  EXPECT_EQ(Paths("taken>2020-01-01"), Set{"photos/eiffel.jpg"});
  EXPECT_EQ(Paths("taken<2020-01-01"), Set{"photos/opera.jpg"});
  // The scan is a picture too (wider than 300 px); the opera's 300 px is not "> 300".
  EXPECT_EQ(Paths("width>300"), (Set{"photos/eiffel.jpg", "scan.png"}));
  EXPECT_EQ(Paths("width>99 height<100"), Set{"photos/plain.png"});
  // The Eiffel tower's photo seen from the Trocadéro (0.56 km away), and the opera's from the
  // harbour bridge's southern end (0.65 km).
  EXPECT_EQ(Paths("near:48.8616,2.2886,1"), Set{"photos/eiffel.jpg"});
  EXPECT_EQ(Paths("near:48.8616,2.2886,0.5"), Set{});
  EXPECT_EQ(Paths("near:-33.8523,151.2108,2"), Set{"photos/opera.jpg"});
  // A malformed place is the query's error, with its column.
  grpc::ClientContext ctx;
  pb::AnalyzeRequest req;
  req.set_query("near:95,2,1");
  pb::AnalyzeResponse r;
  const grpc::Status st = stub_->Analyze(&ctx, req, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("column"), std::string::npos) << st.error_message();
}

TEST_F(ImagesTest, PicturesAndPdfsHaveSmallThumbnailsThatDecode) {
  const std::map<std::string, std::pair<int, int>> expected = {
      {"photos/eiffel.jpg", {256, 192}},
      {"photos/opera.jpg", {256, 171}},
      {"photos/plain.png", {100, 80}},  // never enlarged
  };
  for (const auto& [rel, size] : expected) {
    pb::Thumbnail t;
    const grpc::Status st = Thumbnail(P(rel), &t);
    ASSERT_TRUE(st.ok()) << rel << ": " << st.error_message();
    EXPECT_EQ(t.mime(), "image/webp") << rel;
    EXPECT_EQ(t.plugin(), "image") << rel;
    EXPECT_EQ(WebpSize(t.data()), size) << rel;
    EXPECT_TRUE(Get(rel).has_thumbnail()) << rel;
  }
  for (const char* rel : {"report.pdf", "scanned.pdf"}) {
    pb::Thumbnail t;
    const grpc::Status st = Thumbnail(P(rel), &t);
    ASSERT_TRUE(st.ok()) << rel << ": " << st.error_message();
    EXPECT_EQ(t.plugin(), "pdf");
    const auto [w, h] = WebpSize(t.data());
    EXPECT_EQ(std::max(w, h), 256) << rel;
    EXPECT_GT(std::min(w, h), 0) << rel;
    EXPECT_LT(t.data().size(), 64u * 1024) << rel;
  }
  pb::Thumbnail none;
  grpc::Status st = Thumbnail(P("notes.txt"), &none);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(st.error_message().find("no thumbnail"), std::string::npos) << st.error_message();
  st = Thumbnail(P("missing.jpg"), &none);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(st.error_message().find("no cataloged document"), std::string::npos);
}

TEST_F(ImagesTest, ThumbnailOverHttpIsTheImageItself) {
  pb::Thumbnail t;
  ASSERT_TRUE(Thumbnail(P("photos/eiffel.jpg"), &t).ok());
  const ht::Response r = HttpGet("/v1/thumbnail?path=" + P("photos/eiffel.jpg"));
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(r[ht::http::field::content_type], "image/webp");
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r.body(), t.data());
  EXPECT_EQ(HttpGet("/v1/thumbnail?path=" + P("notes.txt")).result_int(), 404u);
  EXPECT_EQ(HttpGet("/v1/thumbnail?path=" + P("nothing.png")).result_int(), 404u);
  // GetDocument says which documents have one.
  const ht::Response doc = HttpGet("/v1/documents?path=" + P("report.pdf"));
  ASSERT_EQ(doc.result_int(), 200u) << doc.body();
  EXPECT_NE(doc.body().find("\"hasThumbnail\":true"), std::string::npos) << doc.body();
}

TEST_F(ImagesTest, PrintedWordsInScansAreFoundAndMarkedAsOcrText) {
  EXPECT_EQ(Paths("recognizes printed"), (std::set<std::string>{"scan.png", "scanned.pdf"}));
  for (const char* rel : {"scan.png", "scanned.pdf"}) {
    const pb::Document doc = Get(rel, 4096);
    ASSERT_EQ(doc.text_parts_size(), 1) << rel << ": " << doc.DebugString();
    const pb::TextPart& part = doc.text_parts(0);
    EXPECT_EQ(part.kind(), "ocr") << rel;
    EXPECT_EQ(part.plugin(), "ocr") << rel;
    const std::string ocr = doc.text().substr(part.offset(), part.length());
    EXPECT_NE(ocr.find("recognizes"), std::string::npos) << rel << ": " << ocr;
    EXPECT_EQ(doc.text_size(), doc.text().size()) << rel;
  }
  // A PDF with a text layer is not OCRed: its text is unmarked.
  const pb::Document report = Get("report.pdf", 4096);
  EXPECT_NE(report.text().find("Quarterly report"), std::string::npos);
  EXPECT_EQ(report.text_parts_size(), 0) << report.DebugString();
  // Without text_bytes, no text travels.
  EXPECT_TRUE(Get("scan.png").text().empty());
}

}  // namespace
}  // namespace archivum
