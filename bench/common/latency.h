// Latency samples and their summary, shared by the bench tools.
//
// A LatencySummary is computed from raw samples in milliseconds (sorted here), so every tool
// reports percentiles the same way (nearest rank). Thread safety: plain values; not shared.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <numeric>
#include <vector>

namespace archivum::bench {

struct LatencySummary {
  size_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentile of sorted samples; 0 when there are none.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p * static_cast<double>(sorted.size()));
  const size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

// Sorts `samples_ms` in place and summarizes them.
inline LatencySummary Summarize(std::vector<double>& samples_ms) {
  LatencySummary s;
  std::sort(samples_ms.begin(), samples_ms.end());
  s.count = samples_ms.size();
  if (s.count == 0) return s;
  s.mean_ms = std::accumulate(samples_ms.begin(), samples_ms.end(), 0.0) / s.count;
  s.p50_ms = Percentile(samples_ms, 0.50);
  s.p90_ms = Percentile(samples_ms, 0.90);
  s.p99_ms = Percentile(samples_ms, 0.99);
  s.max_ms = samples_ms.back();
  return s;
}

// Rounds to 4 decimals so result files stay small and diff well.
inline double Round4(double v) {
  return std::round(v * 1e4) / 1e4;
}

inline nlohmann::json ToJson(const LatencySummary& s) {
  return {{"count", s.count},           {"mean_ms", Round4(s.mean_ms)},
          {"p50_ms", Round4(s.p50_ms)}, {"p90_ms", Round4(s.p90_ms)},
          {"p99_ms", Round4(s.p99_ms)}, {"max_ms", Round4(s.max_ms)}};
}

}  // namespace archivum::bench
