#include "plugins/process/placement.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <set>

#include "config/values.h"
#include "os/unique_fd.h"
#include "plugins/inprocess/c_tables.h"
#include "plugins/inprocess/inprocess_plugin.h"
#include "plugins/process/protocol.h"
#include "plugins/process/worker_group.h"
#include "plugins/registry.h"

namespace archivum::plugins::process {

class ProcessPlugin;

// One isolation group: its plugins' specs while loading, then its worker and batcher.
struct GroupHandle final : public StepBatcher {
  std::string name;
  std::vector<WorkerGroup::PluginSpec> specs;
  std::vector<ProcessPlugin*> plugins;  // by index into specs; owned by the registry
  std::vector<Manifest> manifests;      // as probed, by index
  uint64_t memory = 0;                  // the largest of its plugins' memory settings
  std::unique_ptr<WorkerGroup> group;   // set by Finish

  BatchStop Run(const FileInput& file, std::string_view mime, std::string_view text,
                std::span<const Step> steps, std::span<StepOutcome> outcomes) const override;
};

class ProcessPlugin final : public Plugin {
 public:
  ProcessPlugin(Manifest manifest, std::shared_ptr<GroupHandle> handle, uint32_t index,
                uint32_t max_crashes, std::chrono::seconds crash_window)
      : Plugin(std::move(manifest)),
        handle_(std::move(handle)),
        index_(index),
        max_crashes_(max_crashes),
        crash_window_(crash_window) {}

  uint32_t index() const { return index_; }

  void Process(const PluginInput& input, bool need_finish_time,
               PluginOutput* output) const override {
    (void)need_finish_time;                               // worker calls are always timed
    const Step step{this, nullptr, std::nullopt, false};  // no routing: a direct call
    StepOutcome outcome;
    FileInput file = *input.file;
    file.deadline = std::min(file.deadline, input.deadline);
    handle_->Run(file, input.mime, input.text, std::span<const Step>(&step, 1),
                 std::span<StepOutcome>(&outcome, 1));
    *output = std::move(outcome.output);
    if (!outcome.failure.empty()) {
      output->code = CallCode::kError;
      output->error = outcome.failure;
    }
  }

  StatusOr<std::vector<QueryHit>> Query(std::string_view verb,
                                        std::string_view argument) const override {
    worker::Request request;
    auto* q = request.mutable_query();
    q->set_plugin(index_);
    q->set_verb(std::string(verb));
    q->set_argument(std::string(argument));
    call_counter().fetch_add(1, std::memory_order_relaxed);
    const auto started = std::chrono::steady_clock::now();
    auto result = handle_->group->Call(request, -1, {});
    AddTime(std::chrono::steady_clock::now() - started, 1);
    if (result.kind != WorkerGroup::CallResult::kReplied) return Internal(Died(result));
    const worker::QueryReply& reply = result.reply.query();
    if (reply.status() != 0) {
      return Status(static_cast<StatusCode>(reply.status()), reply.error());
    }
    std::vector<QueryHit> hits;
    hits.reserve(reply.hits_size());
    for (const auto& h : reply.hits())
      hits.push_back({manifest().name, h.path(), h.score(), h.detail()});
    return hits;
  }

  Status Flush() const override {
    if (!manifest().flushes) return Status::Ok();
    worker::Request request;
    request.mutable_flush()->set_plugin(index_);
    auto result = handle_->group->Call(request, -1, {});
    if (result.kind != WorkerGroup::CallResult::kReplied) return Internal(Died(result));
    if (!result.reply.flush().error().empty()) return Internal(result.reply.flush().error());
    return Status::Ok();
  }

  const StepBatcher* batcher() const override { return handle_.get(); }

  PlacementInfo placement() const override {
    PlacementInfo info;
    info.isolation = "process";
    info.group = handle_->name;
    if (handle_->group) {
      info.sandbox_warnings = handle_->group->sandbox_warnings();
      info.restarts = handle_->group->restarts();
    }
    return info;
  }

