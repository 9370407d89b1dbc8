#include "pipeline/stages.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "common/sha256.h"

namespace archivum::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
using plugins::CallCode;
using plugins::FileInput;
using plugins::LoadedPlugin;
using plugins::PluginOutput;

bool IsCancelled(const FileInput& file) {
  try {
    return file.cancelled && file.cancelled();
  } catch (...) {
    return true;
  }
}

// Appends a plugin's accepted output to the file's result.
void Merge(const std::string& plugin, PluginOutput& out, ProcessResult* result) {
  if (out.mime) result->mime = std::move(*out.mime);
  for (const auto& span : out.text_spans) {
    result->text_parts.push_back({plugin, span.kind, result->text.size() + span.offset, span.size});
  }
  if (out.preview && !result->preview) {
    result->preview =
        store::Preview{plugin, std::move(out.preview->mime), std::move(out.preview->bytes)};
  }
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
  for (auto& child : out.children) {
    result->children.push_back({plugin, std::move(child), out.spool});
  }
  result->children_refused_count += out.children_refused_count;
  result->children_refused_size += out.children_refused_size;
}

}  // namespace

class Stages::Digest {
 public:
  explicit Digest(const FileInput& file) : file_(file) {}
  const std::string& hex() {
    if (!hex_) hex_ = Sha256Hex(file_.bytes);
    return *hex_;
  }

 private:
  const FileInput& file_;
  std::optional<std::string> hex_;
};

Stages::Stages(const plugins::PluginRegistry& registry, Quarantine* quarantine, plugins::Stage last)
    : quarantine_(quarantine) {
  for (plugins::Stage stage :
       {plugins::Stage::kDetect, plugins::Stage::kExtract, plugins::Stage::kAnalyze}) {
    if (static_cast<int>(stage) > static_cast<int>(last)) break;
    for (const LoadedPlugin& p : registry.loaded()) {
      if (p.plugin->manifest().stage == stage) order_.push_back(&p);
    }
  }
}

bool Stages::Quarantined(const LoadedPlugin& p, Digest& digest, ProcessResult* result) const {
  const plugins::Manifest& m = p.plugin->manifest();
  if (quarantine_ == nullptr || !quarantine_->HasEntriesFor(m.name, m.version)) return false;
  const auto entry = quarantine_->Find(digest.hex(), m.name, m.version);
  if (!entry) return false;
  ++result->errors;
  result->quarantined = true;
  result->findings.push_back(
      {m.name, "error",
       "quarantined: " + entry->reason + " on this content before (archivum quarantine clear)"});
  return true;
}

bool Stages::Settle(const LoadedPlugin& p, const FileInput& file, Digest& digest,
                    plugins::StepOutcome& outcome, bool has_limit, ProcessResult* result) const {
  const plugins::Manifest& m = p.plugin->manifest();
  PluginOutput& out = outcome.output;
  result->analyzers.push_back(p.id);
  std::optional<std::string> failure;
  if (!outcome.failure.empty()) {
    failure = std::move(outcome.failure);
    if (outcome.blamed && quarantine_ != nullptr) {
      result->quarantined = true;
      store::QuarantineEntry entry;
      entry.sha256 = digest.hex();
      entry.plugin = m.name;
      entry.plugin_version = m.version;
      entry.reason = *failure;
      entry.path = file.path;
      if (Status added = quarantine_->Add(std::move(entry)); !added.ok()) {
        spdlog::error("cannot quarantine {} for plugin {}: {}", file.path, m.name, added.message());
      }
    }
  } else if (has_limit && out.finished > outcome.deadline) {
    failure = outcome.plugin_timeout
                  ? "timeout: still running after " + std::to_string(p.timeout->count()) + "ms"
                  : std::string("deadline exceeded");
  } else if (out.code == CallCode::kCancelled && IsCancelled(file)) {
    result->cancelled = true;
    return false;
  } else if (out.code != CallCode::kOk && out.code != CallCode::kUnsupported) {
    failure =
        "process failed: " + (out.error.empty() ? plugins::CallCodeName(out.code) : out.error);
  }
  if (failure) {
    p.plugin->CountError();
    spdlog::warn("plugin {} failed on {}: {}", m.name, file.path, *failure);
    ++result->errors;
    result->findings.push_back({m.name, "error", std::move(*failure)});
    return true;
  }
  if (out.code == CallCode::kOk) Merge(m.name, out, result);
  return true;
}

