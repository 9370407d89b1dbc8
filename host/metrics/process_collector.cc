#include "metrics/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace archivum::metrics {
namespace {

// The fields of /proc/self/stat this reads (proc(5)).
struct ProcStat {
  double utime_ticks = 0;      // field 14
  double stime_ticks = 0;      // field 15
  double starttime_ticks = 0;  // field 22: after boot
  double vsize_bytes = 0;      // field 23
  double rss_pages = 0;        // field 24
};

std::optional<ProcStat> ReadProcStat() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces and ')': the fields that
  // follow start after the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  ProcStat stat;
  // Field 3 (state) is the first after the name.
  for (int number = 3; number <= 24 && fields >> field; ++number) {
    double* into = nullptr;
    switch (number) {
      case 14: into = &stat.utime_ticks; break;
      case 15: into = &stat.stime_ticks; break;
      case 22: into = &stat.starttime_ticks; break;
      case 23: into = &stat.vsize_bytes; break;
      case 24: into = &stat.rss_pages; break;
      default: continue;
    }
    try {
      *into = std::stod(field);
    } catch (...) {
      return std::nullopt;
    }
    if (number == 24) return stat;
  }
  return std::nullopt;
}

// /proc/stat's btime: the boot time, seconds since the Unix epoch.
std::optional<double> BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double value = 0;
      if (in >> value) return value;
      return std::nullopt;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

std::optional<double> OpenFds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  double n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++n;
  }
  return n;
}

prometheus::MetricFamily OneValue(const char* name, const char* help, prometheus::MetricType type,
                                  double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric& m = family.metric.emplace_back();
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return family;
}

double ClockTicksPerSecond() {
  const long ticks = ::sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;
}

}  // namespace

ProcessCollector::ProcessCollector() {
  const auto stat = ReadProcStat();
  const auto boot = BootTime();
  if (stat && boot) start_time_seconds_ = *boot + stat->starttime_ticks / ClockTicksPerSecond();
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  if (const auto stat = ReadProcStat()) {
    const double ticks = ClockTicksPerSecond();
    const long page = ::sysconf(_SC_PAGESIZE);
    out.push_back(OneValue("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds.", MetricType::Counter,
                           (stat->utime_ticks + stat->stime_ticks) / ticks));
    out.push_back(OneValue("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           MetricType::Gauge, stat->vsize_bytes));
    out.push_back(OneValue("process_resident_memory_bytes", "Resident memory size in bytes.",
                           MetricType::Gauge,
                           stat->rss_pages * static_cast<double>(page > 0 ? page : 4096)));
  }
  if (const auto fds = OpenFds()) {
    out.push_back(
        OneValue("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, *fds));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(OneValue("process_max_fds", "Maximum number of open file descriptors.",
                           MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  if (start_time_seconds_) {
    out.push_back(OneValue("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.",
                           MetricType::Gauge, *start_time_seconds_));
  }
  return out;
}

}  // namespace archivum::metrics
