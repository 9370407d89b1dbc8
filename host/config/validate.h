// The rules Validate() applies, in a form the YAML loader can attach a file location to.
//
// Private to host/config. Thread safety: pure function.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace archivum::config {

struct FieldError {
  std::string path;     // YAML key path, e.g. "server.grpc.listen" or "ingest.roots[2]"
  std::string message;  // "<what was expected>, got '<value>'"
};

// The first field (in file order) that breaks a rule, or nullopt if the config is valid.
std::optional<FieldError> FindInvalidField(const Config& config);

}  // namespace archivum::config
