#include "cli/quarantine_command.h"

#include <CLI/CLI.hpp>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/text.h"

namespace archivum::cli {
namespace {

namespace pb = ::aichemist_archivum;

// How many hex digits of a digest the table shows: enough to tell entries apart by eye.
constexpr size_t kShortDigest = 12;

std::string ValidateDigest(const std::string& value) {
  bool hex = value.size() == 64;
  for (char c : value) {
    hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
  }
  return hex ? "" : "must be a SHA-256 digest: 64 hex digits";
}

std::string EntryCount(uint64_t n) {
  return std::to_string(n) + (n == 1 ? " entry" : " entries");
}

}  // namespace

CLI::App* AddQuarantineCommand(CLI::App& app, QuarantineOptions* options) {
  CLI::App* cmd =
      app.add_subcommand("quarantine", "List or clear the files plugins crashed or timed out on");
  cmd->require_subcommand(1);
  cmd->footer(
      "When a plugin crashes or times out on a file, the daemon records the file's content\n"
      "(SHA-256) for that plugin version and never gives it that content again, under any name,\n"
      "until the plugin's version changes or the entry is cleared.");

  CLI::App* list = cmd->add_subcommand("list", "List quarantined content, newest first");
  list->footer(
      "SHA256 shows the first 12 hex digits of the content's digest; --json prints the whole\n"
      "digest, as `quarantine clear --sha256` takes it.");
  list->callback([options] { options->action = QuarantineOptions::Action::kList; });

  CLI::App* clear = cmd->add_subcommand(
      "clear", "Let plugins see quarantined content again (at the next ingest that analyzes it)");
  CLI::Option* plugin =
      clear->add_option("--plugin", options->plugin, "Only the entries of this plugin")
          ->type_name("NAME");
  CLI::Option* sha256 =
      clear->add_option("--sha256", options->sha256, "Only the entries for this content")
          ->type_name("HEX")
          ->check(CLI::Validator(ValidateDigest, ""));
  CLI::Option* all = clear->add_flag("--all", options->all, "Every entry of every plugin");
  all->excludes(plugin);
  all->excludes(sha256);
  clear->footer(
      "--plugin and --sha256 together clear the entries matching both. Clearing everything\n"
      "takes --all, so that a forgotten filter never does it. Prints how many were cleared.");
  clear->callback([options, plugin, sha256, all] {
    if (plugin->count() == 0 && sha256->count() == 0 && all->count() == 0) {
      throw CLI::ValidationError("quarantine clear",
                                 "give --plugin NAME and/or --sha256 HEX, or --all to clear every "
                                 "entry");
    }
    options->action = QuarantineOptions::Action::kClear;
  });
  return cmd;
}

int RunQuarantine(const QuarantineOptions& options, const GlobalOptions& globals,
                  const Streams& io) {
  if (options.action == QuarantineOptions::Action::kList) {
    pb::ListQuarantineResponse response;
    const int code =
        RunRpc(globals, kDefaultCallTimeout, io.err,
               [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
                 return pb::FileManager::NewStub(channel)->ListQuarantine(
                     &context, pb::ListQuarantineRequest(), &response);
               });
    if (code != kExitOk) return code;
    if (globals.json) return PrintJson(response, io);
    io.out << FormatQuarantine(response);
    return kExitOk;
  }
  if (options.action == QuarantineOptions::Action::kClear) {
    pb::ClearQuarantineRequest request;
    request.set_plugin(options.plugin);
    request.set_sha256(options.sha256);
    pb::ClearQuarantineResponse response;
    const int code = RunRpc(
        globals, kDefaultCallTimeout, io.err,
        [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
          return pb::FileManager::NewStub(channel)->ClearQuarantine(&context, request, &response);
        });
    if (code != kExitOk) return code;
    if (globals.json) return PrintJson(response, io);
    io.out << FormatCleared(response);
    return kExitOk;
  }
  // Parsing sets the action whenever `quarantine` is given (it requires a subcommand).
  io.err << "error: quarantine: no subcommand\n";
  return kExitUsage;
}

std::string FormatQuarantine(const pb::ListQuarantineResponse& response) {
  Table table({
      {"SHA256"},
      {"PLUGIN", Table::Align::kLeft, 32},
      {"REASON", Table::Align::kLeft, 40},
      {"PATH", Table::Align::kLeft, 48, Elide::kStart},
      {"RECORDED"},
  });
  for (const pb::QuarantineEntry& entry : response.entries()) {
    std::string plugin = entry.plugin();
    if (!entry.plugin_version().empty()) plugin += "@" + entry.plugin_version();
    table.AddRow({entry.sha256().substr(0, kShortDigest), plugin,
                  entry.reason().empty() ? "-" : entry.reason(),
                  entry.path().empty() ? "-" : entry.path(), FormatTimestampNs(entry.at_ns())});
  }
  std::string out;
  if (table.rows() > 0) out = table.Render();
  return out + EntryCount(table.rows()) + '\n';
}

std::string FormatCleared(const pb::ClearQuarantineResponse& response) {
  return "cleared " + EntryCount(response.cleared()) + '\n';
}

}  // namespace archivum::cli
