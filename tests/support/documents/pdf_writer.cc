#include "support/documents/pdf_writer.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

namespace archivum::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pdf_writer: %s\n", what.c_str());
  std::abort();
}

// The code points of the UTF-8 string `s`; aborts on malformed input.
std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if ((lead >= 0x80 && lead < 0xC2) || lead > 0xF4 || i + length > s.size()) {
      Die("malformed UTF-8 in a fixture string");
    }
    char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) Die("malformed UTF-8 in a fixture string");
      cp = (cp << 6) | (next & 0x3F);
    }
    out.push_back(cp);
    i += length;
  }
  return out;
}

// `text` as a literal string "(...)" in a single-byte encoding that agrees with Latin-1 on the
// code points `allowed` accepts.
template <class Allowed>
std::string Literal(std::string_view text, Allowed allowed) {
  std::string out = "(";
  for (const char32_t cp : DecodeUtf8(text)) {
    if (!allowed(cp)) Die("character U+" + std::to_string(cp) + " cannot be written");
    if (cp == '(' || cp == ')' || cp == '\\') out += '\\';
    out += static_cast<char>(cp);
  }
  return out + ")";
}

bool WinAnsi(char32_t cp) {
  return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xFF);
}

bool PdfDocLatin1(char32_t cp) {
  return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xFF && cp != 0xAD);
}

// `text` as a hex string of UTF-16BE with a byte order mark.
std::string Utf16Hex(std::string_view text) {
  std::string out = "<FEFF";
  const auto unit = [&out](unsigned value) {
    char buf[5];
    std::snprintf(buf, sizeof(buf), "%04X", value);
    out += buf;
  };
  for (const char32_t cp : DecodeUtf8(text)) {
    if (cp >= 0x10000) {
      unit(0xD800 + ((cp - 0x10000) >> 10));
      unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      unit(static_cast<unsigned>(cp));
    }
  }
  return out + ">";
}

std::string ContentStream(std::string_view text) {
  std::string ops = "BT\n/F1 12 Tf\n14 TL\n72 720 Td\n";
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    if (!first) ops += "T*\n";
    ops += Literal(text.substr(start, end - start), WinAnsi) + " Tj\n";
    first = false;
    start = end + 1;
  }
  return ops + "ET\n";
}

// `bytes` compressed with zlib, as a FlateDecode stream holds them.
std::string Deflate(const std::string& bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    Die("zlib cannot compress a scanned page");
  }
  out.resize(size);
  return out;
}

// A number as PDF writes it: at most 4 decimals, no exponent.
std::string Real(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", value);
  return buf;
}

// Appends numbered objects and remembers where each starts, for the cross-reference table.
class ObjectWriter {
 public:
  ObjectWriter() { out_ = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"; }

  // Object numbers are handed out in order, starting at 1.
  int Reserve() {
    offsets_.push_back(0);
    return static_cast<int>(offsets_.size());
  }
  void Write(int number, std::string_view body) {
    offsets_[static_cast<size_t>(number) - 1] = out_.size();
    out_ += std::to_string(number) + " 0 obj\n";
    out_ += body;
    out_ += "\nendobj\n";
  }
  std::string Finish(int root, int info) {
    const size_t xref = out_.size();
    out_ += "xref\n0 " + std::to_string(offsets_.size() + 1) + "\n0000000000 65535 f \n";
    for (const size_t offset : offsets_) {
      char entry[21];
      std::snprintf(entry, sizeof(entry), "%010zu 00000 n \n", offset);
      out_ += entry;
    }
    out_ += "trailer\n<< /Size " + std::to_string(offsets_.size() + 1) + " /Root " +
            std::to_string(root) + " 0 R";
    if (info > 0) out_ += " /Info " + std::to_string(info) + " 0 R";
    out_ += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return std::move(out_);
  }

 private:
  std::string out_;
  std::vector<size_t> offsets_;
};

}  // namespace

