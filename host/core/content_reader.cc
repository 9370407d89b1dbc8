#include "core/content_reader.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/sha256.h"
#include "os/mapped_file.h"
#include "pipeline/document_analyzer.h"

namespace archivum::core {
namespace {

namespace pb = ::aichemist_archivum;

constexpr std::string_view kUploadPrefix = "upload:";

Status Changed(const std::string& path, const std::string& why) {
  return FailedPrecondition(path + " changed since it was cataloged (" + why +
                            "); ingest it again");
}

// The bytes of one level of the container chain, and what keeps them valid.
struct Level {
  std::string_view bytes;
  int fd = -1;             // a read-only descriptor holding `bytes` at fd_offset, or -1
  uint64_t fd_offset = 0;  // page-aligned (plugins::FileInput::fd_offset)
};

// Everything the levels' bytes point into: the file's mapping, the plugins' outputs (children
// given whole) and the mappings of their spools. Deques: elements never move.
struct Holders {
  std::deque<os::MappedFile> maps;
  std::deque<pipeline::ProcessResult> results;
};

// Why a container yielded no child at `member`: the limits, the call, the plugins, or the
// member is gone.
Status MemberMissing(const pipeline::ProcessResult& r, const std::string& container,
                     const std::string& member, const config::Ingest& limits) {
  if (r.cancelled) return Cancelled("cancelled while extracting " + member);
  if (r.deadline_exceeded) return DeadlineExceeded("deadline exceeded extracting " + member);
  if (r.children_refused_count > 0 || r.children_refused_size > 0) {
    return ResourceExhausted(member + " lies beyond the archive limits (ingest.max_depth " +
                             std::to_string(limits.max_depth) + ", max_members " +
                             std::to_string(limits.max_members) + ", max_expanded_size " +
                             std::to_string(limits.max_expanded_bytes) + " bytes)");
  }
  for (const pipeline::Finding& f : r.findings) {
    if (f.key == "error") {
      return Internal("extracting " + member + " from " + container + " failed: " + f.plugin +
                      ": " + f.value);
    }
  }
  return NotFound(member + " is no longer in " + container + "; ingest it again");
}

}  // namespace

ContentReader::ContentReader(store::Catalog* catalog, const plugins::PluginRegistry* registry,
                             pipeline::Quarantine* quarantine, const config::Ingest& limits,
                             const os::Roots* roots)
    : catalog_(catalog), limits_(limits), roots_(roots) {
  // Detect and extract only: the member is wanted, not a new analysis of its container.
  if (registry != nullptr && registry->loaded_count() > 0) {
    stages_.emplace(*registry, quarantine, plugins::Stage::kExtract);
  }
}

Status ContentReader::Stream(const std::string& path, const CallContext& ctx,
                             const Sink& sink) const {
  if (path.empty()) return InvalidArgument("path is empty");
  auto found = catalog_->Find(path);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound("no cataloged document at " + path);

  // The chain from the file on disk down to the document. Bounded: a member deeper than
  // ingest.max_depth is never cataloged, and a parent loop must not spin.
  std::vector<store::DocumentRecord> chain{std::move(**found)};
  while (!chain.back().parent.empty()) {
    if (chain.size() > static_cast<size_t>(limits_.max_depth) + 1) {
      return ResourceExhausted(path + " is nested deeper than ingest.max_depth (" +
                               std::to_string(limits_.max_depth) + ")");
    }
    const std::string parent = chain.back().parent;
    auto up = catalog_->Find(parent);
    if (!up.ok()) return up.status();
    if (!up->has_value()) return NotFound("the container " + parent + " is no longer cataloged");
    chain.push_back(std::move(**up));
  }
  std::reverse(chain.begin(), chain.end());
  const store::DocumentRecord& top = chain.front();
  const store::DocumentRecord& doc = chain.back();
  if (top.path.starts_with(kUploadPrefix)) {
    return FailedPrecondition(path +
                              " was uploaded: the daemon keeps what it found in uploads, not "
                              "their bytes");
  }

  // The file: Ingest's path rules, then the pipeline's way of opening it.
  auto resolved = roots_->Resolve(top.path);
  if (!resolved.ok()) {
    if (resolved.status().code() == StatusCode::kNotFound) {
      return NotFound(top.path + " is gone from disk");
    }
    return resolved.status();
  }
  if (resolved->native() != top.path) {
    return Changed(top.path, "it now resolves to " + resolved->native());
  }
  Holders holders;
  {
    auto file = os::MappedFile::Open(top.path, UINT64_MAX);
    if (!file.ok()) return file.status();
    if (file->size() != top.size || file->mtime_ns() != top.mtime_ns) {
      return Changed(top.path, "size or modification time differ");
    }
    holders.maps.push_back(std::move(*file));
  }
  const os::MappedFile& file = holders.maps.front();
  Level level{file.bytes(), file.fd(), 0};

  // Down the chain: each container through the stages, the next member picked by its name.
  uint64_t expanded = 0;
  for (size_t depth = 0; depth + 1 < chain.size(); ++depth) {
    const store::DocumentRecord& container = chain[depth];
    const std::string& member = chain[depth + 1].path;
    if (!stages_) {
      return FailedPrecondition("no plugins are loaded to extract " + member + " from " +
                                container.path);
    }
    plugins::FileInput in;
    in.path = container.path;
    in.display_name = container.name.empty() ? pipeline::BaseName(container.path) : container.name;
    in.size = level.bytes.size();
    in.bytes = level.bytes;
    in.fd = level.fd;
    in.fd_offset = level.fd_offset;
    in.child_budget.allowed = depth + 1 <= limits_.max_depth;
    in.child_budget.max_children = limits_.max_members;
    in.child_budget.max_bytes =
        expanded < limits_.max_expanded_bytes ? limits_.max_expanded_bytes - expanded : 0;
    if (ctx.deadline != std::chrono::system_clock::time_point::max()) {
      in.deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        ctx.deadline - std::chrono::system_clock::now());
    }
    if (ctx.cancelled) in.cancelled = ctx.cancelled;
    holders.results.push_back(stages_->Process(in));
    pipeline::ProcessResult& r = holders.results.back();

    pipeline::ChildDocument* hit = nullptr;
    pipeline::MemberNames names;
    for (pipeline::ChildDocument& child : r.children) {
      expanded += child.child.byte_count();
      const std::string name = names.Take(pipeline::SanitizeMemberName(child.child.name));
      if (hit == nullptr && store::ChildPath(container.path, name) == member) hit = &child;
    }
    if (hit == nullptr) return MemberMissing(r, container.path, member, limits_);
    if (ctx.IsCancelled()) return Cancelled("cancelled while extracting " + member);
    const plugins::ChildOutput& child = hit->child;
    if (!child.streamed) {
      level = Level{child.bytes, -1, 0};
      continue;
    }
    if (!hit->spool) return Internal("the spool of " + member + " is missing");
    const int copy = ::dup(hit->spool->fd());
    if (copy < 0) return Internal("cannot read the spool of " + member);
    auto spool = os::MappedFile::FromDescriptor(copy, member + " (spool)", UINT64_MAX);
    if (!spool.ok()) return spool.status();
    if (child.offset > spool->size() || child.size > spool->size() - child.offset) {
      return Internal("the spool of " + member + " is shorter than the member");
    }
    holders.maps.push_back(std::move(*spool));
    const os::MappedFile& map = holders.maps.back();
    level = Level{map.bytes().substr(child.offset, child.size), map.fd(), child.offset};
  }

