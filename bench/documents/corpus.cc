#include "documents/corpus.h"

#include <cstdio>
#include <set>
#include <utility>

#include "support/documents/archive_writer.h"
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

}  // namespace

std::vector<ManifestEntry> ManifestEntries(const Document& file) {
  std::vector<ManifestEntry> out;
  for (const std::string& marker : file.markers)
    out.push_back({marker, file.name, file.format, "-"});
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
    if (roll < 0.60) return Pdf(base + ".pdf", PdfPages());
    if (roll < 0.80) return Archive(base + ".zip", docs::ArchiveFormat::kZip);
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

  // Most PDFs have 1 to 40 pages, short ones the most common; one in fifty is a manual of
  // hundreds of pages (several MB).
  int PdfPages() { return rng_.Chance(0.02) ? rng_.Between(150, 800) : rng_.LogBetween(1, 40); }

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

  // Plain text wrapped at 72 columns, a blank line between paragraphs.
  Document Text(std::string name, size_t words) {
    Document doc{.name = std::move(name), .format = "txt", .markers = Markers()};
    for (const std::string& paragraph : MarkedParagraphs(words, doc.markers)) {
      if (!doc.bytes.empty()) doc.bytes += '\n';
      for (const std::string& line : Wrap(paragraph, 72)) doc.bytes += line + '\n';
    }
    return doc;
  }

  // A document to put in an archive, named `stem` plus its extension, under `folder`.
  Document Member(const std::string& folder, const std::string& stem) {
    const double roll = rng_.Unit();
    if (roll < 0.5) return Pdf(folder + stem + ".pdf", rng_.LogBetween(1, 12));
    return Text(folder + stem + ".txt", static_cast<size_t>(rng_.LogBetween(150, 4000)));
  }

  // An archive of 3 to 12 documents and text files, one in twenty of 20 to 60 (a project's
  // hand-over, several MB).
  Document Archive(std::string name, docs::ArchiveFormat format) {
    Document doc{.name = std::move(name),
                 .format = format == docs::ArchiveFormat::kZip ? "zip" : "tar.gz"};
    const int count = rng_.Chance(0.05) ? rng_.Between(20, 60) : rng_.Between(3, 12);
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
