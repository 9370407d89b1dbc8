// `archivum upload FILE`: streams a local file to the daemon (the Upload RPC), which runs it
// through the analyzers and catalogs it as "upload:<name>". For files the daemon's machine
// cannot see.
#pragma once

#include <string>

#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

struct UploadOptions {
  std::string file;
  std::string name;  // default: the file's base name
  bool quiet = false;
};

// Registers `upload`; *options must outlive parsing. Returns the subcommand (owned by `app`).
CLI::App* AddUploadCommand(CLI::App& app, UploadOptions* options);

// Reads the file in 64 KiB chunks (never whole into memory) and streams it; prints the summary
// like `ingest`. A file that cannot be read is a usage error (exit 2). Returns the exit code.
int RunUpload(const UploadOptions& options, const GlobalOptions& globals, const Streams& io);

}  // namespace archivum::cli
