// PluginRegistry: the per-file pipeline, query dispatch and the signature.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/sha256.h"
#include "plugins/host_tables.h"
#include "plugins/mime_match.h"
#include "plugins/registry.h"
#include "plugins/registry_entry.h"

namespace archivum::plugins {
namespace {

using Clock = std::chrono::steady_clock;

bool Routed(const RegistryEntry& entry, const FileInput& file, std::string_view mime) {
  if (!entry.accepts_any_mime && !AnyMimeMatches(entry.accepts(), mime)) return false;
  if (!entry.settings.reject.empty() && AnyMimeMatches(entry.settings.reject, mime)) return false;
  const uint64_t limit = entry.max_file_size();
  return limit == 0 || file.size <= limit;
}

bool IsCancelled(const FileInput& file) {
  try {
    return file.cancelled && file.cancelled();
  } catch (...) {
    return true;
  }
}

Status ToStatus(const std::string& plugin, const CallOutcome& outcome) {
  std::string message =
      "plugin " + plugin + ": " + (outcome.error.empty() ? RcName(outcome.rc) : outcome.error);
  switch (outcome.rc) {
    case ARCHIVUM_INVALID_ARGUMENT: return InvalidArgument(std::move(message));
    case ARCHIVUM_NOT_FOUND: return NotFound(std::move(message));
    default: return Internal(std::move(message));
  }
}

// Appends a plugin's accepted output to the file's result.
void Merge(const std::string& plugin, CallOutput& out, ProcessResult* result) {
  if (out.mime) result->mime = std::move(*out.mime);
  if (!out.text.empty()) {
    // The first text of a file (the usual case: one extract plugin) is taken over, not copied.
    if (result->text.empty()) {
      result->text = std::move(out.text);
    } else {
      result->text += out.text;
    }
  }
  for (auto& tag : out.tags) result->tags.push_back(std::move(tag));
  for (auto& [key, value] : out.findings) {
    result->findings.push_back({plugin, std::move(key), std::move(value)});
  }
  for (auto& [name, bytes] : out.children) {
    result->children.push_back({plugin, std::move(name), std::move(bytes)});
  }
}

// The configuration as the signature sees it: without the plugin's tuning keys, which never
// change results. The host's config loader produced `config_json`, so it is a JSON object; were
// it not, it is used as it is (a changed text still changes the signature).
std::string SignatureConfig(const std::string& config_json,
                            const std::vector<std::string>& tuning_keys) {
  if (tuning_keys.empty()) return config_json;
  nlohmann::json config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) return config_json;
  for (const std::string& key : tuning_keys) config.erase(key);
  return config.dump();
}

}  // namespace

ProcessResult PluginRegistry::Process(const FileInput& file) const {
  ProcessResult result;
  result.mime = file.mime;
  const bool file_has_deadline = file.deadline != Clock::time_point::max();
  for (Stage stage : {Stage::kDetect, Stage::kExtract, Stage::kAnalyze}) {
    for (const auto& entry : entries_) {
      if (entry->state != EntryState::kLoaded || entry->manifest.stage != stage) continue;
      if (!Routed(*entry, file, result.mime)) continue;
      if (IsCancelled(file)) {
        result.cancelled = true;
        return result;
      }
      // The binding limit: the file's deadline or this plugin's timeout, whichever comes first.
      // The clock is read only when there is a limit: for a cheap plugin it costs more than the
      // dispatch itself.
      Clock::time_point deadline = file.deadline;
      bool plugin_timeout = false;
      if (file_has_deadline || entry->settings.timeout) {
        const Clock::time_point start = Clock::now();
        if (start >= file.deadline) {
          result.deadline_exceeded = true;
          return result;
        }
        if (entry->settings.timeout && file.deadline - start > *entry->settings.timeout) {
          deadline = start + *entry->settings.timeout;
          plugin_timeout = true;
        }
      }
      const bool has_limit = deadline != Clock::time_point::max();
      const Manifest& m = entry->manifest;
      FileView view(file, result.mime, result.text, deadline);
      ProcessSink sink(m.name, stage == Stage::kDetect, options_.max_output_bytes);
      const CallOutcome outcome = entry->instance->Process(*view.get(), sink, has_limit);
      result.analyzers.push_back(entry->id);

      std::optional<std::string> failure;
      if (has_limit && outcome.finished > deadline) {
        failure = plugin_timeout ? "timeout: still running after " +
                                       std::to_string(entry->settings.timeout->count()) + "ms"
                                 : std::string("deadline exceeded");
      } else if (outcome.rc == ARCHIVUM_CANCELLED && IsCancelled(file)) {
        entry->instance->RecordCall(outcome, false);
        result.cancelled = true;
        return result;
      } else if (outcome.rc != ARCHIVUM_OK && outcome.rc != ARCHIVUM_UNSUPPORTED) {
        failure = "process failed: " + (outcome.error.empty() ? RcName(outcome.rc) : outcome.error);
      }
      entry->instance->RecordCall(outcome, failure.has_value());
      if (failure) {
        spdlog::warn("plugin {} failed on {}: {}", m.name, file.path, *failure);
        ++result.errors;
        result.findings.push_back({m.name, "error", std::move(*failure)});
        continue;
      }
      if (outcome.rc == ARCHIVUM_OK) Merge(m.name, sink.output(), &result);
    }
  }
  return result;
}