std::string MakePdf(const PdfSpec& spec) {
  ObjectWriter w;
  const int catalog = w.Reserve();
  const int pages = w.Reserve();
  const int font = w.Reserve();
  std::vector<int> page_objects;
  std::string kids;
  const size_t page_count = spec.pages.size() + spec.scanned_pages.size();
  for (size_t i = 0; i < page_count; ++i) {
    page_objects.push_back(w.Reserve());
    kids += (i == 0 ? "" : " ") + std::to_string(page_objects.back()) + " 0 R";
  }
  w.Write(catalog, "<< /Type /Catalog /Pages " + std::to_string(pages) + " 0 R >>");
  w.Write(pages,
          "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(page_count) + " >>");
  w.Write(font,
          "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (size_t i = 0; i < spec.pages.size(); ++i) {
    const int contents = w.Reserve();
    w.Write(page_objects[i], "<< /Type /Page /Parent " + std::to_string(pages) +
                                 " 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 " +
                                 std::to_string(font) + " 0 R >> >> /Contents " +
                                 std::to_string(contents) + " 0 R >>");
    const std::string ops = ContentStream(spec.pages[i]);
    w.Write(contents,
            "<< /Length " + std::to_string(ops.size()) + " >>\nstream\n" + ops + "endstream");
  }
  for (size_t i = 0; i < spec.scanned_pages.size(); ++i) {
    const PdfScannedPage& scan = spec.scanned_pages[i];
    if (scan.width <= 0 || scan.height <= 0 || scan.dpi <= 0 ||
        scan.gray.size() != static_cast<size_t>(scan.width) * static_cast<size_t>(scan.height)) {
      Die("a scanned page's pixels do not match its size");
    }
    // The page in points (1/72 inch), the image scaled onto all of it.
    const std::string width = Real(scan.width * 72.0 / scan.dpi);
    const std::string height = Real(scan.height * 72.0 / scan.dpi);
    const int image = w.Reserve();
    const int contents = w.Reserve();
    w.Write(page_objects[spec.pages.size() + i],
            "<< /Type /Page /Parent " + std::to_string(pages) + " 0 R /MediaBox [0 0 " + width +
                " " + height + "] /Resources << /XObject << /Scan " + std::to_string(image) +
                " 0 R >> >> /Contents " + std::to_string(contents) + " 0 R >>");
    const std::string pixels = Deflate(scan.gray);
    w.Write(image,
            "<< /Type /XObject /Subtype /Image /Width " + std::to_string(scan.width) + " /Height " +
                std::to_string(scan.height) +
                " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length " +
                std::to_string(pixels.size()) + " >>\nstream\n" + pixels + "\nendstream");
    const std::string ops = "q " + width + " 0 0 " + height + " 0 0 cm /Scan Do Q\n";
    w.Write(contents,
            "<< /Length " + std::to_string(ops.size()) + " >>\nstream\n" + ops + "endstream");
  }
  int info = 0;
  if (!spec.info.empty()) {
    info = w.Reserve();
    std::string dict = "<<";
    for (const PdfInfoEntry& e : spec.info) {
      dict +=
          " /" + e.key + " " +
          (e.form == PdfStringForm::kUtf16Be ? Utf16Hex(e.value) : Literal(e.value, PdfDocLatin1));
    }
    w.Write(info, dict + " >>");
  }
  return w.Finish(catalog, info);
}

std::string ReadPdfFixture(PdfFixture fixture) {
  const char* name = fixture == PdfFixture::kUserPassword ? "encrypted_user_password.pdf"
                                                          : "encrypted_empty_user_password.pdf";
  const std::string path = std::string(ARCHIVUM_TEST_DOCUMENT_FIXTURES) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

PdfSpec EncryptedFixtureSpec() {
  return PdfSpec{.pages = {"Confidential quarterly figures", "Second page of the secret"},
                 .info = {{"Title", "Locked report"}, {"Author", "Alice Example"}}};
}

}  // namespace archivum::testing
