// `archivum watch`: the daemon's watch mode (ingest.watch): each watched directory, its state, the
// changes waiting to settle and the last rescan.
#pragma once

#include <string>

#include "aichemist_archivum.pb.h"
#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

// Registers the `watch` subcommand on `app`. Returns the subcommand (owned by `app`).
CLI::App* AddWatchCommand(CLI::App& app);

// Sends GetWatchStatus and prints a table or JSON. Returns the process exit code.
int RunWatch(const GlobalOptions& globals, const Streams& io);

// The text form: one row per root (PATH STATE DIRS PENDING EVENTS ANALYZED REMOVED MOVES
// RESCANNED), with RESCANNED as "TIME (REASON)" or "-"; beneath a row, "reason: ..." and
// "error: ..." lines when the daemon gave them. Last, a count line with the settle time, or
// "nothing is watched (ingest.watch is empty)". Ends with '\n'.
std::string FormatWatchStatus(const aichemist_archivum::WatchStatus& status);

}  // namespace archivum::cli