StatusOr<std::vector<QueryHit>> PluginRegistry::Query(std::string_view verb,
                                                      std::string_view argument) const {
  std::vector<QueryHit> hits;
  std::optional<Status> first_failure;
  bool any_success = false;
  bool registered = false;
  for (const auto& entry : entries_) {
    if (entry->state != EntryState::kLoaded) continue;
    const auto& verbs = entry->manifest.query_verbs;
    if (std::find(verbs.begin(), verbs.end(), verb) == verbs.end()) continue;
    registered = true;
    QueryCollector collector(entry->manifest.name, options_.max_query_hits);
    const CallOutcome outcome = entry->instance->Query(verb, argument, collector);
    entry->instance->RecordCall(outcome, outcome.rc != ARCHIVUM_OK);
    if (outcome.rc != ARCHIVUM_OK) {
      Status status = ToStatus(entry->manifest.name, outcome);
      spdlog::warn("query {}:{} failed: {}", verb, argument, status.message());
      if (!first_failure) first_failure = std::move(status);
      continue;
    }
    any_success = true;
    auto& got = collector.hits();
    hits.insert(hits.end(), std::make_move_iterator(got.begin()),
                std::make_move_iterator(got.end()));
  }
  if (!registered)
    return NotFound("no plugin registers the query verb '" + std::string(verb) + "'");
  if (!any_success && first_failure) return *std::move(first_failure);
  std::stable_sort(hits.begin(), hits.end(),
                   [](const QueryHit& a, const QueryHit& b) { return a.score > b.score; });
  return hits;
}

Status PluginRegistry::Flush() const {
  Status first = Status::Ok();
  for (const auto& entry : entries_) {
    if (entry->state != EntryState::kLoaded || entry->manifest.entry_points.flush == nullptr) {
      continue;
    }
    const CallOutcome outcome = entry->instance->Flush();
    if (outcome.rc == ARCHIVUM_OK) continue;
    Status status = Internal("plugin " + entry->manifest.name + ": flush failed: " +
                             (outcome.error.empty() ? RcName(outcome.rc) : outcome.error));
    spdlog::error("{}", status.message());
    if (first.ok()) first = std::move(status);
  }
  return first;
}

std::vector<std::string> PluginRegistry::QueryVerbs() const {
  std::set<std::string> verbs;
  for (const auto& entry : entries_) {
    if (entry->state != EntryState::kLoaded) continue;
    verbs.insert(entry->manifest.query_verbs.begin(), entry->manifest.query_verbs.end());
  }
  return {verbs.begin(), verbs.end()};
}

std::string PluginRegistry::Signature() const {
  // One line per loaded plugin, sorted by name so load order does not matter. Fields are
  // length-prefixed so no value can forge a field boundary.
  std::vector<std::string> lines;
  auto field = [](std::string* line, std::string_view value) {
    line->append(std::to_string(value.size())).append(":").append(value).append(";");
  };
  for (const auto& entry : entries_) {
    if (entry->state != EntryState::kLoaded) continue;
    const Manifest& m = entry->manifest;
    const config::PluginSettings& s = entry->settings;
    std::string line;
    field(&line, m.name);
    field(&line, m.version);
    field(&line, m.abi_version());
    field(&line, SignatureConfig(s.config_json, m.tuning_keys));
    for (const auto& a : entry->accepts()) field(&line, "accept=" + a);
    for (const auto& r : s.reject) field(&line, "reject=" + r);
    field(&line, "max=" + std::to_string(entry->max_file_size()));
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string all = "archivum-plugins-v1\n";
  for (const auto& line : lines) all.append(line).append("\n");
  return Sha256Hex(all);
}

}  // namespace archivum::plugins
