#include "documents/corpus.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/documents/archive_writer.h"
#include "support/documents/mail_writer.h"
#include "support/documents/office_writer.h"
#include "support/documents/pdf_writer.h"

namespace archivum::bench {
namespace {

namespace docs = archivum::testing;

constexpr int kMarkersPerDocument = 3;
// A US Letter page of the PDF writer: 14-point lines from 72 points below the top, 80 characters
// of 12-point Helvetica at most.
constexpr size_t kPdfLinesPerPage = 46;
constexpr size_t kPdfLineWidth = 80;
constexpr size_t kWordsPerPage = 500;

constexpr const char* kDepartments[] = {"finance", "legal",      "engineering", "sales",
                                        "hr",      "operations", "marketing",   "board"};

std::string Padded(size_t n) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04zu", n);
  return buffer;
}

// "D:YYYYMMDDHHMMSSZ", a PDF date in UTC.
std::string PdfDate(int year, int month, int day, int hour, int minute) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "D:%04d%02d%02d%02d%02d00Z", year, month, day, hour, minute);
  return buffer;
}

// An RFC 5322 date, "Tue, 05 Mar 2024 10:15:00 +0100".
std::string MailDate(int year, int month, int day, int hour, int minute, int zone_hours) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Sakamoto's day of the week (0 = Sunday) for the Gregorian calendar.
  static constexpr int kOffsets[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  const int y = month < 3 ? year - 1 : year;
  const int weekday = (y + y / 4 - y / 100 + y / 400 + kOffsets[month - 1] + day) % 7;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:00 %c%02d00", kDays[weekday],
                day, kMonths[month - 1], year, hour, minute, zone_hours < 0 ? '-' : '+',
                zone_hours < 0 ? -zone_hours : zone_hours);
  return buffer;
}

// "anna.keller@example.com" for "Anna Keller".
std::string Address(const std::string& name) {
  std::string out;
  for (const char c : name) out += c == ' ' ? '.' : static_cast<char>(std::tolower(c));
  return out + "@example.com";
}

std::string MimeType(const std::string& format) {
  if (format == "pdf") return "application/pdf";
  if (format == "txt") return "text/plain; charset=utf-8";
  if (format == "docx") {
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  }
  if (format == "xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (format == "odt") return "application/vnd.oasis.opendocument.text";
  return "application/octet-stream";
}

constexpr const char* kRegions[] = {"North", "South", "East", "West", "Central", "Export"};

}  // namespace

std::vector<ManifestEntry> ManifestEntries(const Document& file) {
  std::vector<ManifestEntry> out;
  for (const std::string& marker : file.markers) {
    out.push_back({marker, file.name, file.format, "-"});
  }
  for (const Document& member : file.members) {
    for (const std::string& marker : member.markers) {
      out.push_back({marker, file.name + "!/" + member.name, member.format, file.format});
    }
  }
  return out;
}

class CorpusGenerator::Impl {
 public:
  explicit Impl(uint64_t seed) : rng_(seed), prose_(rng_), markers_(rng_) {}

  Document Next() {
    const size_t index = index_++;
    const std::string base = Folder() + prose_.Stem() + "-" + Padded(index);
    const double roll = rng_.Unit();
    if (roll < 0.30) return Pdf(base + ".pdf", PdfPages());
    if (roll < 0.45) return Docx(base + ".docx", rng_.LogBetween(1, 8));
    if (roll < 0.53) return Xlsx(base + ".xlsx", XlsxRows());
    if (roll < 0.59) return Odt(base + ".odt", rng_.LogBetween(1, 6));
    if (roll < 0.80) return Mail(base + ".eml");
    if (roll < 0.91) return Archive(base + ".zip", docs::ArchiveFormat::kZip);
    return Archive(base + ".tar.gz", docs::ArchiveFormat::kTarGz);
  }

 private:
  // "sales/2022/": a department and a year, as a shared drive is often organized.
  std::string Folder() {
    return std::string(kDepartments[rng_.Below(std::size(kDepartments))]) + "/" +
           std::to_string(rng_.Between(2019, 2024)) + "/";
  }

