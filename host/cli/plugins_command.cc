#include "cli/plugins_command.h"

#include <CLI/CLI.hpp>
#include <cctype>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/text.h"

namespace archivum::cli {
namespace {

using aichemist_archivum::PluginInfo;

std::string StateName(PluginInfo::State state) {
  switch (state) {
    case PluginInfo::LOADED: return "loaded";
    case PluginInfo::FAILED: return "failed";
    case PluginInfo::DISABLED: return "disabled";
    default: return "unknown";
  }
}

std::string OrDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

// The line under a plugin's row about where it runs and what went wrong there: its isolation and
// worker group when known, its crash, timeout, restart and quarantine counts when any is not
// zero. Empty when there is nothing to say.
std::string PlacementNote(const PluginInfo& plugin) {
  std::string note;
  if (!plugin.isolation().empty()) {
    note = "isolation: " + plugin.isolation();
    if (!plugin.group().empty()) note += " (group " + plugin.group() + ")";
  }
  if (plugin.crashes() != 0 || plugin.timeouts() != 0 || plugin.restarts() != 0 ||
      plugin.quarantined() != 0) {
    if (!note.empty()) note += "; ";
    note += "crashes " + std::to_string(plugin.crashes()) + ", timeouts " +
            std::to_string(plugin.timeouts()) + ", restarts " + std::to_string(plugin.restarts()) +
            ", quarantined " + std::to_string(plugin.quarantined());
  }
  return note;
}

}  // namespace

CLI::App* AddPluginsCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("plugins", "List analyzer plugins, their state and counters");
  cmd->footer(
      "Failed and disabled plugins show the reason on the line below their row. Further lines\n"
      "show where a plugin runs (isolation: process or inprocess, and its worker group), its\n"
      "crashes, timeouts, worker restarts and quarantined files when any is not zero\n"
      "(archivum quarantine list names the files), and the sandbox layers its workers lack.\n"
      "CALLS and ERRORS are exact. TIME is the time spent inside the plugin: measured on each of\n"
      "a plugin's first 1024 calls, then on a sample of 1 in 16 calls (and on every call with a\n"
      "deadline or timeout) and scaled up, since reading the clock costs more than a cheap call.");
  return cmd;
}

int RunPlugins(const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::ListPluginsResponse response;
  const int code =
      RunRpc(globals, kDefaultCallTimeout, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               return aichemist_archivum::FileManager::NewStub(channel)->ListPlugins(
                   &context, aichemist_archivum::ListPluginsRequest(), &response);
             });
  if (code != kExitOk) return code;
  if (globals.json) return PrintJson(response, io);
  io.out << FormatPlugins(response);
  return kExitOk;
}

std::string FormatPlugins(const aichemist_archivum::ListPluginsResponse& response) {
  Table table({
      {"NAME", Table::Align::kLeft, 24},
      {"VERSION", Table::Align::kLeft, 12},
      {"ABI"},
      {"STAGE"},
      {"STATE"},
      {"ACCEPTS", Table::Align::kLeft, 32},
      {"CALLS", Table::Align::kRight},
      {"ERRORS", Table::Align::kRight},
      {"TIME", Table::Align::kRight},
  });
  int loaded = 0;
  int failed = 0;
  int disabled = 0;
  for (const PluginInfo& plugin : response.plugins()) {
    std::string accepts;
    for (const std::string& mime : plugin.accepts()) {
      if (!accepts.empty()) accepts += ',';
      accepts += mime;
    }
    table.AddRow({OrDash(plugin.name()), OrDash(plugin.version()), OrDash(plugin.abi_version()),
                  OrDash(plugin.stage()), StateName(plugin.state()), OrDash(accepts),
                  std::to_string(plugin.calls()), std::to_string(plugin.errors()),
                  FormatDuration(std::chrono::microseconds(plugin.total_time_us()))});
    if (!plugin.reason().empty()) table.AddNote("reason: " + plugin.reason());
    if (const std::string note = PlacementNote(plugin); !note.empty()) table.AddNote(note);
    for (const std::string& warning : plugin.sandbox_warnings()) {
      table.AddNote("sandbox: " + warning);
    }
    switch (plugin.state()) {
      case PluginInfo::LOADED: ++loaded; break;
      case PluginInfo::FAILED: ++failed; break;
      case PluginInfo::DISABLED: ++disabled; break;
      default: break;
    }
  }

  std::string out;
  if (table.rows() > 0) out = table.Render();
  out += std::to_string(table.rows()) + (table.rows() == 1 ? " plugin" : " plugins") + " (" +
         std::to_string(loaded) + " loaded, " + std::to_string(failed) + " failed, " +
         std::to_string(disabled) + " disabled)";
  if (!response.host_abi_version().empty()) {
    out += "; host ABI " + OneLine(response.host_abi_version());
  }
  return out + '\n';
}

}  // namespace archivum::cli
