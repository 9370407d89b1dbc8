// The `hash` plugin: analyze stage, SHA-256 of every file's content.
//
// Config: none ({}). Findings: sha256 (64 lowercase hex digits). No size limit: the content is
// hashed in 1 MiB chunks and the call returns ARCHIVUM_CANCELLED between chunks once the host
// cancels it or its deadline passes.
#include "archivum/plugin.hpp"

#include <string_view>

#include "common/config.h"
#include "hash/hash_analyzer.h"

namespace archivum::bundled::hash {
namespace {

class HashPlugin {
 public:
  static constexpr std::string_view kName = "hash";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription = "SHA-256 of file content (OpenSSL)";
  static constexpr sdk::Stage kStage = sdk::Stage::kAnalyze;
  static constexpr std::string_view kAccept[] = {"*/*"};
  static constexpr bool kThreadSafe = true;  // Sha256 is immutable after construction.

  HashPlugin(std::string_view config_json, const sdk::Host& /*host*/) {
    // No settings yet: parsing refuses any key, so a typo is reported instead of ignored.
    [[maybe_unused]] const PluginConfig config(config_json, {});
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) {
    // Hand hashed pages back every 64 MiB, so a multi-GB mapped file costs bounded memory.
    constexpr uint64_t kReleaseEvery = 64u << 20;
    uint64_t released = 0;
    const auto hex = sha256_.HexDigest(
        file.bytes(), [&file] { return file.cancelled(); }, kDefaultChunkSize,
        [&](size_t done) {
          if (done - released >= kReleaseEvery || done == file.bytes().size()) {
            file.Release(released, done - released);
            released = done;
          }
        });
    if (!hex) return ARCHIVUM_CANCELLED;
    sink.Finding("sha256", *hex);
    return ARCHIVUM_OK;
  }

 private:
  const Sha256 sha256_;
};

}  // namespace
}  // namespace archivum::bundled::hash

ARCHIVUM_PLUGIN(archivum::bundled::hash::HashPlugin)
