#include "cli/get_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/paths.h"
#include "cli/text.h"

namespace archivum::cli {

CLI::App* AddGetCommand(CLI::App& app, GetOptions* options) {
  CLI::App* cmd = app.add_subcommand(
      "get", "Show one cataloged document: its metadata, parent, children and findings");
  cmd->add_option("path", options->path,
                  "The document's path (relative: against the current directory) or "
                  "upload:<name>")
      ->required();
  return cmd;
}

std::string DocumentPath(const std::string& typed) {
  if (std::string_view(typed).starts_with("upload:")) return typed;
  return MakeAbsolute(typed);
}

int RunGet(const GetOptions& options, const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::GetDocumentRequest request;
  request.set_path(DocumentPath(options.path));
  aichemist_archivum::Document document;
  const int code =
      RunRpc(globals, kDefaultCallTimeout, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               return aichemist_archivum::FileManager::NewStub(channel)->GetDocument(
                   &context, request, &document);
             });
  if (code != kExitOk) return code;
  if (globals.json) return PrintJson(document, io);
  io.out << FormatDocument(document);
  return kExitOk;
}

std::string FormatDocument(const aichemist_archivum::Document& document) {
  std::string size = FormatBytes(document.size());
  if (document.size() >= 1024) size += " (" + std::to_string(document.size()) + " bytes)";
  std::string analyzers;
  for (const std::string& analyzer : document.analyzers()) {
    if (!analyzers.empty()) analyzers += ", ";
    analyzers += analyzer;
  }

  std::vector<std::pair<std::string_view, std::string>> fields = {
      {"path", document.path()},
  };
  if (!document.parent().empty()) fields.emplace_back("parent", document.parent());
  fields.emplace_back("mime", document.mime().empty() ? "-" : document.mime());
  fields.emplace_back("size", size);
  fields.emplace_back("modified", FormatTimestampNs(document.mtime_ns()));
  fields.emplace_back("sha256", document.sha256().empty() ? "-" : document.sha256());
  fields.emplace_back("ingested", FormatTimestampNs(document.ingested_at_ns()));
  fields.emplace_back("analyzers", analyzers.empty() ? "-" : analyzers);

  std::string out;
  for (const auto& [label, value] : fields) {
    out.append(label).append(11 - label.size(), ' ').append(OneLine(value)).push_back('\n');
  }
  if (document.metadata_size() > 0) {
    out += "metadata (" + std::to_string(document.metadata_size()) + "):\n";
    Table table({{"KEY"}, {"VALUE"}});
    for (const aichemist_archivum::MetadataEntry& entry : document.metadata()) {
      table.AddRow({entry.key(), entry.value()});
    }
    out += table.Render("  ");
  }
  if (document.children_total() > 0 || document.children_size() > 0) {
    const uint64_t total = std::max<uint64_t>(document.children_total(),
                                              static_cast<uint64_t>(document.children_size()));
    out += "children (";
    if (total > static_cast<uint64_t>(document.children_size())) {
      out += "first " + std::to_string(document.children_size()) + " of ";
    }
    out += std::to_string(total) + "):\n";
    for (const std::string& child : document.children()) out += "  " + OneLine(child) + "\n";
  }
  if (document.findings_size() == 0) return out + "findings   none\n";

  out += "findings (" + std::to_string(document.findings_size()) + "):\n";
  Table table({{"PLUGIN"}, {"KEY"}, {"VALUE"}});
  for (const aichemist_archivum::Finding& finding : document.findings()) {
    table.AddRow({finding.plugin(), finding.key(), finding.value()});
  }
  out += table.Render("  ");
  return out;
}

}  // namespace archivum::cli
