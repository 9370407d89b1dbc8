// `archivum plugins`: lists the analyzer plugins the daemon found, with their state and counters.
#pragma once

#include <string>

#include "aichemist_archivum.pb.h"
#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

// Registers the `plugins` subcommand on `app`. Returns the subcommand (owned by `app`).
CLI::App* AddPluginsCommand(CLI::App& app);

// Sends ListPlugins and prints a table or JSON. Returns the process exit code.
int RunPlugins(const GlobalOptions& globals, const Streams& io);

// The text form: one row per plugin (NAME VERSION ABI STAGE STATE ACCEPTS CALLS ERRORS TIME), then
// indented lines beneath it: the reason of a failed or disabled plugin; "isolation: PLACEMENT
// (group GROUP)" when the placement is known, followed (on the same line) by "crashes N, timeouts
// N, restarts N, quarantined N" when any of them is not zero; "sandbox: WARNING" for each sandbox
// warning. Last, a count line with the host's ABI version. Ends with '\n'.
std::string FormatPlugins(const aichemist_archivum::ListPluginsResponse& response);

}  // namespace archivum::cli
