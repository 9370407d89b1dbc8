#include "cli/get_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
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
  cmd->add_option("--text", options->text_bytes,
                  "Also print the first BYTES of the extracted text (parts recognized by OCR "
                  "are marked)")
      ->option_text("BYTES")
      ->check(CLI::Range(1u, 1u << 20));
  cmd->add_option(
         "--thumbnail", options->thumbnail,
         "Write the document's thumbnail image to FILE (NOT_FOUND, exit 1, if it has none)")
      ->option_text("FILE");
  cmd->add_option("--content", options->content,
                  "Write the document's content to FILE (an archive member is extracted from "
                  "its container; removed again if the download fails)")
      ->option_text("FILE");
  return cmd;
}

std::string DocumentPath(const std::string& typed) {
  if (std::string_view(typed).starts_with("upload:")) return typed;
  return MakeAbsolute(typed);
}

namespace {

int RunGetThumbnail(const GetOptions& options, const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::GetThumbnailRequest request;
  request.set_path(DocumentPath(options.path));
  aichemist_archivum::Thumbnail thumbnail;
  const int code =
      RunRpc(globals, kDefaultCallTimeout, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               return aichemist_archivum::FileManager::NewStub(channel)->GetThumbnail(
                   &context, request, &thumbnail);
             });
  if (code != kExitOk) return code;
  std::ofstream file(options.thumbnail, std::ios::binary | std::ios::trunc);
  file.write(thumbnail.data().data(), static_cast<std::streamsize>(thumbnail.data().size()));
  file.close();
  if (!file) {
    io.err << "error: cannot write " << options.thumbnail << "\n";
    return kExitServerError;
  }
  if (globals.json) {
    thumbnail.clear_data();  // written to the file, not printed
    return PrintJson(thumbnail, io);
  }
  io.out << options.thumbnail << ": " << thumbnail.mime() << ", "
         << FormatBytes(thumbnail.data().size()) << " (from plugin " << thumbnail.plugin() << ")\n";
  return kExitOk;
}

// Streams GetContent into options.content. No deadline unless --timeout: content may be large.
int RunGetContent(const GetOptions& options, const GlobalOptions& globals, const Streams& io) {
  aichemist_archivum::GetContentRequest request;
  request.set_path(DocumentPath(options.path));
  std::ofstream file(options.content, std::ios::binary | std::ios::trunc);
  if (!file) {
    io.err << "error: cannot write " << options.content << "\n";
    return kExitServerError;
  }
  aichemist_archivum::ContentHeader header;
  uint64_t written = 0;
  bool write_failed = false;
  const int code =
      RunRpc(globals, std::nullopt, io.err,
             [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
               auto reader =
                   aichemist_archivum::FileManager::NewStub(channel)->GetContent(&context, request);
               aichemist_archivum::ContentChunk chunk;
               while (reader->Read(&chunk)) {
                 if (chunk.has_header()) {
                   header = chunk.header();
                   continue;
                 }
                 file.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
                 written += chunk.data().size();
                 if (!file) {
                   write_failed = true;
                   context.TryCancel();
                 }
               }
               return reader->Finish();
             });
  file.close();
  if (code == kExitOk && (write_failed || !file)) {
    io.err << "error: cannot write " << options.content << "\n";
  }
  if (code != kExitOk || write_failed || !file || written != header.size()) {
    std::error_code ignored;
    std::filesystem::remove(options.content, ignored);
    if (code == kExitOk && !write_failed && file) {
      io.err << "error: the content ended after " << written << " of " << header.size()
             << " bytes\n";
    }
    return code != kExitOk ? code : kExitServerError;
  }
  if (globals.json) return PrintJson(header, io);
  io.out << options.content << ": " << (header.mime().empty() ? "-" : header.mime()) << ", "
         << FormatBytes(header.size()) << ", sha256 "
         << (header.sha256().empty() ? "-" : header.sha256()) << "\n";
  return kExitOk;
}

}  // namespace

int RunGet(const GetOptions& options, const GlobalOptions& globals, const Streams& io) {
  if (!options.thumbnail.empty()) return RunGetThumbnail(options, globals, io);
  if (!options.content.empty()) return RunGetContent(options, globals, io);
  aichemist_archivum::GetDocumentRequest request;
  request.set_path(DocumentPath(options.path));
  request.set_text_bytes(options.text_bytes);
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

namespace {

// The text part of FormatDocument.
std::string FormatText(const aichemist_archivum::Document& document) {
  if (document.text().empty()) return "";
  const std::string& text = document.text();
  std::string out = "text (" + std::to_string(text.size()) + " of " +
                    std::to_string(document.text_size()) + " bytes):\n";
  uint64_t at = 0;
  for (const aichemist_archivum::TextPart& part : document.text_parts()) {
    if (part.offset() < at || part.offset() > text.size()) continue;  // malformed: skipped
    const uint64_t end = std::min<uint64_t>(part.offset() + part.length(), text.size());
    out.append(text, at, part.offset() - at);
    out += "[" + part.kind() + " from " + part.plugin() + ": ";
    out.append(text, part.offset(), end - part.offset());
    out += "]";
    at = end;
  }
  out.append(text, at);
  if (out.back() != '\n') out += '\n';
  return out;
}

}  // namespace

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
  if (document.findings_size() == 0) return out + "findings   none\n" + FormatText(document);

  out += "findings (" + std::to_string(document.findings_size()) + "):\n";
  Table table({{"PLUGIN"}, {"KEY"}, {"VALUE"}});
  for (const aichemist_archivum::Finding& finding : document.findings()) {
    table.AddRow({finding.plugin(), finding.key(), finding.value()});
  }
  out += table.Render("  ");
  return out + FormatText(document);
}

}  // namespace archivum::cli