  std::vector<std::string> Markers(int n = kMarkersPerDocument) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(markers_.Next());
    return out;
  }

  // Paragraphs of about `words` words with `markers` spread over them.
  std::vector<std::string> MarkedParagraphs(size_t words, const std::vector<std::string>& markers) {
    std::vector<std::string> paragraphs = prose_.Paragraphs(words);
    Sprinkle(paragraphs, markers, rng_);
    return paragraphs;
  }

  // Most PDFs have 1 to 40 pages, short ones more common than long ones; four in a hundred are
  // manuals of hundreds of pages (up to 3.7 MB).
  int PdfPages() {
    if (rng_.Chance(0.04)) return rng_.Between(150, 900);
    return rng_.Chance(0.5) ? rng_.LogBetween(1, 40) : rng_.Between(10, 40);
  }

  Document Pdf(std::string name, int pages) {
    Document doc{.name = std::move(name), .format = "pdf", .markers = Markers()};
    const std::vector<std::string> paragraphs =
        MarkedParagraphs(static_cast<size_t>(pages) * kWordsPerPage, doc.markers);
    docs::PdfSpec spec;
    std::string page;
    size_t lines = 0;
    const auto add_line = [&](const std::string& line) {
      if (lines == kPdfLinesPerPage) {
        spec.pages.push_back(std::move(page));
        page.clear();
        lines = 0;
      }
      if (lines > 0) page += '\n';
      page += line;
      ++lines;
    };
    for (size_t i = 0; i < paragraphs.size(); ++i) {
      if (i > 0 && lines > 0) add_line("");
      for (const std::string& line : Wrap(paragraphs[i], kPdfLineWidth)) add_line(line);
    }
    spec.pages.push_back(std::move(page));
    const int year = rng_.Between(2015, 2024);
    spec.info = {{"Title", prose_.Title()},
                 {"Author", prose_.PersonName()},
                 {"CreationDate", PdfDate(year, rng_.Between(1, 12), rng_.Between(1, 28),
                                          rng_.Between(7, 19), rng_.Between(0, 59))},
                 {"Producer", "archivum_bench_make_corpus"}};
    doc.bytes = docs::MakePdf(spec);
    return doc;
  }

  // Core properties as an office suite writes them: title, author, subject, dates.
  docs::OfficeMetadata OfficeMeta(bool odf) {
    char created[32], modified[32];
    const int year = rng_.Between(2015, 2024), month = rng_.Between(1, 12);
    const char* format = odf ? "%04d-%02d-%02dT%02d:%02d:00" : "%04d-%02d-%02dT%02d:%02d:00Z";
    std::snprintf(created, sizeof created, format, year, month, rng_.Between(1, 28),
                  rng_.Between(7, 19), rng_.Between(0, 59));
    std::snprintf(modified, sizeof modified, format, year + static_cast<int>(rng_.Below(2)), month,
                  rng_.Between(1, 28), rng_.Between(7, 19), rng_.Between(0, 59));
    docs::OfficeMetadata meta;
    meta.title = prose_.Title();
    meta.authors = {prose_.PersonName()};
    meta.subject = prose_.Title();
    meta.language = "en-US";
    meta.created = created;
    meta.modified = modified;
    meta.application = "archivum_bench_make_corpus";
    return meta;
  }

  // Paragraphs of `pages` pages; one in three documents ends with a table of figures.
  Document Docx(std::string name, int pages) {
    Document doc{.name = std::move(name), .format = "docx", .markers = Markers()};
    const std::vector<std::string> paragraphs =
        MarkedParagraphs(static_cast<size_t>(pages) * kWordsPerPage, doc.markers);
    docs::OfficeMetadata meta = OfficeMeta(false);
    meta.pages = pages;
    docs::DocxExtras extras;
    if (rng_.Chance(0.33)) {
      extras.table.push_back({"Item", "Region", "Amount", "Owner"});
      for (int i = rng_.Between(3, 25); i > 0; --i) {
        extras.table.push_back({prose_.Title(), kRegions[rng_.Below(std::size(kRegions))],
                                std::to_string(rng_.LogBetween(10, 900000)), prose_.PersonName()});
      }
    }
    doc.bytes = docs::MakeDocx(paragraphs, meta, extras);
    return doc;
  }

  Document Odt(std::string name, int pages) {
    Document doc{.name = std::move(name), .format = "odt", .markers = Markers()};
    const std::vector<std::string> paragraphs =
        MarkedParagraphs(static_cast<size_t>(pages) * kWordsPerPage, doc.markers);
    docs::OfficeMetadata meta = OfficeMeta(true);
    meta.pages = pages;
    doc.bytes = docs::MakeOdt(paragraphs, meta);
    return doc;
  }

  // Rows of a workbook: mostly tens to a few thousand; six in a hundred are large exports.
  int XlsxRows() {
    return rng_.Chance(0.06) ? rng_.Between(10000, 30000) : rng_.LogBetween(30, 3000);
  }

  // 1 to 5 sheets sharing `rows` rows: a date, a description (text, where the markers go), a
  // region, quantities and amounts (numbers) and an owner; markers in the first row's, a middle
  // row's and the last row's description.
  Document Xlsx(std::string name, int rows) {
    Document doc{.name = std::move(name), .format = "xlsx", .markers = Markers()};
    const int sheet_count = std::min(rng_.Between(1, 5), rows);
    std::vector<docs::SheetSpec> sheets;
    for (int s = 0; s < sheet_count; ++s) {
      docs::SheetSpec sheet{.name = prose_.Title().substr(0, 31), .rows = {}};
      for (const auto& other : sheets) {
        if (other.name == sheet.name) sheet.name = "Sheet" + std::to_string(s + 1);
      }
      sheet.rows.push_back(
          {"Date", "Description", "Region", "Quantity", "Unit price", "Total", "Owner"});
      const int count = rows / sheet_count + (s < rows % sheet_count ? 1 : 0);
      for (int r = 0; r < count; ++r) {
        char date[16], price[32], total[32];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", rng_.Between(2018, 2024),
                      rng_.Between(1, 12), rng_.Between(1, 28));
        const int quantity = rng_.LogBetween(1, 5000);
        const double unit = static_cast<double>(rng_.LogBetween(100, 500000)) / 100;
        std::snprintf(price, sizeof price, "%.2f", unit);
        std::snprintf(total, sizeof total, "%.2f", unit * quantity);
        sheet.rows.push_back({date, prose_.Title(), kRegions[rng_.Below(std::size(kRegions))],
                              std::to_string(quantity), price, total, prose_.PersonName()});
      }
      sheets.push_back(std::move(sheet));
    }
    // The description cells in reading order, the markers spread over them.
    std::vector<std::string*> descriptions;
    for (auto& sheet : sheets) {
      for (size_t r = 1; r < sheet.rows.size(); ++r) descriptions.push_back(&sheet.rows[r][1]);
    }
    for (size_t i = 0; i < doc.markers.size(); ++i) {
      const size_t at = i * (descriptions.size() - 1) / (doc.markers.size() - 1);
      *descriptions[at] = doc.markers[i] + " " + *descriptions[at];
    }
    doc.bytes = docs::MakeXlsx(sheets, OfficeMeta(false));
    return doc;
  }

  // Plain text wrapped at 72 columns, a blank line between paragraphs.
  Document Text(std::string name, size_t words) {
    Document doc{.name = std::move(name), .format = "txt", .markers = Markers()};
    for (const std::string& paragraph : MarkedParagraphs(words, doc.markers)) {
      if (!doc.bytes.empty()) doc.bytes += '\n';
      for (const std::string& line : Wrap(paragraph, 72)) doc.bytes += line + '\n';
    }
    return doc;
  }

  // A document to put in an archive or attach to a mail, named `stem` plus its extension, under
  // `folder`.
  Document Member(const std::string& folder, const std::string& stem) {
    const std::string base = folder + stem;
    const double roll = rng_.Unit();
    if (roll < 0.30) return Pdf(base + ".pdf", rng_.LogBetween(1, 30));
    if (roll < 0.55) return Docx(base + ".docx", rng_.LogBetween(1, 6));
    if (roll < 0.70) return Xlsx(base + ".xlsx", rng_.LogBetween(20, 1500));
    if (roll < 0.80) return Odt(base + ".odt", rng_.LogBetween(1, 4));
    return Text(base + ".txt", static_cast<size_t>(rng_.LogBetween(150, 4000)));
  }

  // An archive of 3 to 12 documents and text files; eight in a hundred hold 20 to 60 (a project's
  // hand-over, several MB).
  Document Archive(std::string name, docs::ArchiveFormat format) {
    Document doc{.name = std::move(name),
                 .format = format == docs::ArchiveFormat::kZip ? "zip" : "tar.gz"};
    const int count = rng_.Chance(0.08) ? rng_.Between(20, 60) : rng_.Between(3, 12);
    static const std::vector<std::string> kFolders = {"", "", "docs/", "data/", "archive/"};
    std::set<std::string> names;
    for (int i = 0; i < count; ++i) {
      std::string stem = prose_.Stem();
      while (!names.insert(stem).second) stem += "-" + std::to_string(i);
      doc.members.push_back(Member(rng_.Pick(kFolders), stem));
    }
    std::vector<docs::ArchiveEntry> entries;
    int64_t mtime = 1500000000 + static_cast<int64_t>(rng_.Below(250000000));
    for (const Document& member : doc.members) {
      entries.push_back({.name = member.name, .bytes = member.bytes, .mtime = mtime});
      mtime += static_cast<int64_t>(rng_.Below(86400 * 30));
    }
    doc.bytes = docs::MakeArchive(format, entries);
    for (Document& member : doc.members) member.bytes.clear();  // in the archive now
    return doc;
  }

  // A mail as a mail client writes it: a greeting, paragraphs and a signature in text/plain
  // (quoted-printable or 8bit), half of them also in text/html (multipart/alternative), and
  // almost half with 1 to 3 attached documents (one in five a long PDF report). Two markers in
  // the body, three in each attachment.
  Document Mail(std::string name) {
    Document doc{.name = std::move(name), .format = "eml", .markers = Markers(2)};
    const std::string from = prose_.PersonName(), to = prose_.PersonName();
    const std::vector<std::string> paragraphs =
        MarkedParagraphs(static_cast<size_t>(rng_.LogBetween(40, 900)), doc.markers);
    const std::string greeting = "Hello " + to.substr(0, to.find(' ')) + ",";
    const std::string signature[] = {"Best regards,", from, prose_.Title()};
    // Our prose holds no character that HTML would need escaped.
    std::string plain = greeting + "\n\n", html = "<html><body>\n<p>" + greeting + "</p>\n";
    for (const std::string& paragraph : paragraphs) {
      for (const std::string& line : Wrap(paragraph, 72)) plain += line + '\n';
      plain += '\n';
      html += "<p>" + paragraph + "</p>\n";
    }
    html += "<p>";
    for (const std::string& line : signature) {
      plain += line + '\n';
      html += line + (&line == &signature[2] ? "</p>\n" : "<br>\n");
    }
    html += "</body></html>\n";
    const char* encoding = rng_.Chance(0.5) ? "quoted-printable" : "8bit";
    docs::MimeEntity body = docs::TextPart("plain", "utf-8", plain, encoding);
    if (rng_.Chance(0.5)) {
      body = docs::Multipart("alternative", {body, docs::TextPart("html", "utf-8", html, encoding)},
                             "alt-" + std::to_string(index_));
    }
    if (rng_.Chance(0.45)) {
      std::vector<docs::MimeEntity> parts = {body};
      std::set<std::string> stems;
      for (int i = rng_.Between(1, 3); i > 0; --i) {
        std::string stem = prose_.Stem();
        while (!stems.insert(stem).second) stem += "-" + std::to_string(i);
        // One attachment in five is a long report (0.2-1 MB, a third more in base64).
        Document attachment =
            rng_.Chance(0.2) ? Pdf(stem + ".pdf", rng_.Between(40, 250)) : Member("", stem);
        parts.push_back(
            docs::Attachment(MimeType(attachment.format), attachment.name, attachment.bytes));
        attachment.bytes.clear();  // in the mail now
        doc.members.push_back(std::move(attachment));
      }
      body = docs::Multipart("mixed", std::move(parts), "mix-" + std::to_string(index_));
    }
    const int year = rng_.Between(2016, 2024);
    docs::MailFields headers = {
        {"From", from + " <" + Address(from) + ">"},
        {"To", to + " <" + Address(to) + ">"},
        {"Subject", prose_.Title()},
        {"Date", MailDate(year, rng_.Between(1, 12), rng_.Between(1, 28), rng_.Between(7, 19),
                          rng_.Between(0, 59), rng_.Between(-5, 3))},
        {"Message-ID", "<" + std::to_string(rng_.Next()) + "@example.com>"}};
    if (rng_.Chance(0.3)) {
      const std::string cc = prose_.PersonName();
      headers.insert(headers.begin() + 2, {"Cc", cc + " <" + Address(cc) + ">"});
    }
    doc.bytes = docs::MakeMessage(headers, body);
    return doc;
  }

  Rng rng_;
  Prose prose_;
  MarkerSource markers_;
  size_t index_ = 0;
};

CorpusGenerator::CorpusGenerator(uint64_t seed) : impl_(std::make_unique<Impl>(seed)) {}
CorpusGenerator::~CorpusGenerator() = default;

Document CorpusGenerator::Next() {
  return impl_->Next();
}

}  // namespace archivum::bench
