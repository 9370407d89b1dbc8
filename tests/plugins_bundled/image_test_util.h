// Shared by the image plugin's tests: running image::Process on bytes and recording what it
// emitted, the code it returned or the error it threw.
#pragma once

#include <string>
#include <string_view>

#include "archivum/plugin.hpp"
#include "image/image_extractor.h"
#include "plugins_bundled/test_util.h"

namespace archivum::bundled::image::testing {

using bundled::testing::RecordingSink;
using bundled::testing::TestFile;

// The outcome of one Process call: its code, or the code and message of the sdk::Error it threw.
struct Outcome {
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
};

inline Outcome RunImage(const TestFile& file, RecordingSink& sink, const Options& options = {}) {
  sdk::File f(file.get());
  sdk::Sink s(sink.get());
  try {
    return {Process(f, s, options), ""};
  } catch (const sdk::Error& e) {
    return {e.code(), e.what()};
  }
}

inline Outcome RunImage(const std::string& bytes, std::string_view mime, RecordingSink& sink,
                        const Options& options = {}, std::string path = "/photos/a.jpg") {
  TestFile file(std::move(path), bytes, std::string(mime));
  return RunImage(file, sink, options);
}

// Whether a log line containing `text` was written.
inline bool Logged(const RecordingSink& sink, std::string_view text) {
  for (const auto& line : sink.logs) {
    if (line.message.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace archivum::bundled::image::testing
