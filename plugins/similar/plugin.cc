// The `similar` plugin: analyze stage plus the query verb `similar`, near-duplicate detection
// over extracted text with MinHash signatures kept in the plugin's data directory.
//
// Config: {"threshold": <(0,1], default 0.5>, "num_hashes": <8..1024, default 128>,
//          "shingle": <words per shingle, 1..16, default 3>}.
// Findings: shingles (count hashed), signature (hex of the first MinHash slot).
// Query: similar:PATH lists every other stored path whose estimated Jaccard similarity to PATH's
// text is >= threshold, best first, with detail "similarity 0.87".
// Files without extracted text are UNSUPPORTED (and lose any signature they had).
#include "archivum/plugin.hpp"

#include <cstdio>
#include <string_view>

#include "similar/similarity_index.h"

namespace archivum::bundled::similar {
namespace {

class SimilarPlugin {
 public:
  static constexpr std::string_view kName = "similar";
  // 1.1.0: one-permutation MinHash (signature format v2); the new version makes the host
  // re-analyze files, so their signatures are recomputed.
  static constexpr std::string_view kVersion = "1.1.0";
  static constexpr std::string_view kDescription =
      "Finds near-duplicate documents (MinHash over word shingles)";
  static constexpr sdk::Stage kStage = sdk::Stage::kAnalyze;
  static constexpr std::string_view kAccept[] = {"*/*"};  // any file with extracted text
  static constexpr std::string_view kQueryVerbs[] = {"similar"};
  static constexpr bool kThreadSafe = true;  // SimilarityIndex is thread-safe.

  SimilarPlugin(std::string_view config_json, const sdk::Host& host)
      : index_(ParseOptions(config_json), host.data_dir(),
               [&host](std::string_view message) { host.Log(sdk::LogLevel::kWarn, message); }) {}

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    const SimilarityIndex::Indexed indexed =
        index_.Index(file.path(), file.text(), [&file] { return file.cancelled(); });
    switch (indexed.status) {
      case SimilarityIndex::Status::kNoText: return ARCHIVUM_UNSUPPORTED;
      case SimilarityIndex::Status::kCancelled: return ARCHIVUM_CANCELLED;
      case SimilarityIndex::Status::kStored: break;
    }
    sink.Finding("shingles", indexed.shingles);
    sink.Finding("signature", indexed.signature_prefix);
    return ARCHIVUM_OK;
  }

  archivum_rc Query(std::string_view verb, std::string_view argument, sdk::QuerySink& sink) {
    if (verb != "similar") {
      throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT,
                       "similar: unknown verb '" + std::string(verb) + "'");
    }
    for (const SimilarityIndex::Hit& hit : index_.FindSimilar(argument)) {
      char detail[32];
      std::snprintf(detail, sizeof(detail), "similarity %.2f", hit.score);
      // The host's hit limit ends the list; the hits so far are the best ones.
      if (sink.Hit(hit.path, hit.score, detail) == ARCHIVUM_RESOURCE_EXHAUSTED) break;
    }
    return ARCHIVUM_OK;
  }

  // The host calls this before it catalogs the files processed so far (plugin.h, flush).
  void Flush() { index_.Flush(); }

 private:
  SimilarityIndex index_;
};

}  // namespace
}  // namespace archivum::bundled::similar

ARCHIVUM_PLUGIN(archivum::bundled::similar::SimilarPlugin)
