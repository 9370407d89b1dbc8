// Host types to the API's messages: catalog records, search hits, plugin descriptions and
// quarantine entries become what FileManager answers (aichemist_archivum.proto). The one place
// that maps them.
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <vector>

#include "aichemist_archivum.pb.h"
#include "plugins/registry.h"
#include "store/catalog.h"
#include "watch/watcher.h"

namespace archivum::core {

namespace pb = ::aichemist_archivum;

// A cataloged document with its findings, metadata (its findings of the vocabulary) and
// children, as GetDocument answers it.
void ToProto(const store::DocumentDetail& detail, const store::ChildList& children,
             pb::Document* out);
// The beginning of a document's text and its marked parts, into the document (text,
// text_size, text_parts).
void ToProto(store::DocumentText&& text, pb::Document* out);

// Moves a page of search hits into the response (results and hits), reserving its repeated
// fields once. Empty strings are left unset: they are the proto3 default and cost an arena
// allocation otherwise.
void AppendHits(std::vector<store::SearchHit>::iterator begin,
                std::vector<store::SearchHit>::iterator end, pb::AnalyzeResponse* response);

// Moves facet counts into the response's facets, in the given order.
void AppendFacets(std::vector<store::Facet>&& facets, pb::AnalyzeResponse* response);

// Every discovered plugin, and the host's ABI version, as ListPlugins answers them (all but
// `quarantined`, which the quarantine counts).
void ToProto(const std::vector<plugins::PluginDescription>& plugins, pb::ListPluginsResponse* out);

// The quarantine's entries, in the given order, as ListQuarantine answers them.
void ToProto(const std::vector<store::QuarantineEntry>& entries, pb::ListQuarantineResponse* out);

// Watch mode's state (watch::Watcher::GetStatus) and its settle time.
void ToProto(const std::vector<watch::RootStatus>& roots, std::chrono::milliseconds settle,
             pb::WatchStatus* out);

}  // namespace archivum::core
