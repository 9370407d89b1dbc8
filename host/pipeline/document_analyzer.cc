#include "pipeline/document_analyzer.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "common/ascii.h"
#include "common/utf8.h"
#include "os/mapped_file.h"

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

std::string SanitizeMemberName(std::string_view name) {
  std::string repaired = EscapeInvalidUtf8(name);
  std::string out;
  out.reserve(repaired.size());
  size_t start = 0;
  while (start <= repaired.size()) {
    size_t end = repaired.find_first_of("/\\", start);
    if (end == std::string::npos) end = repaired.size();
    std::string_view part = std::string_view(repaired).substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == "." || part == "..") continue;
    if (!out.empty()) out += '/';
    for (char c : part) {
      const auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u == 0x7f) ? '_' : c;
    }
  }
  if (out.size() > kMaxMemberNameBytes) {
    size_t cut = kMaxMemberNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  if (out.empty()) out = "member";
  return out;
}

std::string MemberNames::Take(std::string name) {
  if (taken_.insert(name).second) return name;
  for (uint64_t n = 2;; ++n) {
    std::string candidate = name + "~" + std::to_string(n);
    if (taken_.insert(candidate).second) return candidate;
  }
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
  AnalyzeInto(std::move(record), bytes, fd, 0, 0, &budget, ctx, release, &out);
  if (!out.writes.empty()) {
    out.findings = static_cast<uint32_t>(out.writes.front().findings.size());
  }
  return out;
}

void DocumentAnalyzer::AnalyzeInto(store::DocumentRecord record, std::string_view bytes, int fd,
                                   uint64_t fd_offset, uint32_t depth, Budget* budget,
                                   const CallContext& ctx,
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
  in.fd_offset = fd_offset;
  plugins::ChildBudget& child_budget = in.child_budget;
  child_budget.allowed = depth + 1 <= limits_.max_depth;
  child_budget.max_children =
      budget->members < limits_.max_members ? limits_.max_members - budget->members : 0;
  child_budget.max_bytes = budget->expanded < limits_.max_expanded_bytes
                               ? limits_.max_expanded_bytes - budget->expanded
                               : 0;
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
  out->writes[index].text_parts = std::move(r.text_parts);
  out->writes[index].preview = std::move(r.preview);
  const std::string parent_path = record.path;
  out->writes[index].document = std::move(record);

  // Streamed children are read from their spools, each mapped once; a child's pages and disk
  // blocks are given back as soon as it has been analyzed.
  std::vector<std::pair<const os::AnonymousFile*, os::MappedFile>> maps;
  auto mapping_of = [&](const std::shared_ptr<os::AnonymousFile>& spool) -> const os::MappedFile* {
    for (auto& [file, map] : maps) {
      if (file == spool.get()) return &map;
    }
    const int copy = ::dup(spool->fd());
    if (copy < 0) return nullptr;
    auto map = os::MappedFile::FromDescriptor(copy, parent_path + " (child spool)", UINT64_MAX);
    if (!map.ok()) return nullptr;
    maps.emplace_back(spool.get(), std::move(*map));
    return &maps.back().second;
  };

  uint64_t dropped_depth = 0, dropped_count = 0, dropped_size = 0, unreadable = 0;
  if (!child_budget.allowed) {
    dropped_depth += r.children_refused_count;
  } else {
    dropped_count += r.children_refused_count;
  }
  dropped_size += r.children_refused_size;
  MemberNames names;
  for (auto& doc : r.children) {
    plugins::ChildOutput& child = doc.child;
    if (ctx.IsCancelled()) break;
    const uint64_t size = child.byte_count();
    if (depth + 1 > limits_.max_depth) {
      ++dropped_depth;
      continue;
    }
    if (budget->members >= limits_.max_members) {
      ++dropped_count;
      continue;
    }
    if (budget->expanded + size > limits_.max_expanded_bytes) {
      ++dropped_size;
      continue;
    }
    std::string_view child_bytes = child.bytes;
    int child_fd = -1;
    uint64_t child_offset = 0;
    const os::MappedFile* map = nullptr;
    if (child.streamed) {
      map = doc.spool ? mapping_of(doc.spool) : nullptr;
      if (map == nullptr || child.offset > map->size() || size > map->size() - child.offset) {
        ++unreadable;
        continue;
      }
      child_bytes = map->bytes().substr(child.offset, size);
      child_fd = map->fd();
      child_offset = child.offset;
    }
    ++budget->members;
    budget->expanded += size;
    const std::string member_name = names.Take(SanitizeMemberName(child.name));
    store::DocumentRecord member;
    member.path = store::ChildPath(parent_path, member_name);
    member.parent = parent_path;
    member.name = BaseName(member_name);
    member.mtime_ns = out->writes[index].document.mtime_ns;
    member.ingested_at_ns = out->writes[index].document.ingested_at_ns;
    const size_t member_index = out->writes.size();
    std::function<void(uint64_t, uint64_t)> drop;
    if (map != nullptr) {
      drop = [map, child_offset](uint64_t offset, uint64_t length) {
        map->DropBehind(child_offset + offset, length);
      };
    }
    AnalyzeInto(std::move(member), child_bytes, child_fd, child_offset, depth + 1, budget, ctx,
                drop, out);
    // What the container's plugin said about the member belongs to the member.
    auto& member_findings = out->writes[member_index].findings;
    for (auto& [key, value] : child.findings) {
      member_findings.push_back({doc.plugin, std::move(key), std::move(value)});
    }
    for (auto& tag : child.tags) member_findings.push_back({kHostPlugin, "tag", std::move(tag)});
    if (map != nullptr) {
      map->DropBehind(child.offset, size);
      doc.spool->Discard(child.offset, size);
    } else {
      std::string().swap(child.bytes);
    }
  }
  if (unreadable) {
    host_finding("error", std::to_string(unreadable) +
                              " member(s) not analyzed: their spooled bytes could not be read");
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
