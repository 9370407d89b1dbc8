#include "core/proto_mapping.h"

#include <sstream>
#include <string>
#include <utility>

#include "common/utf8.h"

namespace archivum::core {
namespace {

void ToProto(const store::FindingRecord& f, pb::Finding* out) {
  out->set_plugin(f.plugin);
  out->set_key(f.key);
  out->set_value(f.value);
}

// Moves the hit's strings into the response (only the path is needed twice).
void AppendHit(store::SearchHit&& h, pb::AnalyzeResponse* response) {
  response->add_results(h.document.path);
  pb::Hit* hit = response->add_hits();
  hit->set_path(std::move(h.document.path));
  hit->set_score(h.score);
  if (!h.snippet.empty()) hit->set_snippet(std::move(h.snippet));
  if (!h.document.mime.empty()) hit->set_mime(std::move(h.document.mime));
  hit->set_size(h.document.size);
  hit->set_mtime_ns(h.document.mtime_ns);
  if (!h.findings.empty()) hit->mutable_findings()->Reserve(static_cast<int>(h.findings.size()));
  for (auto& f : h.findings) {
    pb::Finding* out = hit->add_findings();
    out->set_plugin(std::move(f.plugin));
    out->set_key(std::move(f.key));
    out->set_value(std::move(f.value));
  }
  if (!h.metadata.empty()) hit->mutable_metadata()->Reserve(static_cast<int>(h.metadata.size()));
  for (auto& m : h.metadata) {
    pb::MetadataEntry* out = hit->add_metadata();
    out->set_key(std::move(m.key));
    out->set_value(std::move(m.value));
  }
}

pb::PluginInfo::State ToProto(plugins::PluginState state) {
  switch (state) {
    case plugins::PluginState::kLoaded: return pb::PluginInfo::LOADED;
    case plugins::PluginState::kFailed: return pb::PluginInfo::FAILED;
    case plugins::PluginState::kDisabled: return pb::PluginInfo::DISABLED;
  }
  return pb::PluginInfo::STATE_UNSPECIFIED;
}

}  // namespace

void ToProto(const store::DocumentDetail& detail, const store::ChildList& children,
             pb::Document* out) {
  const store::DocumentRecord& d = detail.document;
  out->set_path(d.path);
  out->set_parent(d.parent);
  out->set_size(d.size);
  out->set_mtime_ns(d.mtime_ns);
  out->set_sha256(d.sha256);
  out->set_mime(d.mime);
  out->set_ingested_at_ns(d.ingested_at_ns);
  std::istringstream analyzers(d.analyzers);
  for (std::string a; std::getline(analyzers, a, ',');) {
    if (!a.empty()) out->add_analyzers(a);
  }
  for (const auto& f : detail.findings) {
    ToProto(f, out->add_findings());
    if (store::IsMetadataKey(f.key)) {
      pb::MetadataEntry* entry = out->add_metadata();
      entry->set_key(f.key);
      entry->set_value(f.value);
    }
  }
  for (const std::string& child : children.paths) out->add_children(child);
  out->set_children_total(children.total);
  out->set_has_thumbnail(detail.has_preview);
}

void ToProto(store::DocumentText&& text, pb::Document* out) {
  out->set_text(std::move(text.text));
  out->set_text_size(text.total_size);
  for (const store::TextPart& part : text.parts) {
    pb::TextPart* p = out->add_text_parts();
    p->set_plugin(part.plugin);
    p->set_kind(part.kind);
    p->set_offset(part.offset);
    p->set_length(part.size);
  }
}

void AppendHits(std::vector<store::SearchHit>::iterator begin,
                std::vector<store::SearchHit>::iterator end, pb::AnalyzeResponse* response) {
  const int n = static_cast<int>(end - begin);
  response->mutable_results()->Reserve(response->results_size() + n);
  response->mutable_hits()->Reserve(response->hits_size() + n);
  for (auto it = begin; it != end; ++it) AppendHit(std::move(*it), response);
}

void AppendFacets(std::vector<store::Facet>&& facets, pb::AnalyzeResponse* response) {
  response->mutable_facets()->Reserve(static_cast<int>(facets.size()));
  for (store::Facet& f : facets) {
    pb::Facet* out = response->add_facets();
    out->set_name(std::move(f.name));
    out->set_other(f.other);
    out->mutable_values()->Reserve(static_cast<int>(f.values.size()));
    for (store::FacetValue& v : f.values) {
      pb::FacetValue* value = out->add_values();
      value->set_value(std::move(v.value));
      value->set_count(v.count);
      if (!v.query.empty()) value->set_query(std::move(v.query));
    }
  }
}

void ToProto(const std::vector<plugins::PluginDescription>& plugins, pb::ListPluginsResponse* out) {
  out->set_host_abi_version(plugins::HostAbiVersion());
  for (const plugins::PluginDescription& d : plugins) {
    pb::PluginInfo* info = out->add_plugins();
    info->set_name(d.name);
    info->set_version(d.version);
    if (!d.abi_version.empty()) info->set_abi_version(d.abi_version);
    if (!d.stage.empty()) info->set_stage(d.stage);
    for (const auto& a : d.accepts) info->add_accepts(a);
    for (const auto& v : d.query_verbs) info->add_query_verbs(v);
    info->set_state(ToProto(d.state));
    info->set_reason(d.reason);
    info->set_file(d.file.string());
    info->set_description(d.description);
    info->set_thread_safe(d.thread_safe);
    // Counters of a plugin that ran: also of one taken out of service after it started (FAILED
    // with its crashes), never of one refused at load (empty isolation, zero counters).
    if (d.state == plugins::PluginState::kLoaded || !d.isolation.empty()) {
      info->set_calls(d.calls);
      info->set_errors(d.errors);
      info->set_total_time_us(d.total_time_us);
      info->set_isolation(d.isolation);
      info->set_group(d.group);
      info->set_crashes(d.crashes);
      info->set_timeouts(d.timeouts);
      info->set_restarts(d.restarts);
    }
    for (const auto& w : d.sandbox_warnings) info->add_sandbox_warnings(w);
  }
}

void ToProto(const std::vector<store::QuarantineEntry>& entries, pb::ListQuarantineResponse* out) {
  out->mutable_entries()->Reserve(static_cast<int>(entries.size()));
  for (const store::QuarantineEntry& e : entries) {
    pb::QuarantineEntry* entry = out->add_entries();
    entry->set_sha256(e.sha256);
    entry->set_plugin(e.plugin);
    entry->set_plugin_version(e.plugin_version);
    entry->set_reason(e.reason);
    entry->set_path(e.path);
    entry->set_at_ns(e.at_ns);
  }
}

void ToProto(const std::vector<watch::RootStatus>& roots, std::chrono::milliseconds settle,
             pb::WatchStatus* out) {
  out->set_settle_ms(static_cast<uint64_t>(settle.count()));
  for (const watch::RootStatus& r : roots) {
    pb::WatchRoot* root = out->add_roots();
    root->set_path(EscapeInvalidUtf8(r.path.string()));
    switch (r.state) {
      case watch::RootState::kScanning: root->set_state(pb::WatchRoot::SCANNING); break;
      case watch::RootState::kWatching: root->set_state(pb::WatchRoot::WATCHING); break;
      case watch::RootState::kWaitingForRoot:
        root->set_state(pb::WatchRoot::WAITING_FOR_ROOT);
        break;
      case watch::RootState::kFailed: root->set_state(pb::WatchRoot::FAILED); break;
    }
    switch (r.last_rescan_reason) {
      case watch::RescanReason::kNone: break;
      case watch::RescanReason::kInitial:
        root->set_last_rescan_reason(pb::WatchRoot::INITIAL);
        break;
      case watch::RescanReason::kOverflow:
        root->set_last_rescan_reason(pb::WatchRoot::QUEUE_OVERFLOW);
        break;
      case watch::RescanReason::kWatchLimit:
        root->set_last_rescan_reason(pb::WatchRoot::WATCH_LIMIT);
        break;
      case watch::RescanReason::kRootRecreated:
        root->set_last_rescan_reason(pb::WatchRoot::ROOT_RECREATED);
        break;
    }
    // Protobuf strings are UTF-8; paths and messages may not be.
    root->set_reason(EscapeInvalidUtf8(r.reason));
    root->set_directories(r.directories);
    root->set_pending(r.pending);
    root->set_events(r.events);
    root->set_files_analyzed(r.files_analyzed);
    root->set_files_removed(r.files_removed);
    root->set_moves(r.moves);
    root->set_rescans(r.rescans);
    root->set_last_rescan_ns(r.last_rescan_ns);
    root->set_last_error(EscapeInvalidUtf8(r.last_error));
  }
}

}  // namespace archivum::core
