// archivum_bench_make_corpus: writes the bench's document corpus (bench/documents/corpus.h) and
// its manifest.
//
//   archivum_bench_make_corpus --out DIR [--files 2000] [--seed 1] [--manifest FILE]
//                              [--summary FILE.json]
//
// DIR must not exist yet or be empty. The manifest (default: manifest.tsv next to DIR) has one
// line per marker word, "MARKER<TAB>PATH<TAB>FORMAT<TAB>CONTAINER": PATH is relative to DIR,
// "pack.zip!/docs/notes.pdf" for an archive member or a mail attachment, FORMAT the format of
// the document whose text holds the marker and CONTAINER its container's format ("-" for a file
// of its own). The summary JSON counts files, members, markers and bytes, per format too.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "documents/corpus.h"

namespace {

namespace fs = std::filesystem;
using archivum::bench::Document;

struct Tally {
  size_t count = 0;
  size_t bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_make_corpus: the bench's generated document corpus"};
  std::string out, manifest_path, summary_path;
  size_t files = 2000;
  uint64_t seed = 1;
  app.add_option("--out", out, "directory to write the corpus into (new or empty)")->required();
  app.add_option("--files", files, "number of files (default 2000)")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed of the generator (default 1)");
  app.add_option("--manifest", manifest_path, "the manifest (default: DIR/../manifest.tsv)");
  app.add_option("--summary", summary_path, "write counts and sizes as JSON here");
  CLI11_PARSE(app, argc, argv);

  const fs::path root = fs::absolute(out).lexically_normal();
  std::error_code ec;
  if (fs::exists(root) && !fs::is_empty(root, ec)) {
    std::cerr << "archivum_bench_make_corpus: " << root << " is not empty\n";
    return 2;
  }
  fs::create_directories(root, ec);
  if (ec) {
    std::cerr << "archivum_bench_make_corpus: cannot create " << root << ": " << ec.message()
              << "\n";
    return 1;
  }
  if (manifest_path.empty()) manifest_path = (root.parent_path() / "manifest.tsv").string();
  std::ofstream manifest(manifest_path, std::ios::binary | std::ios::trunc);
  if (!manifest) {
    std::cerr << "archivum_bench_make_corpus: cannot write " << manifest_path << "\n";
    return 1;
  }

  const auto start = std::chrono::steady_clock::now();
  archivum::bench::CorpusGenerator generator(seed);
  std::map<std::string, Tally> files_by_format, members_by_format;
  size_t total_bytes = 0, members = 0, markers = 0;
  for (size_t i = 0; i < files; ++i) {
    const Document file = generator.Next();
    const fs::path path = root / file.name;
    fs::create_directories(path.parent_path());
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream.write(file.bytes.data(), static_cast<std::streamsize>(file.bytes.size()));
    stream.close();
    if (!stream) {
      std::cerr << "archivum_bench_make_corpus: cannot write " << path << "\n";
      return 1;
    }
    for (const auto& e : archivum::bench::ManifestEntries(file)) {
      archivum::bench::WriteManifestEntry(manifest, e);
      ++markers;
    }
    Tally& t = files_by_format[file.format];
    ++t.count;
    t.bytes += file.bytes.size();
    total_bytes += file.bytes.size();
    for (const Document& member : file.members) {
      ++members_by_format[member.format].count;
      ++members;
    }
  }
  manifest.close();
  if (!manifest) {
    std::cerr << "archivum_bench_make_corpus: cannot write " << manifest_path << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::json summary = {{"root", root.string()}, {"manifest", manifest_path},
                            {"seed", seed},          {"files", files},
                            {"bytes", total_bytes},  {"members", members},
                            {"markers", markers},    {"seconds", seconds}};
  for (const auto& [format, t] : files_by_format) {
    summary["files_by_format"][format] = {{"files", t.count}, {"bytes", t.bytes}};
  }
  for (const auto& [format, t] : members_by_format) summary["members_by_format"][format] = t.count;
  std::cerr << "archivum_bench_make_corpus: " << files << " files (" << members << " members), "
            << total_bytes / 1e6 << " MB, " << markers << " markers, " << seconds << " s\n";
  if (!summary_path.empty()) {
    std::ofstream s(summary_path);
    s << summary.dump(1) << "\n";
    if (!s) {
      std::cerr << "archivum_bench_make_corpus: cannot write " << summary_path << "\n";
      return 1;
    }
  }
  return 0;
}
