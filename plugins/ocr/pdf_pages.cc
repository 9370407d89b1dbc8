#include "ocr/pdf_pages.h"

#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <cmath>
#include <mutex>
#include <vector>

#include "archivum/plugin.hpp"
#include "common/pdf_assembly.h"

namespace archivum::bundled::ocr {
namespace {

// A one-page PDF (72 x 72 points) with a black square in its lower left quarter, with an exact
// cross-reference table so that poppler reads it without complaint.
std::string BuiltInDocument() {
  const std::string content = "0 g 0 0 36 36 re f\n";
  const std::string objects[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
  };
  return AssemblePdf(objects);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool IsSpace(unsigned short c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x00A0 || c == 0x2007 || c == 0x202F ||
         c == 0x3000 || (c >= 0x2000 && c <= 0x200B) || c == 0xFEFF;
}

}  // namespace

bool IsPdf(std::string_view mime, std::string_view bytes) {
  std::string_view type = mime.substr(0, mime.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  if (EqualsIgnoringCase(type, "application/pdf") ||
      EqualsIgnoringCase(type, "application/x-pdf")) {
    return true;
  }
  constexpr size_t kHeaderSearch = 1024;
  return bytes.substr(0, kHeaderSearch + 4).find("%PDF-") != std::string_view::npos;
}

PdfPages::PdfPages() : keepalive_bytes_(BuiltInDocument()) {
  static std::mutex warm_up;  // see the class comment
  std::lock_guard lock(warm_up);
  keepalive_.reset(poppler::document::load_from_raw_data(
      keepalive_bytes_.data(), static_cast<int>(keepalive_bytes_.size())));
  std::unique_ptr<poppler::page> page;
  if (keepalive_ != nullptr && !keepalive_->is_locked() && keepalive_->pages() == 1) {
    page.reset(keepalive_->create_page(0));
  }
  int dpi = 0;
  const poppler::image image =
      page == nullptr ? poppler::image() : Render(*page, 72, 72 * 72, &dpi);
  // The square is black at the bottom left, the rest white.
  const auto pixel = [&](int x, int y) {
    return static_cast<unsigned char>(image.const_data()[y * image.bytes_per_row() + x]);
  };
  if (!image.is_valid() || image.width() != 72 || image.height() != 72 || pixel(10, 60) != 0 ||
      pixel(60, 10) != 255) {
    throw sdk::Error(ARCHIVUM_ERROR, "poppler cannot render a built-in one-page PDF");
  }
}

PdfPages::~PdfPages() = default;

bool PdfPages::HasTextLayer(const poppler::page& page) {
  // Raw order: only the characters count here, not the reading order the default layout works
  // out.
  const poppler::ustring text = page.text(poppler::rectf(), poppler::page::raw_order_layout);
  int chars = 0;
  for (const unsigned short c : text) {
    if (!IsSpace(c) && ++chars >= kMinTextLayerChars) return true;
  }
  return false;
}

poppler::image PdfPages::Render(const poppler::page& page, int dpi, uint64_t max_pixels,
                                int* used_dpi) {
  *used_dpi = 0;
  const poppler::rectf box = page.page_rect();
  const double area_pt = std::fabs(box.width() * box.height());  // square points
  if (!(area_pt > 0) || !std::isfinite(area_pt)) return poppler::image();
  // Pixels at `dpi`: area_pt * (dpi / 72)^2.
  const double fit = 72.0 * std::sqrt(static_cast<double>(max_pixels) / area_pt);
  const int resolution = static_cast<int>(std::min<double>(dpi, std::floor(fit)));
  if (resolution < 1) return poppler::image();
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  poppler::image image = renderer.render_page(&page, resolution, resolution);
  if (image.is_valid() && image.format() != poppler::image::format_gray8) return poppler::image();
  *used_dpi = resolution;
  return image;
}

}  // namespace archivum::bundled::ocr
