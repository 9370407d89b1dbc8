#include "pipeline/document_analyzer.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "common/ascii.h"

namespace archivum::pipeline {

int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string ExtensionOf(std::string_view name) {
  const std::string base = BaseName(name);
  const size_t dot = base.find_last_of('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == base.size()) return "";
  return AsciiLower(std::string_view(base).substr(dot + 1));
}

DocumentAnalyzer::DocumentAnalyzer(const plugins::PluginRegistry* registry,
                                   const config::Ingest& limits, Quarantine* quarantine)
    : limits_(limits), signature_(registry ? registry->Signature() : std::string("no-plugins")) {
  if (registry != nullptr && registry->loaded_count() > 0) stages_.emplace(*registry, quarantine);
}

AnalyzedDocument DocumentAnalyzer::Analyze(store::DocumentRecord record, std::string_view bytes,
                                           const CallContext& ctx,
                                           std::function<void(uint64_t, uint64_t)> release,
                                           int fd) const {
  AnalyzedDocument out;
  Budget budget;
  AnalyzeInto(std::move(record), bytes, fd, 0, &budget, ctx, release, &out);
  if (!out.writes.empty()) {
    out.findings = static_cast<uint32_t>(out.writes.front().findings.size());
  }
  return out;
}

void DocumentAnalyzer::AnalyzeInto(store::DocumentRecord record, std::string_view bytes, int fd,
                                   uint32_t depth, Budget* budget, const CallContext& ctx,
                                   const std::function<void(uint64_t, uint64_t)>& release,
                                   AnalyzedDocument* out) const {
  record.name = record.name.empty() ? BaseName(record.path) : record.name;
  record.ext = ExtensionOf(record.name);
  record.signature = signature_;
  record.size = bytes.size();
  const size_t index = out->writes.size();
  out->writes.emplace_back();
  auto host_finding = [&](std::string key, std::string value) {
    out->writes[index].findings.push_back({kHostPlugin, std::move(key), std::move(value)});
  };

  if (!stages_) {
    out->writes[index].document = std::move(record);
    return;
  }
  plugins::FileInput in;
  in.path = record.path;
  in.display_name = record.name;
  in.size = bytes.size();
  in.bytes = bytes;
  in.fd = fd;
  if (ctx.deadline != std::chrono::system_clock::time_point::max()) {
    in.deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      ctx.deadline - std::chrono::system_clock::now());
  }
  if (ctx.cancelled) in.cancelled = ctx.cancelled;
  in.release = release;
  ProcessResult r = stages_->Process(in);

  record.mime = r.mime;
  // Analyzed again by the next ingest, so that a quarantine entry cleared meanwhile takes effect.
  if (r.quarantined) record.signature.clear();
  std::string analyzers;
  for (const auto& a : r.analyzers) {
    if (!analyzers.empty()) analyzers += ',';
    analyzers += a;
  }
  record.analyzers = std::move(analyzers);
  auto& findings = out->writes[index].findings;
  for (auto& f : r.findings) {
    // Any plugin's "sha256" finding identifies the content (for sha256: and dup: queries).
    if (f.key == "sha256" && record.sha256.empty()) record.sha256 = f.value;
    if (f.key == "error") {
      ++out->plugin_errors;
      if (out->first_error.empty()) out->first_error = f.plugin + ": " + f.value;
    }
    findings.push_back({std::move(f.plugin), std::move(f.key), std::move(f.value)});
  }
  for (auto& t : r.tags) findings.push_back({kHostPlugin, "tag", std::move(t)});
  out->writes[index].text = std::move(r.text);
  const std::string parent_path = record.path;
  out->writes[index].document = std::move(record);

  uint32_t dropped_depth = 0, dropped_count = 0, dropped_size = 0;
  for (auto& child : r.children) {
    if (ctx.IsCancelled()) break;
    if (depth + 1 > limits_.max_depth) {
      ++dropped_depth;
      continue;
    }
    if (budget->members >= limits_.max_members) {
      ++dropped_count;
      continue;
    }
    if (budget->expanded + child.bytes.size() > limits_.max_expanded_bytes) {
      ++dropped_size;
      continue;
    }
    ++budget->members;
    budget->expanded += child.bytes.size();
    store::DocumentRecord member;
    member.path = store::ChildPath(parent_path, child.name);
    member.parent = parent_path;
    member.name = BaseName(child.name);
    member.mtime_ns = out->writes[index].document.mtime_ns;
    member.ingested_at_ns = out->writes[index].document.ingested_at_ns;
    std::string bytes_copy = std::move(child.bytes);
    AnalyzeInto(std::move(member), bytes_copy, -1, depth + 1, budget, ctx, {}, out);
  }
  if (dropped_depth) {
    host_finding("limit", std::to_string(dropped_depth) +
                              " member(s) not analyzed: nesting "
                              "deeper than ingest.max_depth (" +
                              std::to_string(limits_.max_depth) + ")");
  }
  if (dropped_count) {
    host_finding("limit", std::to_string(dropped_count) +
                              " member(s) not analyzed: more than "
                              "ingest.max_members (" +
                              std::to_string(limits_.max_members) + ")");
  }
  if (dropped_size) {
    host_finding("limit", std::to_string(dropped_size) +
                              " member(s) not analyzed: expanded size "
                              "over ingest.max_expanded_size (" +
                              std::to_string(limits_.max_expanded_bytes) + " bytes)");
  }
}

}  // namespace archivum::pipeline
