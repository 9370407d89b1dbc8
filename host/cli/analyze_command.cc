#include "cli/analyze_command.h"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

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

struct SortName {
  const char* name;
  aichemist_archivum::AnalyzeRequest::Sort sort;
};
constexpr SortName kSortNames[] = {
    {"relevance", aichemist_archivum::AnalyzeRequest::SORT_RELEVANCE},
    {"newest", aichemist_archivum::AnalyzeRequest::SORT_MODIFIED_DESC},
    {"oldest", aichemist_archivum::AnalyzeRequest::SORT_MODIFIED_ASC},
    {"largest", aichemist_archivum::AnalyzeRequest::SORT_SIZE_DESC},
    {"smallest", aichemist_archivum::AnalyzeRequest::SORT_SIZE_ASC},
    {"name", aichemist_archivum::AnalyzeRequest::SORT_NAME_ASC},
    {"name-desc", aichemist_archivum::AnalyzeRequest::SORT_NAME_DESC},
};

// "mime: text/plain 3, application/pdf 1; 2 other"
std::string FacetLine(const aichemist_archivum::Facet& facet) {
  std::string line = facet.name() + ":";
  for (int i = 0; i < facet.values_size(); ++i) {
    const aichemist_archivum::FacetValue& v = facet.values(i);
    line += i == 0 ? " " : ", ";
    line += v.value().empty() ? "(none)" : v.value();
    line += " " + std::to_string(v.count());
  }
  if (facet.other() > 0) line += "; " + std::to_string(facet.other()) + " other";
  return line + '\n';
}

}  // namespace

aichemist_archivum::AnalyzeRequest::Sort SortByName(const std::string& name) {
  for (const SortName& s : kSortNames) {
    if (name == s.name) return s.sort;
  }
  return aichemist_archivum::AnalyzeRequest::SORT_UNSPECIFIED;
}

CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeOptions* options) {
  CLI::App* cmd = app.add_subcommand("analyze", "Query the catalog; list matches, best first");
  cmd->footer(
      "The words are joined by spaces into one query. Put -- before a query that starts with\n"
      "'-' (archivum analyze -- -draft report), and quote phrases for the shell.");
  cmd->add_option("query", options->words, "Query words, e.g. report mime:application/pdf")
      ->required();
  cmd->add_option("-n,--limit", options->limit, "Maximum hits (0: the server's default, 20)");
  cmd->add_option("--offset", options->offset, "Best hits to skip, for paging");
  std::vector<std::string> sorts;
  for (const SortName& s : kSortNames) sorts.emplace_back(s.name);
  cmd->add_option("--sort", options->sort,
                  "Order of the hits: relevance (default), newest, oldest, largest, smallest, "
                  "name, name-desc")
      ->check(CLI::IsMember(sorts));
  cmd->add_flag("--facets", options->facets,
                "Also count the whole result set by MIME type, extension, year, month, size and "
                "metadata (one line per facet)");
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
  request.set_sort(SortByName(options.sort));
  request.set_facets(options.facets);
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
  out += CountLine(table.rows(), response.total(), offset) + '\n';
  for (const aichemist_archivum::Facet& facet : response.facets()) out += FacetLine(facet);
  return out;
}

}  // namespace archivum::cli
