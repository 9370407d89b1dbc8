// `archivum analyze QUERY...`: runs a query over the catalog and shows the ranked hits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aichemist_archivum.pb.h"
#include "cli/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace archivum::cli {

struct AnalyzeOptions {
  std::vector<std::string> words;  // joined by single spaces into the query
  std::uint32_t limit = 0;         // 0: the server's default
  std::uint32_t offset = 0;
  // One of kSortNames (empty: relevance, the server's default).
  std::string sort;
  bool facets = false;  // ask for the facet counts (AnalyzeRequest.facets)
};

// The --sort names, each with the AnalyzeRequest.Sort it sends: relevance, newest, oldest,
// largest, smallest, name (A to Z), name-desc.
aichemist_archivum::AnalyzeRequest::Sort SortByName(const std::string& name);

// Registers the `analyze` subcommand on `app`, binding its arguments to *options, which must
// outlive parsing. Returns the subcommand (owned by `app`).
CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeOptions* options);

// Sends Analyze and prints the hits as a table or JSON. Returns the process exit code.
int RunAnalyze(const AnalyzeOptions& options, const GlobalOptions& globals, const Streams& io);

// The text form of a response to a request that skipped `offset` hits: a PATH / SCORE / SNIPPET
// table (long paths keep their tail, long snippets their start) and a count line such as
// "3 results" or "57 results (showing 21-40)". Falls back to the bare `results` paths when a
// server sends no hits. Then one line per facet the response carries, such as
// "extension: pdf 12, txt 3, (none) 1; 2 other". Ends with '\n'.
std::string FormatAnalyzeResponse(const aichemist_archivum::AnalyzeResponse& response,
                                  std::uint32_t offset);

}  // namespace archivum::cli
