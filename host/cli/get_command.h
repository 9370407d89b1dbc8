// `archivum get PATH`: shows one cataloged document, its metadata, parent and children, and what
// the analyzers found in it.
#pragma once

#include <cstdint>
#include <string>

#include "aichemist_archivum.pb.h"
#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

struct GetOptions {
  std::string path;
  uint32_t text_bytes = 0;  // --text: this much of the extracted text (0: none)
  std::string thumbnail;    // --thumbnail: write the thumbnail image to this file
  std::string content;      // --content: write the document's bytes to this file
};

// Registers the `get` subcommand on `app`, binding its argument to *options, which must outlive
// parsing. Returns the subcommand (owned by `app`).
CLI::App* AddGetCommand(CLI::App& app, GetOptions* options);

// The path GetDocument is asked for: "upload:<name>" as given (uploads have no filesystem path),
// anything else made absolute like ingest's argument so `get` finds what `ingest` cataloged.
std::string DocumentPath(const std::string& typed);

// Sends GetDocument and prints the document as text or JSON. Returns the process exit code.
int RunGet(const GetOptions& options, const GlobalOptions& globals, const Streams& io);

// The text form: "label  value" lines for the document's fields (parent only for a member), then
// its metadata as a KEY / VALUE table and its children one per line ("children (first N of
// M):" when not all are listed), each only when it has any, then its findings as a
// PLUGIN / KEY / VALUE table (values are not truncated), then the text when the document carries
// some ("text (N of M bytes):", each marked part between "[KIND from PLUGIN:" and "]").
// Ends with '\n'.
std::string FormatDocument(const aichemist_archivum::Document& document);

}  // namespace archivum::cli
