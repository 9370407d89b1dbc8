// What a transport (gRPC, HTTP) tells the service core about one call.
//
// Metadata is materialized lazily: a transport whose metadata would cost a copy per call (gRPC)
// gives a source instead of a map, and the map is built the first time metadata() is asked for,
// which most calls never do.
//
// Thread safety: one call's context is used by the thread running the call (and whatever it
// hands the context to, one at a time); metadata() fills its cache on first use, so it must not
// be called concurrently on the same context before that. `cancelled` must be safe to call from
// the thread running the call.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>

namespace archivum {

class CallContext {
 public:
  using Metadata = std::multimap<std::string, std::string>;
  // Fills a map with the call's metadata (lower-cased keys). Runs at most once per context, on
  // the thread calling metadata(); whatever it refers to must outlive the call.
  using MetadataSource = std::function<void(Metadata*)>;

  // When the caller stops waiting; max() for no deadline.
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  // True once the caller went away. May be empty (never cancelled).
  std::function<bool()> cancelled;

  // Request metadata with lower-cased keys ("authorization", ...); empty if the transport gave
  // none.
  const Metadata& metadata() const {
    if (source_) {
      MetadataSource source = std::move(source_);
      source_ = nullptr;
      source(&metadata_);
    }
    return metadata_;
  }
  // Sets the metadata eagerly, replacing any source.
  void set_metadata(Metadata metadata) {
    metadata_ = std::move(metadata);
    source_ = nullptr;
  }
  // Sets the metadata lazily: `source` runs on the first metadata() call. Replaces any map.
  void set_metadata_source(MetadataSource source) {
    metadata_.clear();
    source_ = std::move(source);
  }

  bool IsCancelled() const { return cancelled && cancelled(); }
  bool PastDeadline() const { return std::chrono::system_clock::now() >= deadline; }

 private:
  mutable Metadata metadata_;
  mutable MetadataSource source_;
};

}  // namespace archivum
