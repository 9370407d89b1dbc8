// The generated document corpus of the bench: files of the formats a desktop search tool reads
// (PDF, DOCX, XLSX, ODT, EML, ZIP, TAR.GZ; text files inside the archives), in sizes like real
// ones, each holding unique marker words in its text so that the bench can check what an
// indexer found. The same seed and count give the same corpus, byte for byte.
//
// Thread safety: a CorpusGenerator is not safe for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "documents/manifest.h"
#include "documents/prose.h"

namespace archivum::bench {

// A generated file, or a member of one (an archive member or a mail attachment).
struct Document {
  // A file: its path relative to the corpus root ("finance/2023/budget-review-0042.xlsx"). A
  // member: its name in the container ("docs/notes.pdf"), which is also the name an indexer
  // shows after "!/".
  std::string name = {};
  std::string format = {};  // pdf, txt, docx, xlsx, odt, eml, zip, tar.gz
  std::string bytes = {};
  // The marker words in this document's own text (not those of its members).
  std::vector<std::string> markers = {};
  std::vector<Document> members = {};
};

// The manifest entries of `file` and its members, in order.
std::vector<ManifestEntry> ManifestEntries(const Document& file);

class CorpusGenerator {
 public:
  explicit CorpusGenerator(uint64_t seed);
  ~CorpusGenerator();
  CorpusGenerator(const CorpusGenerator&) = delete;
  CorpusGenerator& operator=(const CorpusGenerator&) = delete;

  // The next file of the corpus. The first N calls make the corpus of N files; each call
  // depends on the ones before it (the markers are unique across the corpus).
  Document Next();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace archivum::bench
