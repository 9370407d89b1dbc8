// Runs one document through the plugins and turns the result into catalog writes.
//
// Child documents a plugin emits (archive members) re-enter the pipeline as "outer!/member",
// bounded by ingest.max_depth, max_members and max_expanded_size; a limit that is hit becomes a
// visible "limit" finding on the containing document, never a silent drop.
//
// Thread safety: safe for concurrent use (the registry is; FlushPlugins serializes itself, and
// the count of failed flushes is atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "common/call_context.h"
#include "plugins/registry.h"
#include "store/catalog.h"

namespace archivum::core {

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
  // `registry` must outlive the analyzer; it may be null (no plugins: metadata only).
  DocumentAnalyzer(const plugins::PluginRegistry* registry, const config::Ingest& limits);

  // Analyzes `bytes` as the document at `path`. `record` carries what the caller knows
  // (size, mtime, parent); the rest is filled in. `bytes` must stay valid during the call.
  // `release`, if set, lets plugins drop ranges of `bytes` from memory (MappedFile::DropBehind).
  AnalyzedDocument Analyze(store::DocumentRecord record, std::string_view bytes,
                           const CallContext& ctx,
                           std::function<void(uint64_t, uint64_t)> release = {}) const;

  // Makes what the plugins keep of their own for the documents analyzed so far durable (see
  // PluginRegistry::Flush). Call before committing their writes. Ok without plugins. Calls are
  // serialized, and each failed one is counted (flush_failures()) before the next begins.
  Status FlushPlugins() const;

  // How many FlushPlugins() calls have failed so far. A failed flush may lose what a plugin
  // kept for any document analyzed before it ended, by any ingest or upload, not only for the
  // batch it was called for (a plugin commits its own batches: the similar plugin's open
  // transaction holds the next batch's signatures too). So a caller reads this before it
  // analyzes a document, and again after the successful FlushPlugins() that precedes the
  // document's commit: if the count grew in between, the document's plugin state may be lost,
  // as if that flush had failed. (Conservative: the failure may have come after the document's
  // state was already durable.)
  uint64_t flush_failures() const { return flush_failures_.load(std::memory_order_acquire); }

  // The signature recorded on analyzed documents: a changed plugin set re-analyzes.
  const std::string& signature() const { return signature_; }

 private:
  struct Budget {
    uint32_t members = 0;
    uint64_t expanded = 0;
  };
  void AnalyzeInto(store::DocumentRecord record, std::string_view bytes, uint32_t depth,
                   Budget* budget, const CallContext& ctx,
                   const std::function<void(uint64_t, uint64_t)>& release,
                   AnalyzedDocument* out) const;

  const plugins::PluginRegistry* registry_;
  config::Ingest limits_;
  std::string signature_;
  // Serializes FlushPlugins, so that a flush that succeeds after a failed one (of the same
  // plugin state) is seen to follow the failure's count.
  mutable std::mutex flush_mu_;
  mutable std::atomic<uint64_t> flush_failures_{0};  // written under flush_mu_
};

// The lower-case extension of a file name without the dot ("tar.gz" → "gz"), or "".
std::string ExtensionOf(std::string_view name);
// The last component of a path ("a/b.txt" → "b.txt").
std::string BaseName(std::string_view path);

}  // namespace archivum::core
