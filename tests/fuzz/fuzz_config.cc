// libFuzzer harness: the YAML config loader, as archivumd --config / --check-config runs it.
//
// The input is the file's content. Contracts checked beyond "no crash, no sanitizer report, no
// escaping exception": ParseConfig fails only with INVALID_ARGUMENT whose message starts with the
// source name (the documented "file:line:col: key.path: ..." shape); a config it accepts passes
// Validate, and its plugin config JSON is valid JSON. A broken contract aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/config.h"

namespace {

constexpr char kSource[] = "fuzz.yaml";

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  // A base directory that does not exist: parsing must not depend on the file system.
  auto config = archivum::config::ParseConfig(yaml, kSource, "/nonexistent/archivum-fuzz");
  if (!config.ok()) {
    const auto& st = config.status();
    if (st.code() != archivum::StatusCode::kInvalidArgument) {
      Fail("ParseConfig failed with " + st.ToString());
    }
    if (st.message().rfind(std::string(kSource) + ":", 0) != 0) {
      Fail("error does not start with the source name: " + st.message());
    }
    return 0;
  }
  if (const auto valid = archivum::config::Validate(*config); !valid.ok()) {
    Fail("accepted config fails Validate: " + valid.ToString());
  }
  for (const auto& [name, settings] : config->plugins.settings) {
    if (settings.config_json.empty()) continue;
    if (!nlohmann::json::accept(settings.config_json)) {
      Fail("plugin " + name + " config is not JSON: " + settings.config_json);
    }
  }
  return 0;
}