  // A call that ran in the worker: counted, and timed with the worker's measurement.
  void Account(int64_t elapsed_ns) const {
    call_counter().fetch_add(1, std::memory_order_relaxed);
    AddTime(std::chrono::nanoseconds(std::max<int64_t>(elapsed_ns, 0)), 1);
  }

  // A call of this plugin killed its worker: counted, and the plugin is taken out of service
  // after max_crashes within crash_window. Timeouts count as timeouts only.
  void RecordDeath(const std::string& death, bool timeout) const {
    call_counter().fetch_add(1, std::memory_order_relaxed);
    if (timeout) {
      CountTimeout();
      return;
    }
    CountCrash();
    std::lock_guard lock(crash_mu_);
    const auto now = std::chrono::steady_clock::now();
    crash_times_.push_back(now);
    while (!crash_times_.empty() && now - crash_times_.front() > crash_window_) {
      crash_times_.pop_front();
    }
    if (max_crashes_ > 0 && crash_times_.size() >= max_crashes_) {
      const std::string reason = "taken out of service: " + std::to_string(crash_times_.size()) +
                                 " crashes within " + config::FormatDuration(crash_window_) +
                                 " (last: " + death + ")";
      spdlog::error("plugin {} {}", manifest().name, reason);
      MarkFailed(reason);
    }
  }

 private:
  static std::string Died(const WorkerGroup::CallResult& result) {
    switch (result.kind) {
      case WorkerGroup::CallResult::kKilled: return result.death;
      case WorkerGroup::CallResult::kCancelled: return "cancelled";
      case WorkerGroup::CallResult::kFailed: return "worker unavailable: " + result.death;
      case WorkerGroup::CallResult::kReplied: break;
    }
    return "worker unavailable";
  }