ProcessResult Stages::Process(const FileInput& file) const {
  ProcessResult result;
  result.mime = file.mime;
  Digest digest(file);
  const bool file_has_deadline = file.deadline != Clock::time_point::max();
  for (size_t i = 0; i < order_.size();) {
    const LoadedPlugin& p = *order_[i];
    if (!p.plugin->available()) {
      ++i;
      continue;
    }
    if (const plugins::StepBatcher* batcher = p.plugin->batcher()) {
      // The run of consecutive plugins this batcher serves, handed over in one call.
      size_t end = i + 1;
      while (end < order_.size() && order_[end]->plugin->batcher() == batcher) ++end;
      std::vector<plugins::Step> steps;
      std::vector<const LoadedPlugin*> members;
      steps.reserve(end - i);
      members.reserve(end - i);
      for (size_t k = i; k < end; ++k) {
        const LoadedPlugin& member = *order_[k];
        if (!member.plugin->available()) continue;
        const plugins::Manifest& m = member.plugin->manifest();
        const bool skip = quarantine_ != nullptr && quarantine_->HasEntriesFor(m.name, m.version) &&
                          quarantine_->Find(digest.hex(), m.name, m.version).has_value();
        steps.push_back({member.plugin, &member.routing, member.timeout, skip});
        members.push_back(&member);
      }
      i = end;
      std::vector<plugins::StepOutcome> outcomes(steps.size());
      const plugins::BatchStop stop = batcher->Run(file, result.mime, result.text, steps, outcomes);
      for (size_t k = 0; k < steps.size(); ++k) {
        if (!outcomes[k].routed) continue;
        if (steps[k].skip && outcomes[k].failure.empty()) {
          Quarantined(*members[k], digest, &result);
          continue;
        }
        const bool has_limit = outcomes[k].deadline != Clock::time_point::max();
        if (!Settle(*members[k], file, digest, outcomes[k], has_limit, &result)) return result;
      }
      if (stop == plugins::BatchStop::kCancelled) {
        result.cancelled = true;
        return result;
      }
      if (stop == plugins::BatchStop::kDeadlineExceeded) {
        result.deadline_exceeded = true;
        return result;
      }
      continue;
    }
    ++i;
    if (!p.routing.Routes(result.mime, file.size)) continue;
    if (IsCancelled(file)) {
      result.cancelled = true;
      return result;
    }
    if (Quarantined(p, digest, &result)) continue;
    // The binding limit: the file's deadline or this plugin's timeout, whichever comes first.
    // The clock is read only when there is a limit: for a cheap plugin it costs more than the
    // dispatch itself.
    plugins::StepOutcome outcome;
    outcome.deadline = file.deadline;
    if (file_has_deadline || p.timeout) {
      const Clock::time_point start = Clock::now();
      if (start >= file.deadline) {
        result.deadline_exceeded = true;
        return result;
      }
      if (p.timeout && file.deadline - start > *p.timeout) {
        outcome.deadline = start + *p.timeout;
        outcome.plugin_timeout = true;
      }
    }
    const bool has_limit = outcome.deadline != Clock::time_point::max();
    p.plugin->Process({&file, result.mime, result.text, outcome.deadline}, has_limit,
                      &outcome.output);
    if (!Settle(p, file, digest, outcome, has_limit, &result)) return result;
  }
  return result;
}

}  // namespace archivum::pipeline
