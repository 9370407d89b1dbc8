#include "cli/ingest_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
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
  cmd->add_flag("--no-progress", options->no_progress,
                "Do not draw the progress bar (drawn on stderr when stdout is a terminal)");
  return cmd;
}

bool WantsProgress(const IngestOptions& options, const GlobalOptions& globals, bool stdout_is_tty) {
  return stdout_is_tty && !globals.json && !options.quiet && !options.no_progress;
}

std::string FormatProgress(uint64_t done, uint64_t total, double seconds, int width) {
  const double fraction = total == 0 ? 1.0 : std::min(1.0, double(done) / double(total));
  const int filled = static_cast<int>(fraction * width);
  std::string line = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] ";
  line += std::to_string(done) + "/" + std::to_string(total) + " files  ";
  line += std::to_string(static_cast<int>(fraction * 100)) + "%  ";
  const double rate = seconds > 0 ? done / seconds : 0;
  line += std::to_string(static_cast<uint64_t>(rate)) + " files/s  ";
  const auto secs = static_cast<uint64_t>(seconds);
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%llu:%02llu", static_cast<unsigned long long>(secs / 60),
                static_cast<unsigned long long>(secs % 60));
  return line + elapsed;
}

namespace {

// Ingest through IngestStream, redrawing one progress line on `err` per event (at most ~10 times
// a second), and rebuilding the summary from the final totals and the failure events.
int RunIngestWithProgress(const aichemist_archivum::IngestRequest& request,
                          const GlobalOptions& globals, const Streams& io,
                          aichemist_archivum::IngestSummary* summary) {
  const auto start = std::chrono::steady_clock::now();
  auto last_draw = start - std::chrono::seconds(1);
  bool drew = false;
  const int code = RunRpc(
      globals, std::nullopt, io.err,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
        auto reader =
            aichemist_archivum::FileManager::NewStub(channel)->IngestStream(&context, request);
        aichemist_archivum::IngestEvent event;
        while (reader->Read(&event)) {
          google::protobuf::RepeatedPtrField<aichemist_archivum::IngestError> errors =
              summary->errors();
          *summary = event.totals();
          *summary->mutable_errors() = std::move(errors);
          const bool failed = event.outcome() == aichemist_archivum::IngestEvent::FAILED;
          const bool plugin_error = event.outcome() == aichemist_archivum::IngestEvent::INGESTED &&
                                    !event.message().empty();
          if ((failed || plugin_error) && summary->errors_size() < 20) {
            auto* e = summary->add_errors();
            e->set_path(event.path());
            e->set_message(event.message());
          }
          const auto now = std::chrono::steady_clock::now();
          const uint64_t done = event.totals().files_ingested() + event.totals().files_unchanged() +
                                event.totals().files_failed() + event.totals().files_skipped();
          // Throttled to ~10 frames a second, but the completing frame is always drawn.
          if (now - last_draw >= std::chrono::milliseconds(100) ||
              done == event.files_discovered()) {
            last_draw = now;
            io.err << '\r'
                   << FormatProgress(done, event.files_discovered(),
                                     std::chrono::duration<double>(now - start).count())
                   << std::flush;
            drew = true;
          }
        }
        return reader->Finish();
      });
  if (drew) io.err << "\r\033[K" << std::flush;  // erase the bar before the summary
  summary->set_duration_ms(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count()));
  return code;
}

}  // namespace

int RunIngest(const IngestOptions& options, const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::IngestRequest request;
  request.set_path(MakeAbsolute(options.path));
  aichemist_archivum::IngestSummary summary;
  if (WantsProgress(options, globals, ::isatty(STDOUT_FILENO) == 1)) {
    const int code = RunIngestWithProgress(request, globals, io, &summary);
    if (code != kExitOk) return code;
    io.out << FormatIngestSummary(request.path(), summary);
    return kExitOk;
  }
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
