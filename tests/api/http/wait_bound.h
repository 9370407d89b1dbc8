// How long a gateway test waits for anything before it fails: generous, so that only a hang
// reaches it, never a slow machine.
#pragma once

#include <chrono>

namespace archivum::http_testing {

inline constexpr auto kBound = std::chrono::seconds(30);

}  // namespace archivum::http_testing
