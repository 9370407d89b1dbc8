// The process metrics of the Prometheus client libraries (names, types and help as the Go and
// Python clients export them), read from /proc at collect time, since prometheus-cpp has none:
//   process_cpu_seconds_total      counter  user and system CPU time (/proc/self/stat)
//   process_open_fds               gauge    open file descriptors (entries of /proc/self/fd)
//   process_max_fds                gauge    the soft limit on open file descriptors
//   process_virtual_memory_bytes   gauge    virtual memory size (/proc/self/stat)
//   process_resident_memory_bytes  gauge    resident set size (/proc/self/stat)
//   process_start_time_seconds     gauge    start time, seconds since the Unix epoch (the
//                                           process's start in clock ticks after boot, plus
//                                           /proc/stat's btime)
// A figure that cannot be read (no /proc) is left out of that collection.
//
// Thread safety: Collect may be called concurrently; it keeps no state but the start time.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <optional>
#include <vector>

namespace archivum::metrics {

class ProcessCollector final : public prometheus::Collectable {
 public:
  ProcessCollector();
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  // Read once: it never changes.
  std::optional<double> start_time_seconds_;
};

}  // namespace archivum::metrics
