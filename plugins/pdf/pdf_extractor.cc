#include "pdf/pdf_extractor.h"

#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include "common/pdf_assembly.h"
#include "common/thumbnail.h"
#include "common/utf8.h"
#include "pdf/pdf_date.h"
#include "pdf/pdf_strings.h"
#include "pdf/poppler_messages.h"

namespace archivum::bundled::pdf {
namespace {

constexpr std::string_view kBuiltInText = "archivum";

// How much of a value from the file a log line quotes.
constexpr size_t kMaxLoggedValue = 64;

// A one-page PDF showing kBuiltInText in Helvetica, with an exact cross-reference table so that
// poppler reads it without complaint.
std::string BuiltInDocument() {
  const std::string content = "BT /F1 12 Tf 72 720 Td (" + std::string(kBuiltInText) + ") Tj ET\n";
  const std::string objects[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> "
      ">> /Contents 5 0 R >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
  };
  return AssemblePdf(objects);
}

std::string PageText(const poppler::page& page) {
  return ToUtf8(page.text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
}

sdk::Error Unreadable(const std::string& what, const PopplerMessages& messages) {
  std::string message = "not a readable PDF: " + what;
  if (!messages.last().empty()) message += ": " + messages.last();
  return sdk::Error(ARCHIVUM_ERROR, message);
}

[[noreturn]] void Refused(std::string_view what, archivum_rc rc) {
  throw sdk::Error(ARCHIVUM_ERROR,
                   "the host refused " + std::string(what) + " (code " + std::to_string(rc) + ")");
}

// Emits a finding. The host's output limit (RESOURCE_EXHAUSTED) drops it; any other refusal is
// an error, since everything emitted here is well-formed.
void Emit(sdk::Sink& sink, std::string_view key, std::string_view value) {
  const archivum_rc rc = sink.Finding(key, value);
  if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
    Refused("the finding " + std::string(key), rc);
  }
}

// Emits `text` in pieces of at most kMaxTextPiece bytes cut between characters. Returns false
// once the host's output limit refuses a piece.
bool EmitText(sdk::Sink& sink, std::string_view text) {
  while (!text.empty()) {
    const size_t n = Utf8Boundary(text, kMaxTextPiece);
    const archivum_rc rc = sink.Text(text.substr(0, n));
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) return false;
    if (rc != ARCHIVUM_OK) Refused("extracted text", rc);
    text.remove_prefix(n);
  }
  return true;
}

struct InfoField {
  const char* pdf_key;       // in the Info dictionary
  std::string_view finding;  // in the metadata vocabulary
  bool date;
};

constexpr InfoField kInfoFields[] = {
    {"Title", "title", false},         {"Author", "author", false},
    {"Subject", "subject", false},     {"Keywords", "keywords", false},
    {"Creator", "creator", false},     {"Producer", "producer", false},
    {"CreationDate", "created", true}, {"ModDate", "modified", true},
};

void EmitInfo(const poppler::document& doc, sdk::Sink& sink) {
  for (const InfoField& field : kInfoFields) {
    const poppler::ustring value = doc.info_key(field.pdf_key);
    if (value.empty()) continue;
    if (value.size() > kMaxInfoUnits) {
      sink.Log(sdk::LogLevel::kDebug, std::string("Info /") + field.pdf_key + " has " +
                                          std::to_string(value.size()) +
                                          " characters; not emitted");
      continue;
    }
    std::string text = InfoToUtf8(value);
    if (text.empty()) continue;
    if (field.date) {
      const std::optional<std::string> date = NormalizePdfDate(text);
      if (!date) {
        sink.Log(sdk::LogLevel::kDebug, std::string("Info /") + field.pdf_key +
                                            " is not a valid date: " +
                                            text.substr(0, Utf8Boundary(text, kMaxLoggedValue)));
        continue;
      }
      text = *date;
    }
    Emit(sink, field.finding, text);
  }
}

// Page 1 rendered to about kThumbnailMaxSide pixels on its long side and made a thumbnail. An
// empty webp and the reason when it cannot be.
Thumbnail RenderThumbnail(const poppler::page& page) {
  Thumbnail failed;
  const poppler::rectf box = page.page_rect();
  const double long_side = std::max(box.width(), box.height());  // in points, 72 per inch
  if (!(long_side >= 1) || !(long_side <= 1e6)) {
    failed.error = "the page has no usable size";
    return failed;
  }
  poppler::page_renderer renderer;
  if (!poppler::page_renderer::can_render()) {
    failed.error = "poppler was built without a renderer";
    return failed;
  }
  renderer.set_render_hint(poppler::page_renderer::antialiasing);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing);
  renderer.set_image_format(poppler::image::format_rgb24);
  const double dpi = 72.0 * kThumbnailMaxSide / long_side;
  const poppler::image image = renderer.render_page(&page, dpi, dpi);
  if (!image.is_valid() || image.format() != poppler::image::format_rgb24 || image.width() <= 0 ||
      image.height() <= 0) {
    failed.error = "poppler could not render it";
    return failed;
  }
  // format_rgb24 is three bytes per pixel, red, green, blue (Splash's RGB8), in rows of
  // bytes_per_row() bytes; the helper takes the rows packed.
  const int width = image.width();
  const int height = image.height();
  const size_t row_bytes = static_cast<size_t>(width) * 3;
  if (static_cast<size_t>(image.bytes_per_row()) < row_bytes) {
    failed.error = "poppler rendered rows shorter than the page";
    return failed;
  }
  std::string rgb;
  rgb.reserve(row_bytes * static_cast<size_t>(height));
  for (int y = 0; y < height; ++y) {
    rgb.append(image.const_data() + static_cast<size_t>(y) * image.bytes_per_row(), row_bytes);
  }
  return ThumbnailFromPixels(rgb, width, height, 3);
}

