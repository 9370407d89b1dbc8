#include "cli/ingest_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <utility>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/paths.h"
#include "cli/text.h"

namespace archivum::cli {

CLI::App* AddIngestCommand(CLI::App& app, IngestOptions* options) {
  CLI::App* cmd =
      app.add_subcommand("ingest", "Catalog a file or directory on the daemon's machine");
  cmd->footer(
      "Waits until the whole path is processed (no deadline unless --timeout is given), then\n"
      "prints the counters and the first errors the daemon reported.");
  cmd->add_option("path", options->path,
                  "File or directory; a relative path is resolved against the current directory")
      ->required();
  cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success (even with --json)");
  return cmd;
}

int RunIngest(const IngestOptions& options, const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::IngestRequest request;
  request.set_path(MakeAbsolute(options.path));
  aichemist_archivum::IngestSummary summary;
  const int code =
      RunRpc(globals, /*command_default=*/std::nullopt, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               return aichemist_archivum::FileManager::NewStub(channel)->Ingest(&context, request,
                                                                                &summary);
             });
  if (code != kExitOk || options.quiet) return code;
  if (globals.json) return PrintJson(summary, io);
  io.out << FormatIngestSummary(request.path(), summary);
  return kExitOk;
}

std::string FormatIngestSummary(std::string_view path,
                                const aichemist_archivum::IngestSummary& summary) {
  constexpr std::size_t kLabelWidth = 15;  // "plugin errors" plus a gap
  std::string bytes = FormatBytes(summary.bytes_ingested());
  if (summary.bytes_ingested() >= 1024) {
    bytes += " (" + std::to_string(summary.bytes_ingested()) + " bytes)";
  }
  const std::array<std::pair<std::string_view, std::string>, 9> rows = {{
      {"seen", std::to_string(summary.files_seen())},
      {"ingested", std::to_string(summary.files_ingested())},
      {"unchanged", std::to_string(summary.files_unchanged())},
      {"failed", std::to_string(summary.files_failed())},
      {"plugin errors", std::to_string(summary.plugin_errors())},
      {"skipped", std::to_string(summary.files_skipped())},
      {"removed", std::to_string(summary.files_removed())},
      {"bytes", bytes},
      // The server measures in milliseconds; "0 us" would claim a precision it does not have.
      {"duration", summary.duration_ms() == 0
                       ? std::string("< 1 ms")
                       : FormatDuration(std::chrono::milliseconds(summary.duration_ms()))},
  }};

  std::string out = "ingest " + OneLine(path) + '\n';
  for (const auto& [label, value] : rows) {
    out.append("  ").append(label).append(kLabelWidth - label.size(), ' ');
    out.append(value).push_back('\n');
  }

  // The server lists failed files and plugin failures together, and only the first ones.
  const auto listed = static_cast<std::uint64_t>(summary.errors_size());
  const std::uint64_t reported = summary.files_failed() + summary.plugin_errors();
  if (listed == 0) return out;
  if (listed < reported) {
    out += "errors (first " + std::to_string(listed) + " of " + std::to_string(reported) + "):\n";
  } else {
    out += "errors (" + std::to_string(listed) + "):\n";
  }
  for (const aichemist_archivum::IngestError& error : summary.errors()) {
    out += "  " + OneLine(error.path()) + ": ";
    if (error.code() != 0) out += StatusCodeName(error.code()) + ": ";
    out += OneLine(error.message()) + '\n';
  }
  return out;
}

}  // namespace archivum::cli
