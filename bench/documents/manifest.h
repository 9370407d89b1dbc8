// The manifest of the generated corpus: one line per marker word,
// "MARKER<TAB>PATH<TAB>FORMAT<TAB>CONTAINER", written by archivum_bench_make_corpus and read by
// archivum_bench_recall.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::bench {

// Where a marker must be found.
struct ManifestEntry {
  std::string marker;
  // Relative path of the document holding it under the corpus root; for a member of a container
  // (an archive member, a mail attachment) "container!/member", e.g. "a/pack.zip!/docs/x.pdf".
  std::string path;
  std::string format;     // the holding document's format: pdf, txt, docx, xlsx, odt, eml
  std::string container;  // the container's format (zip, tar.gz, eml), or "-" for a file

  // The file holding the marker: `path` up to its first "!/".
  std::string_view File() const { return std::string_view(path).substr(0, path.find("!/")); }
  // The member's name in its container ("" for a file of its own).
  std::string_view Member() const {
    const size_t bang = path.find("!/");
    return bang == std::string::npos ? std::string_view() : std::string_view(path).substr(bang + 2);
  }
};

inline void WriteManifestEntry(std::ostream& out, const ManifestEntry& e) {
  out << e.marker << '\t' << e.path << '\t' << e.format << '\t' << e.container << '\n';
}

// The entries of a manifest, in order. Sets *error (and returns what it read so far) on a line
// that does not have four fields.
inline std::vector<ManifestEntry> ReadManifest(std::istream& in, std::string* error) {
  std::vector<ManifestEntry> out;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.push_back(line.substr(start, tab - start));
    }
    fields.push_back(line.substr(start));
    if (fields.size() != 4 || fields[0].empty() || fields[1].empty()) {
      *error = "manifest line " + std::to_string(number) + ": expected 4 tab-separated fields";
      return out;
    }
    out.push_back({fields[0], fields[1], fields[2], fields[3]});
  }
  return out;
}

}  // namespace archivum::bench
