// `archivum quarantine list|clear`: the content plugins crashed or timed out on, which the daemon
// no longer gives them, and the operator's way to let them see it again.
#pragma once

#include <string>

#include "aichemist_archivum.pb.h"
#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

struct QuarantineOptions {
  enum class Action { kNone, kList, kClear };
  Action action = Action::kNone;  // set by parsing: which of the two subcommands was given
  // clear's filters; `all` stands for "no filter", which must be asked for explicitly.
  std::string plugin;
  std::string sha256;
  bool all = false;
};

// Registers `quarantine` with its subcommands `list` and `clear` on `app`, binding their options
// to *options, which must outlive parsing. `clear` needs --plugin and/or --sha256, or --all (and
// then neither): a usage error otherwise. Returns the `quarantine` subcommand (owned by `app`).
CLI::App* AddQuarantineCommand(CLI::App& app, QuarantineOptions* options);

// Sends ListQuarantine or ClearQuarantine and prints the answer as text or JSON. Returns the
// process exit code.
int RunQuarantine(const QuarantineOptions& options, const GlobalOptions& globals,
                  const Streams& io);

// The text form of `list`: one row per entry (SHA256 as its first 12 hex digits, PLUGIN as
// name@version, REASON, PATH, RECORDED), then a count line. Ends with '\n'.
std::string FormatQuarantine(const aichemist_archivum::ListQuarantineResponse& response);

// The text form of `clear`: "cleared N entries". Ends with '\n'.
std::string FormatCleared(const aichemist_archivum::ClearQuarantineResponse& response);

}  // namespace archivum::cli
