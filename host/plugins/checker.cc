#include "plugins/checker.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "archivum/plugin.h"
#include "plugins/inprocess/descriptor.h"
#include "plugins/inprocess/inprocess_plugin.h"
#include "plugins/inprocess/library.h"
#include "plugins/manifest.h"
#include "plugins/plugin.h"
#include "plugins/process/placement.h"

namespace archivum::plugins {
namespace {

using Clock = std::chrono::steady_clock;

struct Sample {
  std::string name;
  std::string mime;
  std::string bytes;
};

std::vector<Sample> MakeSamples(uint64_t large_size) {
  std::vector<Sample> samples;
  samples.push_back({"empty file", "application/x-empty", ""});
  samples.push_back({"text", "text/plain", "hello world\nsecond line\n"});
  std::string binary;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) binary.push_back(static_cast<char>(b));
  }
  samples.push_back({"binary", "application/octet-stream", binary});
  samples.push_back({"invalid UTF-8", "text/plain", "caf\xc3 \xff\xfe\xc0\xaf\xed\xa0\x80 end\n"});
  std::string large(large_size, '\0');
  for (uint64_t i = 0; i < large_size; ++i) large[i] = static_cast<char>("archivum\n"[i % 9]);
  samples.push_back(
      {"large (" + std::to_string(large_size) + " bytes)", "text/plain", std::move(large)});
  return samples;
}

class Report {
 public:
  explicit Report(std::ostream& out) : out_(out) {}
  void Pass(const std::string& check, const std::string& detail = "") {
    Line("PASS", check, detail);
  }
  void Fail(const std::string& check, const std::string& detail) {
    ++failures_;
    Line("FAIL", check, detail);
  }
  void Warn(const std::string& check, const std::string& detail) { Line("WARN", check, detail); }
  void Skip(const std::string& check, const std::string& detail) { Line("SKIP", check, detail); }
  int failures() const { return failures_; }
  int checks() const { return checks_; }

 private:
  void Line(const char* tag, const std::string& check, const std::string& detail) {
    ++checks_;
    out_ << "[" << tag << "] " << check << (detail.empty() ? "" : ": " + detail) << std::endl;
  }
  std::ostream& out_;
  int failures_ = 0;
  int checks_ = 0;
};

// A fresh directory for the plugin's data, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "archivum-check-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs one sample; returns an empty string on success, else what went wrong.
std::string RunSample(const Plugin& plugin, const Sample& sample, uint64_t timeout_ms,
                      uint64_t* refused) {
  FileInput input;
  input.path = "/archivum-check/" + sample.name;
  input.display_name = sample.name;
  input.size = sample.bytes.size();
  input.bytes = sample.bytes;
  input.mime = sample.mime;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  PluginOutput output;
  plugin.Process({&input, input.mime, "", deadline}, /*need_finish_time=*/true, &output);
  if (refused != nullptr) *refused += output.refused;
  if (output.finished > deadline) return "still running after " + std::to_string(timeout_ms) + "ms";
  if (output.code == CallCode::kOk || output.code == CallCode::kUnsupported) return {};
  return "returned " + CallCodeName(output.code) +
         (output.error.empty() ? "" : ": " + output.error);
}

