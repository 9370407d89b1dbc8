#include "cli/watch_command.h"

#include <CLI/CLI.hpp>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/text.h"

namespace archivum::cli {
namespace {

using aichemist_archivum::WatchRoot;

std::string WatchStateText(WatchRoot::State state) {
  switch (state) {
    case WatchRoot::SCANNING: return "scanning";
    case WatchRoot::WATCHING: return "watching";
    case WatchRoot::WAITING_FOR_ROOT: return "waiting";
    case WatchRoot::FAILED: return "failed";
    default: return "unknown";
  }
}

std::string WatchRescanText(const WatchRoot& root) {
  if (root.last_rescan_ns() == 0) return "-";
  std::string reason;
  switch (root.last_rescan_reason()) {
    case WatchRoot::INITIAL: reason = "initial"; break;
    case WatchRoot::QUEUE_OVERFLOW: reason = "overflow"; break;
    case WatchRoot::WATCH_LIMIT: reason = "watch limit"; break;
    case WatchRoot::ROOT_RECREATED: reason = "root recreated"; break;
    default: reason = "unknown"; break;
  }
  return FormatTimestampNs(root.last_rescan_ns()) + " (" + reason + ")";
}

}  // namespace

CLI::App* AddWatchCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "watch", "Show watch mode: the watched directories, their state and pending changes");
  cmd->footer(
      "STATE is watching (changes are cataloged as they settle), scanning (the tree is being\n"
      "ingested: at start, after lost events or a watch limit, or after the directory came\n"
      "back), waiting (the directory is gone; its documents were removed) or failed. PENDING\n"
      "counts changed paths not yet cataloged. RESCANNED is when the tree was last ingested\n"
      "whole, and why. The daemon's ingest.watch lists the directories.");
  return cmd;
}

int RunWatch(const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::WatchStatus response;
  const int code =
      RunRpc(globals, kDefaultCallTimeout, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               return aichemist_archivum::FileManager::NewStub(channel)->GetWatchStatus(
                   &context, aichemist_archivum::GetWatchStatusRequest(), &response);
             });
  if (code != kExitOk) return code;
  if (globals.json) return PrintJson(response, io);
  io.out << FormatWatchStatus(response);
  return kExitOk;
}

std::string FormatWatchStatus(const aichemist_archivum::WatchStatus& status) {
  if (status.roots_size() == 0) return "nothing is watched (ingest.watch is empty)\n";
  Table table({
      {"PATH", Table::Align::kLeft, 48, Elide::kStart},
      {"STATE"},
      {"DIRS", Table::Align::kRight},
      {"PENDING", Table::Align::kRight},
      {"EVENTS", Table::Align::kRight},
      {"ANALYZED", Table::Align::kRight},
      {"REMOVED", Table::Align::kRight},
      {"MOVES", Table::Align::kRight},
      {"RESCANNED"},
  });
  for (const WatchRoot& root : status.roots()) {
    table.AddRow({root.path(), WatchStateText(root.state()), std::to_string(root.directories()),
                  std::to_string(root.pending()), std::to_string(root.events()),
                  std::to_string(root.files_analyzed()), std::to_string(root.files_removed()),
                  std::to_string(root.moves()), WatchRescanText(root)});
    if (!root.reason().empty()) table.AddNote("reason: " + root.reason());
    if (!root.last_error().empty()) table.AddNote("error: " + root.last_error());
  }
  return table.Render() + std::to_string(status.roots_size()) +
         (status.roots_size() == 1 ? " directory" : " directories") +
         " watched; changes settle for " + std::to_string(status.settle_ms()) + " ms\n";
}

}  // namespace archivum::cli
