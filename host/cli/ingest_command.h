// `archivum ingest PATH`: asks the daemon to catalog a file or directory and reports what
// happened. Kept apart from the other commands because it will grow a progress display fed by
// the IngestStream RPC.
#pragma once

#include <string>
#include <string_view>

#include "aichemist_archivum.pb.h"
#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

struct IngestOptions {
  std::string path;
  bool quiet = false;
  bool no_progress = false;
};

// Whether `ingest` draws a progress bar: only for a person watching (stdout is a terminal), never
// with --json or --quiet or --no-progress.
bool WantsProgress(const IngestOptions& options, const GlobalOptions& globals, bool stdout_is_tty);

// One progress line: "[#####-----]  1234/23000 files  5%  4321 files/s  0:05". `width` is the
// bar's width in cells.
std::string FormatProgress(uint64_t done, uint64_t total, double seconds, int width = 30);

// Registers the `ingest` subcommand on `app`, binding its arguments to *options, which must
// outlive parsing. Returns the subcommand (owned by `app`).
CLI::App* AddIngestCommand(CLI::App& app, IngestOptions* options);

// Sends Ingest for options.path (made absolute against the working directory) and prints the
// summary as text or JSON, or nothing with --quiet. Ingest has no deadline unless --timeout is
// given, because a large tree legitimately takes long. Returns the process exit code.
int RunIngest(const IngestOptions& options, const GlobalOptions& globals, const Streams& io);

// The text form of an ingest summary for `path`: one counter per line, then the errors the
// server listed (noting when it listed fewer than failed). Ends with '\n'.
std::string FormatIngestSummary(std::string_view path,
                                const aichemist_archivum::IngestSummary& summary);

}  // namespace archivum::cli