// The preview of page 1, or a log line saying why there is none.
void EmitFirstPage(const poppler::document& doc, sdk::Sink& sink) {
  const std::unique_ptr<poppler::page> page(doc.create_page(0));
  Thumbnail thumbnail;
  if (page == nullptr) {
    thumbnail.error = "page 1 is missing";
  } else {
    thumbnail = RenderThumbnail(*page);
  }
  if (!thumbnail.ok()) {
    sink.Log(thumbnail.refused ? sdk::LogLevel::kInfo : sdk::LogLevel::kWarn,
             "no thumbnail of page 1: " + thumbnail.error);
    return;
  }
  const archivum_rc rc = sink.Preview(kThumbnailMime, thumbnail.webp);
  if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED && rc != ARCHIVUM_UNSUPPORTED) {
    Refused("the preview", rc);
  }
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

bool IsPdfCandidate(std::string_view mime, std::string_view bytes) {
  const std::string_view type = TrimSpace(mime.substr(0, mime.find(';')));
  if (EqualsIgnoringCase(type, "application/pdf") ||
      EqualsIgnoringCase(type, "application/x-pdf")) {
    return true;
  }
  constexpr size_t kHeaderSearch = 1024;
  // A header starting at the last of those bytes ends 4 bytes later.
  return bytes.substr(0, kHeaderSearch + 4).find("%PDF-") != std::string_view::npos;
}

PdfExtractor::PdfExtractor(const sdk::Host& host, bool thumbnails)
    : thumbnails_(thumbnails), keepalive_bytes_(BuiltInDocument()) {
  // Serialized so that two instances created at once do not race in the first page extraction
  // (see the class comment).
  static std::mutex warm_up;
  std::lock_guard lock(warm_up);
  PopplerMessages messages(host);
  keepalive_.reset(poppler::document::load_from_raw_data(
      keepalive_bytes_.data(), static_cast<int>(keepalive_bytes_.size())));
  std::unique_ptr<poppler::page> page;
  if (keepalive_ != nullptr && !keepalive_->is_locked() && keepalive_->pages() == 1) {
    page.reset(keepalive_->create_page(0));
  }
  if (page == nullptr || TrimSpace(PageText(*page)) != kBuiltInText) {
    throw sdk::Error(ARCHIVUM_ERROR,
                     "poppler cannot read a built-in one-page PDF" +
                         (messages.last().empty() ? std::string() : ": " + messages.last()));
  }
  if (thumbnails_) {
    // The rendering path's first use, here where it cannot race (see the class comment). A
    // failure only costs the previews, which Process reports file by file.
    const Thumbnail warm = RenderThumbnail(*page);
    if (!warm.ok()) host.Log(sdk::LogLevel::kWarn, "PDF thumbnails will fail: " + warm.error);
  }
}

PdfExtractor::~PdfExtractor() = default;

archivum_rc PdfExtractor::Process(const sdk::File& file, sdk::Sink& sink) const {
  const std::string_view bytes = file.bytes();
  if (!IsPdfCandidate(file.mime(), bytes)) return ARCHIVUM_UNSUPPORTED;
  if (bytes.empty()) throw sdk::Error(ARCHIVUM_ERROR, "not a readable PDF: the file is empty");
  constexpr size_t kMaxBytes = std::numeric_limits<int>::max();
  if (bytes.size() > kMaxBytes) {
    throw sdk::Error(ARCHIVUM_RESOURCE_EXHAUSTED, "PDF too large: " + std::to_string(bytes.size()) +
                                                      " bytes; poppler reads at most " +
                                                      std::to_string(kMaxBytes));
  }
  if (file.cancelled()) return ARCHIVUM_CANCELLED;

  PopplerMessages messages(sink);
  const std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (doc == nullptr) throw Unreadable("poppler cannot open it", messages);
  if (doc->is_locked()) {
    // poppler-cpp answers nothing else about a locked document (pages() would crash).
    sink.Log(sdk::LogLevel::kDebug, "the PDF needs a password; cataloged as encrypted");
    const archivum_rc rc = sink.Tag("encrypted");
    if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) Refused("the tag encrypted", rc);
    return ARCHIVUM_OK;
  }
  if (file.cancelled()) return ARCHIVUM_CANCELLED;

  const int pages = doc->pages();
  if (pages <= 0) throw Unreadable("it has no pages", messages);
  Emit(sink, "pages", std::to_string(pages));
  EmitInfo(*doc, sink);

  std::string piece;
  for (int i = 0; i < pages; ++i) {
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    const std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page == nullptr) {
      throw Unreadable("page " + std::to_string(i + 1) + " of " + std::to_string(pages) +
                           " is missing or damaged",
                       messages);
    }
    const std::string text = PageText(*page);
    piece.assign(i == 0 ? std::string_view() : kPageSeparator);
    piece += TrimSpace(text);
    if (!EmitText(sink, piece)) {
      sink.Log(sdk::LogLevel::kDebug, "text truncated at page " + std::to_string(i + 1) + " of " +
                                          std::to_string(pages) + ": the host's output limit");
      Emit(sink, "truncated", "true");
      break;
    }
  }
  if (thumbnails_ && sink.TakesPreviews()) {
    if (file.cancelled()) return ARCHIVUM_CANCELLED;
    EmitFirstPage(*doc, sink);
  }
  return ARCHIVUM_OK;
}

}  // namespace archivum::bundled::pdf
