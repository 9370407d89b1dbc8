#include "similar/similarity_index.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "archivum/plugin.hpp"
#include "common/config.h"

namespace archivum::bundled::similar {
namespace {

std::string ParamsTag(const Options& options) {
  return "minhash-v" + std::to_string(kAlgorithmVersion) +
         " hashes=" + std::to_string(options.num_hashes) +
         " shingle=" + std::to_string(options.shingle);
}

std::string Hex64(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

}  // namespace

Options ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json, {"threshold", "num_hashes", "shingle"});
  Options options;
  options.threshold = config.Number("threshold", options.threshold, 0.0, 1.0);
  options.num_hashes = static_cast<int>(config.Integer("num_hashes", options.num_hashes, 8, 1024));
  options.shingle = static_cast<int>(config.Integer("shingle", options.shingle, 1, 16));
  return options;
}

SimilarityIndex::SimilarityIndex(const Options& options, std::string_view data_dir,
                                 const std::function<void(std::string_view)>& log)
    : options_(options), hasher_(options.num_hashes, options.shingle) {
  std::string file;
  if (!data_dir.empty()) file = (std::filesystem::path(data_dir) / kDatabaseName).string();
  size_t dropped = 0;
  store_ = SignatureStore::Open(file, ParamsTag(options_), &dropped);
  if (!log) return;
  if (file.empty()) {
    log("no data directory: signatures are kept in memory and lost on restart");
  }
  if (dropped > 0) {
    log("settings changed (now " + ParamsTag(options_) + "): dropped " + std::to_string(dropped) +
        " stored signatures; re-ingest files to compare them again");
  }
}

SimilarityIndex::Indexed SimilarityIndex::Index(std::string_view path, std::string_view text,
                                                const std::function<bool()>& cancelled) {
  Indexed indexed;
  const std::optional<MinHashResult> result = hasher_.Compute(text, cancelled);
  if (cancelled && cancelled()) {
    indexed.status = Status::kCancelled;
    return indexed;
  }
  if (!result) {
    store_->Remove(path);
    indexed.status = Status::kNoText;
    return indexed;
  }
  store_->Put(path, result->signature);
  indexed.status = Status::kStored;
  indexed.shingles = result->shingles;
  indexed.signature_prefix = Hex64(result->signature.front());
  return indexed;
}

std::vector<SimilarityIndex::Hit> SimilarityIndex::FindSimilar(std::string_view path) {
  if (path.empty()) {
    throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT,
                     "similar: needs the path of a cataloged file, e.g. similar:/docs/report.txt");
  }
  const std::optional<Signature> subject = store_->Get(path);
  if (!subject) {
    throw sdk::Error(ARCHIVUM_NOT_FOUND, "similar: no signature for '" + std::string(path) +
                                             "' (not ingested, or no text was extracted from it)");
  }
  std::vector<Hit> hits;
  store_->ForEach([&](std::string_view other, const Signature& signature) {
    if (other == path) return;
    const double score = MinHasher::Estimate(*subject, signature);
    if (score >= options_.threshold) hits.push_back({std::string(other), score});
  });
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.score != b.score ? a.score > b.score : a.path < b.path;
  });
  return hits;
}

}  // namespace archivum::bundled::similar
