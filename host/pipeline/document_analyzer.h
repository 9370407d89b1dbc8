// Runs one document through the stages (stages.h) and turns the result into catalog writes.
//
// Child documents a plugin emits (archive members) re-enter the pipeline as "outer!/member",
// bounded by ingest.max_depth, max_members and max_expanded_size; a limit that is hit becomes a
// visible "limit" finding on the containing document, never a silent drop. The limits reach the
// plugins' sinks (plugins::ChildBudget), so a plugin is refused before it decompresses what
// would be dropped. Streamed children are read from their spool files, one after another, and
// each one's pages and disk blocks are freed once it is analyzed; what the container's plugin
// reported about a member (child_finding, child_tag) is recorded on the member.
//
// Thread safety: safe for concurrent use (immutable; the plugins are thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/call_context.h"
#include "config/config.h"
#include "pipeline/stages.h"
#include "plugins/registry.h"
#include "store/catalog.h"

namespace archivum::pipeline {

// The pseudo-plugin name of findings the host itself records (limits, skips).
inline constexpr const char* kHostPlugin = "archivum";

struct AnalyzedDocument {
  // The document first, then its members depth-first: the order the catalog needs.
  std::vector<store::DocumentWrite> writes;
  uint32_t findings = 0;       // findings on the top document (for progress events)
  uint32_t plugin_errors = 0;  // plugin failures on the document or its members
  std::string first_error;     // the first plugin failure, "plugin: message"
};

class DocumentAnalyzer {
 public:
  // `registry` must outlive the analyzer; it may be null (no plugins: metadata only). So may
  // `quarantine` (stages.h); else it too must outlive the analyzer.
  DocumentAnalyzer(const plugins::PluginRegistry* registry, const config::Ingest& limits,
                   Quarantine* quarantine = nullptr);

  // Analyzes `bytes` as the document at `path`. `record` carries what the caller knows
  // (size, mtime, parent); the rest is filled in. `bytes` must stay valid during the call.
  // `release`, if set, lets plugins drop ranges of `bytes` from memory (MappedFile::DropBehind).
  // `fd`, if not -1, is a read-only descriptor of the file holding `bytes` (MappedFile::fd):
  // worker processes get it instead of a copy.
  AnalyzedDocument Analyze(store::DocumentRecord record, std::string_view bytes,
                           const CallContext& ctx,
                           std::function<void(uint64_t, uint64_t)> release = {}, int fd = -1) const;

  // The signature recorded on analyzed documents: a changed plugin set re-analyzes.
  const std::string& signature() const { return signature_; }

 private:
  struct Budget {
    uint32_t members = 0;
    uint64_t expanded = 0;
  };
  void AnalyzeInto(store::DocumentRecord record, std::string_view bytes, int fd, uint64_t fd_offset,
                   uint32_t depth, Budget* budget, const CallContext& ctx,
                   const std::function<void(uint64_t, uint64_t)>& release,
                   AnalyzedDocument* out) const;

  std::optional<Stages> stages_;  // empty without plugins
  config::Ingest limits_;
  std::string signature_;
};

// Member names become parts of catalog paths ("outer!/member"): at most this many bytes.
inline constexpr size_t kMaxMemberNameBytes = 16 << 10;

// A member name as a plugin reported it, made safe for display and keys: invalid UTF-8 escaped,
// '\\' read as '/', empty, "." and ".." components dropped (so no leading "/" and no escape
// upwards), control characters replaced by '_', cut to kMaxMemberNameBytes; "member" if nothing
// is left. Catalog paths are keys, never opened: this is about what users see and query.
std::string SanitizeMemberName(std::string_view name);

// The member names of one container, made unique: a second "a.txt" becomes "a.txt~2".
class MemberNames {
 public:
  std::string Take(std::string name);

 private:
  std::unordered_set<std::string> taken_;
};

// The current wall-clock time in nanoseconds since the Unix epoch (ingested_at_ns, upload mtime).
int64_t WallClockNs();

// The lower-case extension of a file name without the dot ("tar.gz" → "gz"), or "".
std::string ExtensionOf(std::string_view name);
// The last component of a path ("a/b.txt" → "b.txt").
std::string BaseName(std::string_view path);

}  // namespace archivum::pipeline
