// archivum-worker: runs analyzer plugins for archivumd in a confined process (the process
// placement, plugins/process/placement.h). Only the daemon starts it: descriptor 3 is its
// bootstrap channel, on which the first message (worker.proto Init) says what to load and how to
// confine itself, and carries the control block and one channel per slot. The worker confines
// itself (os/sandbox.h) before it loads any plugin, so even a plugin's constructors run confined,
// then starts the plugins, answers InitReply and serves each slot's requests on a thread of its
// own until the daemon closes the channels (or kills it).
//
// A fatal signal on a slot's thread is recorded in the control block (which slot, which signal)
// before the worker dies of it, so the daemon can attribute the crash to the exact file and
// plugin. stdout is /dev/null: a plugin that writes there cannot reach any channel. Log lines go
// to stderr as "<level>\t<message>", which the daemon relays under the group's name.
#include <fcntl.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "os/mapped_file.h"
#include "os/sandbox.h"
#include "plugins/inprocess/c_tables.h"
#include "plugins/inprocess/inprocess_plugin.h"
#include "plugins/process/channel.h"
#include "plugins/process/control.h"
#include "plugins/process/protocol.h"
#include "worker.pb.h"

namespace archivum::plugins::process {
namespace {

using Clock = std::chrono::steady_clock;

Control* g_control = nullptr;
thread_local int32_t tls_slot = -1;

// Records which slot took the signal, then dies of it as if no handler were installed.
void OnFatalSignal(int sig, siginfo_t*, void*) {
  if (g_control != nullptr) {
    g_control->fault_signal.store(sig, std::memory_order_relaxed);
    g_control->fault_slot.store(tls_slot, std::memory_order_release);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void InstallFatalSignalHandlers() {
  struct sigaction sa {};
  sa.sa_sigaction = &OnFatalSignal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGXCPU, SIGTRAP}) {
    ::sigaction(sig, &sa, nullptr);
  }
}

// An alternate signal stack for the calling thread, so that a stack overflow is recorded too;
// unless it has one already (the sanitizers' runtime installs its own and unmaps it when the
// thread ends, so it must not be replaced).
void UseAlternateSignalStack() {
  stack_t current{};
  if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) return;
  constexpr size_t kSize = 64 << 10;
  // Freed when the thread ends, which is after its last use.
  thread_local std::unique_ptr<char[]> stack(new char[kSize]);
  stack_t st{};
  st.ss_sp = stack.get();
  st.ss_size = kSize;
  ::sigaltstack(&st, nullptr);
}

void ConfigureWorkerLogging(const std::string& level) {
  auto logger =
      std::make_shared<spdlog::logger>("worker", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%l\t%v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(std::move(logger));
}

class Worker {
 public:
  Worker(const worker::Init& init, Control* control) : init_(init), control_(control) {}

  // Starts every plugin of Init, in order; fills the reply's per-plugin results.
  void StartPlugins(worker::InitReply* reply) {
    OutputLimits limits;
    limits.max_output_bytes = init_.max_output_bytes();
    limits.max_query_hits = static_cast<size_t>(init_.max_query_hits());
    limits.spool_dir = init_.spool_dir();
    for (const auto& spec : init_.plugins()) {
      routing_.push_back(FromProto(spec.routing()));
      turns_.push_back(std::make_unique<std::mutex>());
    }
    for (const auto& spec : init_.plugins()) {
      control_->starting.store(static_cast<int32_t>(plugins_.size()), std::memory_order_release);
      auto* started = reply->add_plugins();
      if (spec.excluded()) {
        started->set_error("excluded");
        plugins_.emplace_back();
        continue;
      }
      Manifest manifest;
      auto module = inprocess::OpenModule(spec.file(), &manifest);
      if (!module.ok()) {
        started->set_error(module.status().message());
        ToProto(manifest, started->mutable_manifest());
        plugins_.emplace_back();
        continue;
      }
      ToProto((*module)->manifest(), started->mutable_manifest());
      auto plugin = std::move(**module).Start(spec.config_json(), spec.data_dir(), {}, limits);
      if (!plugin.ok()) {
        started->set_error(plugin.status().message());
        plugins_.emplace_back();
        continue;
      }
      plugins_.push_back(std::move(*plugin));
    }
    control_->starting.store(-1, std::memory_order_release);
  }

  // Destroys the plugins in reverse start order.
  void StopPlugins() {
    while (!plugins_.empty()) plugins_.pop_back();
  }

  void ServeSlot(int32_t slot, const Channel& channel) {
    tls_slot = slot;
    UseAlternateSignalStack();
    SlotControl& control = control_->slots[slot];
    for (;;) {
      auto message = channel.Receive();
      if (!message.ok()) return;  // the daemon closed the channel: stop
      control.received.store(1, std::memory_order_release);
      worker::Request request;
      if (!request.ParseFromString(message->payload)) {
        spdlog::error("slot {}: malformed request from the daemon", slot);
        return;
      }
      worker::Reply reply;
      // The spools of streamed children: open until the reply carrying them is sent.
      std::vector<std::shared_ptr<os::AnonymousFile>> spools;
      switch (request.kind_case()) {
        case worker::Request::kProcess:
          RunProcess(request.process(), message->fds, control, reply.mutable_process(), &spools);
          break;
        case worker::Request::kQuery: RunQuery(request.query(), reply.mutable_query()); break;
        case worker::Request::kFlush: RunFlush(request.flush(), reply.mutable_flush()); break;
        case worker::Request::kProbe: RunProbe(request.probe(), reply.mutable_probe()); break;
        case worker::Request::KIND_NOT_SET: return;
      }
      std::string out;
      std::vector<int> fds;
      for (const auto& spool : spools) fds.push_back(spool->fd());
      if (!reply.SerializeToString(&out) || !channel.Send(out, fds).ok()) return;
    }
  }

 private:
  const Plugin* PluginAt(uint32_t index) const {
    return index < plugins_.size() ? plugins_[index].get() : nullptr;
  }

  void RunProcess(const worker::ProcessRequest& request, std::vector<os::UniqueFd>& fds,
                  SlotControl& control, worker::ProcessReply* reply,
                  std::vector<std::shared_ptr<os::AnonymousFile>>* spools) {
    std::optional<os::MappedFile> mapped;
    std::string_view bytes;
    if (request.size() > 0) {
      if (fds.empty()) {
        reply->set_error("no file descriptor in the request");
        return;
      }
      auto m = os::MappedFile::FromDescriptor(fds[0].Release(), request.path(), UINT64_MAX);
      if (!m.ok()) {
        reply->set_error(m.status().message());
        return;
      }
      mapped.emplace(std::move(*m));
      // A streamed child is a range of its container's spool.
      const std::string_view all = mapped->bytes();
      if (request.offset() > all.size() || request.size() > all.size() - request.offset()) {
        reply->set_error("the file is shorter than the request says");
        return;
      }
      bytes = all.substr(request.offset(), request.size());
    }
    FileInput file;
    file.path = request.path();
    file.display_name = request.display_name();
    file.size = bytes.size();
    file.bytes = bytes;
    file.mime = request.mime();
    file.deadline = FromMonotonicNs(request.deadline_ns());
    file.cancelled = [&control] { return control.cancel.load(std::memory_order_relaxed) != 0; };
    if (mapped) {
      const os::MappedFile* m = &*mapped;
      const uint64_t base = request.offset();
      file.release = [m, base](uint64_t offset, uint64_t length) {
        m->DropBehind(base + offset, length);
      };
    }
    file.child_budget.allowed = request.children_allowed();
    file.child_budget.max_children = request.max_children();
    file.child_budget.max_bytes = request.max_child_bytes();
    std::string mime = request.mime();
    std::string text = request.text();
    for (int k = 0; k < request.steps_size(); ++k) {
      const worker::Step& step = request.steps(k);
      worker::Output* o = reply->add_outputs();
      const Plugin* plugin = PluginAt(step.plugin());
      if (plugin == nullptr) continue;
      if (!step.unrouted() && !routing_[step.plugin()].Routes(mime, file.size)) continue;
      if (file.cancelled()) {
        reply->set_stop(static_cast<int32_t>(BatchStop::kCancelled));
        return;
      }
      // A plugin that is not thread-safe runs one call at a time. The wait for its turn comes
      // before the call's limit starts and before the step is published: a call that waits
      // behind a hung one is neither timed out nor blamed for it.
      std::unique_lock<std::mutex> turn(*turns_[step.plugin()], std::defer_lock);
      if (!plugin->manifest().thread_safe) turn.lock();
      Clock::time_point deadline = file.deadline;
      const bool file_has_deadline = deadline != Clock::time_point::max();
      if (file_has_deadline || step.timeout_ms() > 0) {
        const Clock::time_point start = Clock::now();
        if (start >= file.deadline) {
          reply->set_stop(static_cast<int32_t>(BatchStop::kDeadlineExceeded));
          return;
        }
        const auto timeout = std::chrono::milliseconds(step.timeout_ms());
        if (step.timeout_ms() > 0 && file.deadline - start > timeout) {
          deadline = start + timeout;
          o->set_plugin_timeout(true);
        }
      }
      o->set_routed(true);
      o->set_deadline_ns(inprocess::ToMonotonicNs(deadline));
      if (step.skip()) continue;
      control.deadline_ns.store(inprocess::ToMonotonicNs(deadline), std::memory_order_relaxed);
      control.last_step.store(k, std::memory_order_relaxed);
      control.step.store(k, std::memory_order_release);
      PluginOutput out;
      const Clock::time_point started = Clock::now();
      plugin->Process({&file, mime, text, deadline}, /*need_finish_time=*/true, &out);
      control.step.store(-1, std::memory_order_release);
      const Clock::time_point finished = out.finished.value_or(Clock::now());
      o->set_finished_ns(inprocess::ToMonotonicNs(finished));
      o->set_elapsed_ns(
          std::chrono::duration_cast<std::chrono::nanoseconds>(finished - started).count());
      const bool in_time = finished <= deadline;
      if (out.code == CallCode::kOk && in_time) {
        if (out.mime) mime = *out.mime;
        text += out.text;
      }
      ToProto(std::move(out), o, spools);
    }
  }

  void RunQuery(const worker::QueryRequest& request, worker::QueryReply* reply) {
    const Plugin* plugin = PluginAt(request.plugin());
    if (plugin == nullptr) {
      reply->set_status(static_cast<int32_t>(StatusCode::kInternal));
      reply->set_error("not started");
      return;
    }
    auto hits = plugin->Query(request.verb(), request.argument());
    if (!hits.ok()) {
      reply->set_status(static_cast<int32_t>(hits.status().code()));
      reply->set_error(hits.status().message());
      return;
    }
    for (const QueryHit& hit : *hits) {
      auto* h = reply->add_hits();
      h->set_path(hit.path);
      h->set_score(hit.score);
      h->set_detail(hit.detail);
    }
  }

  void RunFlush(const worker::FlushRequest& request, worker::FlushReply* reply) {
    const Plugin* plugin = PluginAt(request.plugin());
    if (plugin == nullptr) return;
    if (Status s = plugin->Flush(); !s.ok()) reply->set_error(s.message());
  }

  void RunProbe(const worker::ProbeRequest& request, worker::ProbeReply* reply) {
    Manifest manifest;
    auto module = inprocess::OpenModule(request.file(), &manifest);
    if (!module.ok()) {
      reply->set_error(module.status().message());
      ToProto(manifest, reply->mutable_manifest());
      return;
    }
    ToProto((*module)->manifest(), reply->mutable_manifest());
  }

  const worker::Init& init_;
  Control* const control_;
  std::vector<std::unique_ptr<Plugin>> plugins_;    // one per Init.plugins; null if not started
  std::vector<Routing> routing_;                    // one per Init.plugins
  std::vector<std::unique_ptr<std::mutex>> turns_;  // one per Init.plugins (see RunProcess)
};

int Run() {
  ::signal(SIGPIPE, SIG_IGN);
  // A worker never outlives the daemon that started it (also set before exec, for the window
  // before this line; repeated here because a daemon that died in between is caught below).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const Channel bootstrap{os::UniqueFd(kBootstrapFd)};
  auto message = bootstrap.Receive();
  if (!message.ok()) return 2;
  worker::Init init;
  if (!init.ParseFromString(message->payload) || message->fds.size() < 1 + init.slots() ||
      init.slots() == 0 || init.slots() > Control::kMaxSlots) {
    return 2;
  }
  ConfigureWorkerLogging(init.log_level());
  void* block = ::mmap(nullptr, sizeof(Control), PROT_READ | PROT_WRITE, MAP_SHARED,
                       message->fds[0].get(), 0);
  if (block == MAP_FAILED) return 2;
  g_control = static_cast<Control*>(block);
  std::vector<Channel> slots;
  for (uint32_t i = 0; i < init.slots(); ++i) {
    slots.emplace_back(std::move(message->fds[1 + i]));
  }
  message->fds.clear();
  InstallFatalSignalHandlers();
  UseAlternateSignalStack();

  worker::InitReply reply;
  auto applied = os::ApplySandbox(SandboxPolicyFromProto(init.sandbox()));
  if (!applied.ok()) {
    reply.set_sandbox_error(applied.status().message());
    std::string out;
    reply.SerializeToString(&out);
    (void)bootstrap.Send(out);
    return 3;
  }
  for (const std::string& warning : applied->warnings) reply.add_sandbox_warnings(warning);

  Worker worker(init, g_control);
  if (!init.probe()) worker.StartPlugins(&reply);
  std::string out;
  if (!reply.SerializeToString(&out) || !bootstrap.Send(out).ok()) return 2;

  std::vector<std::thread> threads;
  for (uint32_t i = 0; i < init.slots(); ++i) {
    threads.emplace_back(
        [&worker, &slots, i] { worker.ServeSlot(static_cast<int32_t>(i), slots[i]); });
  }
  for (auto& t : threads) t.join();
  worker.StopPlugins();
  return 0;
}

}  // namespace
}  // namespace archivum::plugins::process

int main() {
  return archivum::plugins::process::Run();
}
