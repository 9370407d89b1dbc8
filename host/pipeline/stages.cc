#include "pipeline/stages.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "plugins/mime_match.h"

namespace archivum::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
using plugins::CallCode;
using plugins::FileInput;
using plugins::LoadedPlugin;
using plugins::PluginOutput;

bool Routed(const LoadedPlugin& p, const FileInput& file, std::string_view mime) {
  if (!p.accepts_any_mime && !plugins::AnyMimeMatches(p.accepts, mime)) return false;
  if (!p.rejects.empty() && plugins::AnyMimeMatches(p.rejects, mime)) return false;
  return p.max_file_size == 0 || file.size <= p.max_file_size;
}

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

}  // namespace

ProcessResult Stages::Process(const FileInput& file) const {
  ProcessResult result;
  result.mime = file.mime;
  const bool file_has_deadline = file.deadline != Clock::time_point::max();
  for (plugins::Stage stage :
       {plugins::Stage::kDetect, plugins::Stage::kExtract, plugins::Stage::kAnalyze}) {
    for (const LoadedPlugin& p : registry_.loaded()) {
      const plugins::Manifest& m = p.plugin->manifest();
      if (m.stage != stage || !Routed(p, file, result.mime)) continue;
      if (IsCancelled(file)) {
        result.cancelled = true;
        return result;
      }
      // The binding limit: the file's deadline or this plugin's timeout, whichever comes first.
      // The clock is read only when there is a limit: for a cheap plugin it costs more than the
      // dispatch itself.
      Clock::time_point deadline = file.deadline;
      bool plugin_timeout = false;
      if (file_has_deadline || p.timeout) {
        const Clock::time_point start = Clock::now();
        if (start >= file.deadline) {
          result.deadline_exceeded = true;
          return result;
        }
        if (p.timeout && file.deadline - start > *p.timeout) {
          deadline = start + *p.timeout;
          plugin_timeout = true;
        }
      }
      const bool has_limit = deadline != Clock::time_point::max();
      PluginOutput out;
      p.plugin->Process({&file, result.mime, result.text, deadline}, has_limit, &out);
      result.analyzers.push_back(p.id);

      std::optional<std::string> failure;
      if (has_limit && out.finished > deadline) {
        failure = plugin_timeout
                      ? "timeout: still running after " + std::to_string(p.timeout->count()) + "ms"
                      : std::string("deadline exceeded");
      } else if (out.code == CallCode::kCancelled && IsCancelled(file)) {
        result.cancelled = true;
        return result;
      } else if (out.code != CallCode::kOk && out.code != CallCode::kUnsupported) {
        failure =
            "process failed: " + (out.error.empty() ? plugins::CallCodeName(out.code) : out.error);
      }
      if (failure) {
        p.plugin->CountError();
        spdlog::warn("plugin {} failed on {}: {}", m.name, file.path, *failure);
        ++result.errors;
        result.findings.push_back({m.name, "error", std::move(*failure)});
        continue;
      }
      if (out.code == CallCode::kOk) Merge(m.name, out, &result);
    }
  }
  return result;
}

}  // namespace archivum::pipeline
