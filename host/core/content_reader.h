// ContentReader: GetContent's work. Streams a cataloged document's bytes to a sink, checked
// against what the catalog recorded about them.
//
// A file is read from disk under Ingest's path rules: the path must still resolve to itself
// inside the ingest roots (os::Roots), and it is opened as the pipeline opens files
// (os::MappedFile: no final symlink followed, never blocking on a FIFO, regular files only, a
// truncation while reading does not crash). Its size and mtime must be those cataloged
// (FAILED_PRECONDITION otherwise: ingest it again).
//
// An archive member ("outer!/member", possibly nested) is extracted on demand by the same plugins
// that cataloged it: its container chain is walked from the file on disk down, each container
// run through the pipeline's detect and extract stages (pipeline::Stages, so the plugins run where
// they always run: in their sandboxed workers unless configured in process), and the member found
// among the children by the name the pipeline gave it (SanitizeMemberName, MemberNames). Every
// container in the chain is bounded by the ingest limits: nesting by ingest.max_depth, members by
// ingest.max_members, and all bytes expanded along the chain by ingest.max_expanded_size
// (RESOURCE_EXHAUSTED when the member lies beyond them); the call's deadline and cancellation
// reach the plugins. Members are spooled to unlinked files (plugins::OutputLimits::spool_dir), not
// held in memory.
//
// The bytes go out in chunks of kChunkBytes and are hashed as they go; when the catalog has a
// SHA-256 and it differs, the call fails with DATA_LOSS before the last chunk is sent, so the
// content never arrives complete. Uploads ("upload:<name>", and their members) are analyzed but
// not kept: FAILED_PRECONDITION.
//
// Thread safety: Stream may be called concurrently (immutable; the catalog, the roots and the
// plugins are safe for concurrent use). Ownership: the catalog, registry, quarantine and roots
// are borrowed and must outlive the reader.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "aichemist_archivum.pb.h"
#include "common/call_context.h"
#include "common/status.h"
#include "config/config.h"
#include "os/roots.h"
#include "pipeline/quarantine.h"
#include "pipeline/stages.h"
#include "plugins/registry.h"
#include "store/catalog.h"

namespace archivum::core {

class ContentReader {
 public:
  // Bytes per data message.
  static constexpr size_t kChunkBytes = size_t{64} << 10;

  using Sink = std::function<bool(const ::aichemist_archivum::ContentChunk&)>;

  // `registry` may be null (no plugins: members cannot be extracted, FAILED_PRECONDITION), and so
  // may `quarantine`.
  ContentReader(store::Catalog* catalog, const plugins::PluginRegistry* registry,
                pipeline::Quarantine* quarantine, const config::Ingest& limits,
                const os::Roots* roots);

  // See the file comment and the proto's GetContent. `sink` returning false ends the call with
  // CANCELLED.
  Status Stream(const std::string& path, const CallContext& ctx, const Sink& sink) const;

 private:
  store::Catalog* catalog_;
  std::optional<pipeline::Stages> stages_;  // empty without loaded plugins
  config::Ingest limits_;
  const os::Roots* roots_;
};

}  // namespace archivum::core