void CheckConcurrency(const Plugin& plugin, const std::vector<Sample>& samples,
                      const std::string& prefix, const CheckOptions& options, Report& report) {
  const std::string check = prefix + "concurrent process (" + std::to_string(options.threads) +
                            " threads x " + std::to_string(options.iterations) + " calls)";
  if (!plugin.manifest().thread_safe) {
    report.Skip(check, "plugin is not flagged thread-safe; the host serializes its calls");
    return;
  }
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t] {
      for (unsigned i = 0; i < options.iterations; ++i) {
        // The large sample is last; skip it here to keep the run short.
        const Sample& sample = samples[(t + i) % (samples.size() - 1)];
        std::string why = RunSample(plugin, sample, options.timeout_ms, nullptr);
        if (!why.empty() && failures.fetch_add(1) == 0) {
          std::lock_guard lock(mu);
          first_failure = sample.name + ": " + why;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (failures.load() == 0) {
    report.Pass(check);
  } else {
    report.Fail(check, std::to_string(failures.load()) + " calls failed; first: " + first_failure);
  }
}

// The name of the return code behind a query's status: Plugin::Query maps INVALID_ARGUMENT and
// NOT_FOUND from those codes and every other failure to INTERNAL.
std::string QueryCodeName(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return CallCodeName(CallCode::kOk);
    case StatusCode::kInvalidArgument: return CallCodeName(CallCode::kInvalidArgument);
    case StatusCode::kNotFound: return CallCodeName(CallCode::kNotFound);
    default: return CallCodeName(CallCode::kError);
  }
}

void CheckQueries(const Plugin& plugin, const std::string& prefix, Report& report) {
  if (plugin.manifest().query_verbs.empty()) {
    report.Skip(prefix + "query", "plugin registers no query verbs");
    return;
  }
  for (const auto& verb : plugin.manifest().query_verbs) {
    for (const std::string argument : {"", "/archivum-check/no-such-file"}) {
      const auto hits = plugin.Query(verb, argument);
      const std::string check = prefix + "query " + verb + ":" + argument;
      const StatusCode code = hits.ok() ? StatusCode::kOk : hits.status().code();
      if (code == StatusCode::kOk || code == StatusCode::kInvalidArgument ||
          code == StatusCode::kNotFound) {
        report.Pass(check, QueryCodeName(hits.status()) + ", " +
                               std::to_string(hits.ok() ? hits->size() : 0) + " hits");
      } else {
        report.Fail(check,
                    "returned " + QueryCodeName(hits.status()) + ": " + hits.status().message());
      }
    }
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "-" : out;
}

// The calls of a started plugin: every sample, concurrency, queries, flush. `prefix` names the
// placement in the checks' names ("" in process, "isolated: " in a worker).
void ExercisePlugin(const Plugin& plugin, const std::string& prefix, const CheckOptions& options,
                    Report& report) {
  const std::vector<Sample> samples = MakeSamples(options.large_size);
  for (const Sample& sample : samples) {
    uint64_t refused = 0;
    const std::string failure = RunSample(plugin, sample, options.timeout_ms, &refused);
    if (!failure.empty()) {
      report.Fail(prefix + "process " + sample.name, failure);
    } else if (refused > 0) {
      report.Warn(
          prefix + "process " + sample.name,
          std::to_string(refused) + " emits refused by the host (malformed or over budget)");
    } else {
      report.Pass(prefix + "process " + sample.name);
    }
  }
  CheckConcurrency(plugin, samples, prefix, options, report);
  CheckQueries(plugin, prefix, report);
  if (plugin.manifest().flushes) {
    const Status flushed = plugin.Flush();
    if (flushed.ok()) {
      report.Pass(prefix + "flush");
    } else {
      report.Fail(prefix + "flush", flushed.message());
    }
  }
}

// The same plugin again in a sandboxed worker process, as the daemon runs it by default
// (plugins.isolation: process): loaded by a probe, started in a worker, exercised through it.
void RunIsolatedChecks(const CheckOptions& options, Report& report) {
  process::ProcessPlacementOptions o;
  o.worker_exe = options.worker_exe;
  o.directories = {options.plugin.parent_path()};
  o.sandbox.read_only = process::SystemReadOnlyPaths();
  o.sandbox.data_size = uint64_t{2} << 30;
  o.sandbox.open_files = 1024;
  o.slots = std::max(2u, options.threads);
  process::ProcessPlacement placement(std::move(o));
  Manifest partial;
  auto module = placement.Open(options.plugin, &partial);
  if (!module.ok()) {
    report.Fail("isolated: load in a worker", module.status().message());
    return;
  }
  report.Pass("isolated: load in a worker");
  ScratchDir data_dir;
  auto plugin = std::move(**module).Start(options.config_json, data_dir.path(), {}, OutputLimits{});
  if (!plugin.ok()) {
    report.Fail("isolated: create in a worker", plugin.status().message());
    return;
  }
  const auto failed = placement.Finish();
  if (!failed.empty()) {
    report.Fail("isolated: create in a worker", failed.front().second);
    return;
  }
  const auto info = (*plugin)->placement();
  report.Pass("isolated: create in a worker",
              info.sandbox_warnings.empty() ? "sandbox complete"
                                            : "sandbox warnings: " + Join(info.sandbox_warnings));
  ExercisePlugin(**plugin, "isolated: ", options, report);
  if ((*plugin)->crashes() > 0 || (*plugin)->timeouts() > 0) {
    report.Fail("isolated: no crash or hang", std::to_string((*plugin)->crashes()) + " crashes, " +
                                                  std::to_string((*plugin)->timeouts()) +
                                                  " timeouts");
  }
  plugin->reset();
  report.Pass("isolated: destroy");
}

// Everything after loading; returns when a check makes further checks meaningless.
void RunChecks(const CheckOptions& options, Report& report) {
  auto library = inprocess::PluginLibrary::Open(options.plugin);
  if (!library.ok()) {
    const std::string& why = library.status().message();
    if (why.rfind("cannot load", 0) == 0) {
      report.Fail("load library (RTLD_NOW | RTLD_LOCAL)", why);
    } else {
      report.Pass("load library (RTLD_NOW | RTLD_LOCAL)");
      report.Fail("entry symbol " ARCHIVUM_PLUGIN_ENTRY_SYMBOL, why);
    }
    return;
  }
  report.Pass("load library (RTLD_NOW | RTLD_LOCAL)");
  report.Pass("entry symbol " ARCHIVUM_PLUGIN_ENTRY_SYMBOL);

  Manifest manifest;
  archivum_plugin_descriptor entry_points;
  const Status valid =
      inprocess::ReadDescriptor((*library)->descriptor(), &manifest, &entry_points);
  const std::string& why = valid.message();
  if (!valid.ok() && why.rfind("requires ABI", 0) == 0) {
    report.Fail("ABI version", why);
    return;
  }
  if (manifest.abi_major != 0 || manifest.abi_minor != 0) {
    report.Pass("ABI version",
                "requires " + manifest.abi_version() + ", host provides " + HostAbiVersion());
  }
  if (!valid.ok() && why.rfind("inconsistent capabilities", 0) == 0) {
    report.Pass("descriptor");
    report.Fail("capabilities", why);
    return;
  }
  if (!valid.ok()) {
    report.Fail("descriptor", why);
    return;
  }
  report.Pass("descriptor",
              manifest.id() + ", stage " + std::string(StageName(manifest.stage)) + ", accepts " +
                  Join(manifest.accepts) +
                  (manifest.thread_safe ? ", thread-safe" : ", not thread-safe") +
                  ", max file size " + std::to_string(manifest.max_file_size) +
                  (manifest.tuning_keys.empty() ? std::string()
                                                : ", tuning keys " + Join(manifest.tuning_keys)));
  report.Pass("capabilities", "process" +
                                  std::string(manifest.query_verbs.empty() ? "" : ", query") +
                                  std::string(manifest.flushes ? ", flush" : "") +
                                  "; query verbs " + Join(manifest.query_verbs));

  ScratchDir data_dir;
  auto module = inprocess::MakeModule(std::move(*library), manifest, entry_points);
  auto plugin = std::move(*module).Start(options.config_json, data_dir.path(), {}, OutputLimits{});
  if (!plugin.ok()) {
    report.Fail("create with config " + options.config_json, plugin.status().message());
    return;
  }
  report.Pass("create with config " + options.config_json);

  ExercisePlugin(**plugin, "", options, report);
  plugin->reset();
  report.Pass("destroy");
  if (options.isolated) RunIsolatedChecks(options, report);
}

}  // namespace

int RunConformanceChecks(const CheckOptions& options, std::ostream& out) {
  out << "archivum-plugin-check " << options.plugin.string() << " (host ABI " << HostAbiVersion()
      << ")" << std::endl;
  Report report(out);
  RunChecks(options, report);
  if (report.failures() == 0) {
    out << "RESULT: PASS (" << report.checks() << " checks)" << std::endl;
  } else {
    out << "RESULT: FAIL (" << report.failures() << " of " << report.checks() << " checks failed)"
        << std::endl;
  }
  return report.failures();
}

}  // namespace archivum::plugins