  if (level.bytes.size() != doc.size) {
    return Changed(doc.path, "it has " + std::to_string(level.bytes.size()) + " bytes, not " +
                                 std::to_string(doc.size));
  }

  pb::ContentChunk message;
  pb::ContentHeader* header = message.mutable_header();
  header->set_path(doc.path);
  header->set_mime(doc.mime);
  header->set_size(doc.size);
  header->set_sha256(doc.sha256);
  // The content is checked before the last piece leaves: a mismatch fails the call with the
  // content cut short, never complete.
  Sha256Stream hash;
  auto verify = [&]() -> Status {
    if (chain.size() == 1) {
      if (Status st = file.CheckUnchanged(); !st.ok()) {
        return DataLoss(top.path + " changed while it was read: " + st.message());
      }
    }
    const std::string digest = hash.HexDigest();
    if (digest.empty()) return Internal("SHA-256 unavailable");
    if (!doc.sha256.empty() && digest != doc.sha256) {
      return DataLoss("the content of " + doc.path + " has SHA-256 " + digest +
                      ", not the cataloged " + doc.sha256 + "; ingest it again");
    }
    return Status::Ok();
  };
  if (level.bytes.empty()) ARCHIVUM_RETURN_IF_ERROR(verify());
  if (!sink(message)) return Cancelled("the client went away");

  const bool from_file = chain.size() == 1;
  const os::MappedFile* source = from_file ? &file : nullptr;
  uint64_t offset = 0;
  while (offset < level.bytes.size()) {
    if (ctx.IsCancelled()) return Cancelled("the client went away");
    if (ctx.PastDeadline()) return DeadlineExceeded("deadline exceeded sending " + doc.path);
    const std::string_view piece = level.bytes.substr(offset, kChunkBytes);
    hash.Update(piece);
    message.set_data(piece.data(), piece.size());
    if (source != nullptr) source->DropBehind(offset, piece.size());
    offset += piece.size();
    if (offset == level.bytes.size()) ARCHIVUM_RETURN_IF_ERROR(verify());
    if (!sink(message)) return Cancelled("the client went away");
  }
  return Status::Ok();
}

}  // namespace archivum::core
