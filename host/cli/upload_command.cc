#include "cli/upload_command.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "aichemist_archivum.grpc.pb.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"
#include "cli/ingest_command.h"
#include "cli/json_output.h"

namespace archivum::cli {

CLI::App* AddUploadCommand(CLI::App& app, UploadOptions* options) {
  CLI::App* cmd = app.add_subcommand(
      "upload", "Send a local file to the daemon to analyze and catalog as upload:NAME");
  cmd->add_option("file", options->file, "The local file to send")->required();
  cmd->add_option("-n,--name", options->name, "Catalog name (default: the file's base name)");
  cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success (even with --json)");
  return cmd;
}

int RunUpload(const UploadOptions& options, const GlobalOptions& globals, const Streams& io) {
  std::ifstream in(options.file, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(options.file, ec);
  if (!in || ec) {
    io.err << "error: cannot read " << options.file << ": "
           << (ec ? ec.message() : std::strerror(errno)) << '\n';
    return kExitUsage;
  }
  const std::string name =
      options.name.empty() ? std::filesystem::path(options.file).filename().string() : options.name;
  aichemist_archivum::IngestSummary summary;
  bool read_failed = false;
  const int code = RunRpc(
      globals, std::nullopt, io.err,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
        auto writer = aichemist_archivum::FileManager::NewStub(channel)->Upload(&context, &summary);
        aichemist_archivum::UploadChunk chunk;
        chunk.mutable_header()->set_name(name);
        chunk.mutable_header()->set_size(size);
        bool open = writer->Write(chunk);
        std::string buffer(64 * 1024, '\0');
        while (open && in) {
          in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          const auto n = static_cast<size_t>(in.gcount());
          if (n == 0) break;
          chunk.set_data(buffer.data(), n);
          open = writer->Write(chunk);
        }
        read_failed = in.bad();
        if (read_failed) context.TryCancel();
        writer->WritesDone();
        return writer->Finish();
      });
  if (read_failed) {
    io.err << "error: reading " << options.file << " failed midway\n";
    return kExitUsage;
  }
  if (code != kExitOk || options.quiet) return code;
  if (globals.json) return PrintJson(summary, io);
  io.out << FormatIngestSummary("upload:" + name, summary);
  return kExitOk;
}

}  // namespace archivum::cli
