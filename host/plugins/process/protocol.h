// Conversions between the host's plugin types and the worker protocol (worker.proto), shared by
// archivumd and archivum-worker.
#pragma once

#include <chrono>
#include <cstdint>

#include "os/sandbox.h"
#include "plugins/manifest.h"
#include "plugins/plugin.h"
#include "worker.pb.h"

namespace archivum::plugins::process {

// The worker's bootstrap channel.
inline constexpr int kBootstrapFd = 3;

void ToProto(const Manifest& manifest, worker::Manifest* out);
Manifest FromProto(const worker::Manifest& manifest);

void ToProto(const Routing& routing, worker::Routing* out);
Routing FromProto(const worker::Routing& routing);

// Moves what one call emitted into `out` (code, error, mime, text, tags, findings, children,
// refusals; not the routing or timing fields). The spool of streamed children travels as a
// descriptor: it is appended to `spools`, whose files the caller keeps open until the reply is
// sent, and out->spool_fd is its index there.
void ToProto(PluginOutput&& output, worker::Output* out,
             std::vector<std::shared_ptr<os::AnonymousFile>>* spools);
// The reverse; `finished` from finished_ns. The spool is taken from `fds` (the reply's
// descriptors) at out->spool_fd. Errors: DATA_LOSS for a reply whose children do not fit its
// spool (a worker's garbage).
Status FromProto(worker::Output&& output, std::vector<os::UniqueFd>& fds, PluginOutput* out);

void ToProto(const os::SandboxPolicy& policy, worker::Sandbox* out);
// The policy a worker applies to itself: `sandbox` plus read access to its own /proc/self.
os::SandboxPolicy SandboxPolicyFromProto(const worker::Sandbox& sandbox);

// CLOCK_MONOTONIC nanoseconds (INT64_MAX: none) to steady_clock and back (see
// inprocess::ToMonotonicNs for the other direction).
std::chrono::steady_clock::time_point FromMonotonicNs(int64_t ns);

}  // namespace archivum::plugins::process
