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
// refused; not the routing or timing fields).
void ToProto(PluginOutput&& output, worker::Output* out);
// The reverse; `finished` from finished_ns.
void FromProto(worker::Output&& output, PluginOutput* out);

void ToProto(const os::SandboxPolicy& policy, worker::Sandbox* out);
// The policy a worker applies to itself: `sandbox` plus read access to its own /proc/self.
os::SandboxPolicy SandboxPolicyFromProto(const worker::Sandbox& sandbox);

// CLOCK_MONOTONIC nanoseconds (INT64_MAX: none) to steady_clock and back (see
// inprocess::ToMonotonicNs for the other direction).
std::chrono::steady_clock::time_point FromMonotonicNs(int64_t ns);

}  // namespace archivum::plugins::process
