// What every subcommand of `archivum` receives: the global options and where to write.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "cli/credentials.h"

namespace archivum::cli {

// Options valid before or after any subcommand.
struct GlobalOptions {
  // "HOST:PORT" (any gRPC target string works, e.g. "unix:/run/archivum.sock").
  std::string server;
  // Print the response as protobuf JSON instead of text.
  bool json = false;
  // --timeout in seconds when given; nullopt when absent (the command's default applies).
  std::optional<double> timeout_seconds;
  // TLS and the bearer token for every call, read from the --tls-* and --token options.
  Security security;
};

// Results go to `out`, diagnostics to `err`. Both outlive the command.
struct Streams {
  std::ostream& out;
  std::ostream& err;
};

}  // namespace archivum::cli
