// Helpers shared by the archive plugin's tests: running ExtractMembers on bytes and reading the
// result the way the host would (the C++ helper's Guard turns a thrown sdk::Error into a code
// plus last_error).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archive/archive_extractor.h"
#include "archivum/plugin.hpp"
#include "plugins_bundled/test_util.h"

namespace archivum::bundled::archives::testing {

using bundled::testing::RecordingSink;
using bundled::testing::TestFile;

// What one ExtractMembers call returned: its code and, for a failure, the error message.
struct Outcome {
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
};

inline Outcome Extract(const TestFile& file, RecordingSink& sink) {
  Outcome outcome;
  const sdk::File f(file.get());
  sdk::Sink s(sink.get());
  outcome.rc = sdk::detail::Guard(outcome.error, [&] { return ExtractMembers(f, s); });
  return outcome;
}

// Runs ExtractMembers on `bytes` named `display_name`.
inline Outcome Extract(std::string_view bytes, RecordingSink& sink,
                       const std::string& display_name = "test.archive") {
  const TestFile file(display_name, bytes);
  return Extract(file, sink);
}

// The names of the recorded children, in order.
inline std::vector<std::string> Names(const RecordingSink& sink) {
  std::vector<std::string> names;
  for (const auto& child : sink.children) names.push_back(child.name);
  return names;
}

}  // namespace archivum::bundled::archives::testing
