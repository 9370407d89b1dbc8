#include "cli/analyze_command.h"

#include <CLI/CLI.hpp>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/text.h"

namespace archivum::cli {
namespace {

// Sized so a row fits a 140-column terminal; --json has the full values.
constexpr std::size_t kPathWidth = 60;
constexpr std::size_t kSnippetWidth = 70;

std::string Plural(std::uint64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// `total` is "when known": one smaller than the number of hits returned means the server did
// not count, and the line then says only what was shown.
std::string CountLine(std::uint64_t shown, std::uint64_t total, std::uint32_t offset) {
  const std::string from_offset = offset == 0 ? "" : " from offset " + std::to_string(offset);
  if (total < shown) return Plural(shown, "result") + from_offset;
  if (shown == total && offset == 0) return Plural(total, "result");
  if (shown == 0) {
    if (total == 0) return Plural(0, "result") + from_offset;
    return Plural(total, "result") + " (none at offset " + std::to_string(offset) + ")";
  }
  return Plural(total, "result") + " (showing " + std::to_string(offset + 1) + "-" +
         std::to_string(offset + shown) + ")";
}

}  // namespace

CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeOptions* options) {
  CLI::App* cmd = app.add_subcommand("analyze", "Query the catalog; list matches, best first");
  cmd->footer(
      "The words are joined by spaces into one query. Put -- before a query that starts with\n"
      "'-' (archivum analyze -- -draft report), and quote phrases for the shell.");
  cmd->add_option("query", options->words, "Query words, e.g. report mime:application/pdf")
      ->required();
  cmd->add_option("-n,--limit", options->limit, "Maximum hits (0: the server's default, 20)");
  cmd->add_option("--offset", options->offset, "Best hits to skip, for paging");
  return cmd;
}

int RunAnalyze(const AnalyzeOptions& options, const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::AnalyzeRequest request;
  std::string query;
  for (const std::string& word : options.words) {
    if (!query.empty()) query += ' ';
    query += word;
  }
  request.set_query(query);
  request.set_limit(options.limit);
  request.set_offset(options.offset);
  aichemist_archivum::AnalyzeResponse response;
  const int code =
      RunRpc(globals, kDefaultCallTimeout, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               return aichemist_archivum::FileManager::NewStub(channel)->Analyze(&context, request,
                                                                                 &response);
             });
  if (code != kExitOk) return code;
  if (globals.json) return PrintJson(response, io);
  io.out << FormatAnalyzeResponse(response, options.offset);
  return kExitOk;
}

std::string FormatAnalyzeResponse(const aichemist_archivum::AnalyzeResponse& response,
                                  std::uint32_t offset) {
  Table table({
      {"PATH", Table::Align::kLeft, kPathWidth, Elide::kStart},
      {"SCORE", Table::Align::kRight},
      {"SNIPPET", Table::Align::kLeft, kSnippetWidth, Elide::kEnd},
  });
  if (response.hits_size() > 0) {
    for (const aichemist_archivum::Hit& hit : response.hits()) {
      table.AddRow({hit.path(), FormatScore(hit.score()), hit.snippet()});
    }
  } else {
    // A server that fills only the seed's field still gets a readable answer.
    for (const std::string& path : response.results()) table.AddRow({path, "-", ""});
  }
  std::string out;
  if (table.rows() > 0) out = table.Render();
  return out + CountLine(table.rows(), response.total(), offset) + '\n';
}

}  // namespace archivum::cli