  std::shared_ptr<GroupHandle> handle_;
  const uint32_t index_;
  const uint32_t max_crashes_;
  const std::chrono::seconds crash_window_;
  mutable std::mutex crash_mu_;
  mutable std::deque<std::chrono::steady_clock::time_point> crash_times_;  // GUARDED_BY(crash_mu_)
};

namespace {

// A sealed memfd holding `bytes`, for content that is not a file of its own (archive members).
StatusOr<os::UniqueFd> MemfdWith(std::string_view bytes) {
  os::UniqueFd fd(::memfd_create("archivum-content", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) return Internal(std::string("memfd_create: ") + std::strerror(errno));
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("cannot fill a memfd: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

}  // namespace

BatchStop GroupHandle::Run(const FileInput& file, std::string_view mime, std::string_view text,
                           std::span<const Step> steps, std::span<StepOutcome> outcomes) const {
  worker::Request request;
  worker::ProcessRequest* p = request.mutable_process();
  p->set_path(file.path);
  p->set_display_name(file.display_name);
  p->set_size(file.size);
  p->set_mime(std::string(mime));
  p->set_text(std::string(text));
  p->set_deadline_ns(inprocess::ToMonotonicNs(file.deadline));
  p->set_children_allowed(file.child_budget.allowed);
  p->set_max_children(file.child_budget.max_children);
  p->set_max_child_bytes(file.child_budget.max_bytes);
  std::vector<const ProcessPlugin*> step_plugins;
  step_plugins.reserve(steps.size());
  for (const Step& step : steps) {
    const auto* plugin = static_cast<const ProcessPlugin*>(step.plugin);
    step_plugins.push_back(plugin);
    worker::Step* s = p->add_steps();
    s->set_plugin(plugin->index());
    // The worker routes by the same routing (WorkerGroup::PluginSpec); a step without one is a
    // direct call (Plugin::Process).
    if (step.routing == nullptr) s->set_unrouted(true);
    if (step.timeout) s->set_timeout_ms(step.timeout->count());
    s->set_skip(step.skip);
  }

  auto fail_all = [&](const std::string& why) {
    for (size_t k = 0; k < steps.size(); ++k) {
      if (!outcomes[k].failure.empty()) continue;
      outcomes[k] = StepOutcome();
      outcomes[k].routed = steps[k].routing == nullptr || steps[k].routing->Routes(mime, file.size);
      if (outcomes[k].routed) outcomes[k].failure = why;
    }
    return BatchStop::kNone;
  };

  int fd = file.fd;
  if (fd >= 0) p->set_offset(file.fd_offset);
  os::UniqueFd memfd;
  if (fd < 0 && file.size > 0) {
    auto made = MemfdWith(file.bytes.substr(0, file.size));
    if (!made.ok()) return fail_all("worker unavailable: " + made.status().message());
    memfd = std::move(*made);
    fd = memfd.get();
  }

  // Each crash takes one step out (it is skipped when the request is sent again), so this ends.
  for (size_t attempt = 0; attempt <= steps.size(); ++attempt) {
    auto result = group->Call(request, fd, file.cancelled);
    switch (result.kind) {
      case WorkerGroup::CallResult::kReplied: {
        worker::ProcessReply& reply = *result.reply.mutable_process();
        if (!reply.error().empty()) {
          return fail_all("the worker could not read the file: " + reply.error());
        }
        const size_t n = std::min<size_t>(reply.outputs_size(), steps.size());
        for (size_t k = 0; k < n; ++k) {
          worker::Output& o = *reply.mutable_outputs(static_cast<int>(k));
          if (!outcomes[k].failure.empty()) continue;  // killed on an earlier attempt
          outcomes[k].routed = o.routed();
          if (!o.routed()) continue;
          outcomes[k].deadline = FromMonotonicNs(o.deadline_ns());
          outcomes[k].plugin_timeout = o.plugin_timeout();
          if (steps[k].skip) continue;
          step_plugins[k]->Account(o.elapsed_ns());
          if (Status read = FromProto(std::move(o), result.fds, &outcomes[k].output); !read.ok()) {
            outcomes[k] = StepOutcome();
            outcomes[k].routed = true;
            outcomes[k].failure = "malformed reply from the worker: " + read.message();
          }
        }
        switch (reply.stop()) {
          case static_cast<int32_t>(BatchStop::kCancelled): return BatchStop::kCancelled;
          case static_cast<int32_t>(BatchStop::kDeadlineExceeded):
            return BatchStop::kDeadlineExceeded;
          default: return BatchStop::kNone;
        }
      }
      case WorkerGroup::CallResult::kKilled: {
        size_t k = result.step >= 0 && static_cast<size_t>(result.step) < steps.size()
                       ? static_cast<size_t>(result.step)
                       : 0;
        StepOutcome& o = outcomes[k];
        o = StepOutcome();
        o.routed = true;
        o.blamed = true;
        if (result.timeout) {
          o.failure = steps[k].timeout
                          ? "timeout after " + config::FormatDuration(*steps[k].timeout)
                          : std::string("deadline exceeded (worker killed)");
        } else {
          o.failure = result.death;
        }
        step_plugins[k]->RecordDeath(o.failure, result.timeout);
        spdlog::error("plugin {} on {}: {}", step_plugins[k]->manifest().name, file.path,
                      o.failure);
        p->mutable_steps(static_cast<int>(k))->set_skip(true);
        continue;
      }
      case WorkerGroup::CallResult::kCancelled: return BatchStop::kCancelled;
      case WorkerGroup::CallResult::kFailed: return fail_all("worker unavailable: " + result.death);
    }
  }
  return fail_all("worker unavailable: every attempt failed");
}

class ProcessModule final : public PluginModule {
 public:
  ProcessModule(ProcessPlacement* placement, Manifest manifest, std::filesystem::path file)
      : placement_(placement), manifest_(std::move(manifest)), file_(std::move(file)) {}
  const Manifest& manifest() const override { return manifest_; }

  StatusOr<std::unique_ptr<Plugin>> Start(const std::string& config_json,
                                          const std::filesystem::path& data_dir,
                                          const std::vector<std::filesystem::path>& read_paths,
                                          const OutputLimits& limits) &&
      override {
    (void)limits;  // the placement's limits apply in the worker
    auto handle = placement_->GroupFor(manifest_.name, file_);
    const auto index = static_cast<uint32_t>(handle->specs.size());
    const auto& opts = placement_->options_;
    config::PluginSettings settings;
    if (auto it = opts.settings.find(manifest_.name); it != opts.settings.end()) {
      settings = it->second;
    }
    handle->specs.push_back(
        {file_, config_json, data_dir, EffectiveRouting(manifest_, settings), read_paths});
    handle->manifests.push_back(manifest_);
    uint64_t memory = opts.sandbox.data_size;
    if (auto it = opts.settings.find(manifest_.name);
        it != opts.settings.end() && it->second.memory) {
      memory = *it->second.memory;
    }
    handle->memory = std::max(handle->memory, memory);
    auto plugin = std::make_unique<ProcessPlugin>(manifest_, handle, index, opts.max_crashes,
                                                  opts.crash_window);
    handle->plugins.push_back(plugin.get());
    return std::unique_ptr<Plugin>(std::move(plugin));
  }

 private:
  ProcessPlacement* placement_;
  Manifest manifest_;
  std::filesystem::path file_;
};

ProcessPlacement::ProcessPlacement(ProcessPlacementOptions options)
    : options_(std::move(options)) {}

ProcessPlacement::~ProcessPlacement() = default;

std::shared_ptr<GroupHandle> ProcessPlacement::GroupFor(const std::string& name,
                                                        const std::filesystem::path& file) {
  std::string key = name;
  if (auto it = options_.settings.find(name); it != options_.settings.end() && it->second.group) {
    key = *it->second.group;
  } else {
    const auto dir = file.parent_path().lexically_normal();
    for (const auto& bundled : options_.bundled_directories) {
      if (dir == bundled.lexically_normal()) key = "bundled";
    }
  }
  auto& handle = groups_[key];
  if (!handle) {
    handle = std::make_shared<GroupHandle>();
    handle->name = key;
  }
  return handle;
}

Status ProcessPlacement::Probe(const std::filesystem::path& file, Manifest* manifest) {
  if (!probe_ && probe_error_.empty()) {
    WorkerGroup::Options o;
    o.name = "probe";
    o.worker_exe = options_.worker_exe;
    o.probe = true;
    o.slots = 1;
    o.grace = options_.grace;
    o.start_timeout = options_.start_timeout;
    o.sandbox = options_.sandbox;
    for (const auto& dir : options_.directories) o.sandbox.read_only.push_back(dir);
    WorkerGroup::Started started;
    auto group = WorkerGroup::Start(std::move(o), &started);
    if (group.ok()) {
      probe_ = std::move(*group);
    } else {
      probe_error_ = group.status().message();
      spdlog::error("cannot start the probe worker: {}", probe_error_);
    }
  }
  if (!probe_) return FailedPrecondition(probe_error_);
  worker::Request request;
  request.mutable_probe()->set_file(file.string());
  auto result = probe_->Call(request, -1, {});
  if (result.kind == WorkerGroup::CallResult::kKilled) {
    return FailedPrecondition("cannot load: " + result.death + " while loading");
  }
  if (result.kind != WorkerGroup::CallResult::kReplied) {
    return FailedPrecondition("cannot load: worker unavailable: " + result.death);
  }
  const worker::ProbeReply& reply = result.reply.probe();
  *manifest = FromProto(reply.manifest());
  if (!reply.error().empty()) return FailedPrecondition(reply.error());
  return Status::Ok();
}

StatusOr<std::unique_ptr<PluginModule>> ProcessPlacement::Open(const std::filesystem::path& file,
                                                               Manifest* partial) {
  // Whether any plugin may be isolated at all: if none, nothing is probed.
  const bool any_process =
      !options_.inprocess_by_default ||
      std::any_of(options_.settings.begin(), options_.settings.end(),
                  [](const auto& s) { return s.second.isolation == config::Isolation::kProcess; });
  if (!any_process) return inprocess::OpenModule(file, partial);

  ARCHIVUM_RETURN_IF_ERROR(Probe(file, partial));
  config::Isolation isolation =
      options_.inprocess_by_default ? config::Isolation::kInProcess : config::Isolation::kProcess;
  if (auto it = options_.settings.find(partial->name);
      it != options_.settings.end() && it->second.isolation) {
    isolation = *it->second.isolation;
  }
  if (isolation == config::Isolation::kInProcess) return inprocess::OpenModule(file, partial);
  return std::unique_ptr<PluginModule>(new ProcessModule(this, *partial, file));
}

std::vector<std::pair<const Plugin*, std::string>> ProcessPlacement::Finish() {
  probe_.reset();
  std::vector<std::pair<const Plugin*, std::string>> failed;
  for (auto& [key, handle] : groups_) {
    if (handle->specs.empty()) continue;
    WorkerGroup::Options o;
    o.name = key;
    o.worker_exe = options_.worker_exe;
    o.plugins = handle->specs;
    o.limits = options_.limits;
    o.slots = options_.slots;
    o.grace = options_.grace;
    o.start_timeout = options_.start_timeout;
    o.sandbox = options_.sandbox;
    o.sandbox.data_size = handle->memory;
    std::set<std::filesystem::path> dirs;
    for (const auto& spec : handle->specs) {
      dirs.insert(spec.file.parent_path());
      if (!spec.data_dir.empty()) o.sandbox.read_write.push_back(spec.data_dir);
      for (const auto& path : spec.read_paths) dirs.insert(path);
    }
    // Streamed children are written to unnamed files in a directory of the group's own, so that
    // the groups cannot see each other's files even if a plugin names one.
    if (!options_.limits.spool_dir.empty()) {
      o.limits.spool_dir = options_.limits.spool_dir / key;
      std::error_code ec;
      std::filesystem::create_directories(o.limits.spool_dir, ec);
      o.sandbox.read_write.push_back(o.limits.spool_dir);
    }
    o.sandbox.read_only.insert(o.sandbox.read_only.end(), dirs.begin(), dirs.end());
    // Libraries that print diagnostics of their own (tesseract) are pointed at /dev/null by
    // their plugins; writing there reaches nothing.
    o.sandbox.read_write.emplace_back("/dev/null");
    WorkerGroup::Started started;
    auto group = WorkerGroup::Start(std::move(o), &started);
    if (!group.ok()) {
      for (const ProcessPlugin* plugin : handle->plugins) {
        failed.emplace_back(plugin, group.status().message());
      }
      continue;
    }
    handle->group = std::move(*group);
    for (const std::string& warning : started.sandbox_warnings) {
      spdlog::warn("group {}: {}", key, warning);
    }
    for (size_t i = 0; i < handle->plugins.size(); ++i) {
      const auto& got = started.plugins[i];
      if (!got.ok()) {
        failed.emplace_back(handle->plugins[i], got.status().message());
      } else if (got->name != handle->manifests[i].name ||
                 got->version != handle->manifests[i].version) {
        failed.emplace_back(handle->plugins[i], "the library changed on disk while loading");
      }
    }
  }
  return failed;
}

std::vector<std::filesystem::path> SystemReadOnlyPaths() {
  std::vector<std::filesystem::path> paths;
  for (const char* p : {"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/etc/ld.so.cache",
                        "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/magic",
                        "/etc/mime.types", "/dev/null", "/dev/urandom", "/dev/zero",
                        // fontconfig's configuration and cache: poppler finds the fonts of the
                        // PDFs it renders (page thumbnails, OCR) through them.
                        "/etc/fonts", "/var/cache/fontconfig"}) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) paths.emplace_back(p);
  }
  return paths;
}

std::filesystem::path DefaultWorkerPath() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "archivum-worker";
  return exe.parent_path() / "archivum-worker";
}

}  // namespace archivum::plugins::process
