#include "plugins/plugin.h"

#include <algorithm>

#include "plugins/mime_match.h"

namespace archivum::plugins {

std::string CallCodeName(CallCode code) {
  switch (code) {
    case CallCode::kOk: return "ok";
    case CallCode::kError: return "error";
    case CallCode::kInvalidArgument: return "invalid argument";
    case CallCode::kUnsupported: return "unsupported";
    case CallCode::kCancelled: return "cancelled";
    case CallCode::kResourceExhausted: return "resource exhausted";
    case CallCode::kNotFound: return "not found";
  }
  return "return code " + std::to_string(static_cast<int32_t>(code));
}

bool LooksLikePreview(std::string_view mime, std::string_view bytes) {
  using namespace std::string_view_literals;
  if (mime == "image/webp") {
    return bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF"sv && bytes.substr(8, 4) == "WEBP"sv;
  }
  if (mime == "image/jpeg") return bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF"sv;
  if (mime == "image/png") return bytes.size() >= 8 && bytes.substr(0, 8) == "\x89PNG\r\n\x1A\n"sv;
  return false;
}

bool Routing::Routes(std::string_view mime, uint64_t size) const {
  if (!accepts_any_mime && !AnyMimeMatches(accepts, mime)) return false;
  if (!rejects.empty() && AnyMimeMatches(rejects, mime)) return false;
  return max_file_size == 0 || size <= max_file_size;
}

std::string Plugin::failure_reason() const {
  std::lock_guard lock(failure_mu_);
  return failure_reason_;
}

void Plugin::MarkFailed(std::string reason) const {
  std::lock_guard lock(failure_mu_);
  if (failed_.load(std::memory_order_relaxed)) return;
  failure_reason_ = std::move(reason);
  failed_.store(true, std::memory_order_release);
}

uint32_t Plugin::SampleWeight(uint64_t ordinal) {
  // Fibonacci hashing spreads the sampled ordinals evenly (about one in every kTimeSampleEvery
  // consecutive calls) without a period an input order could line up with.
  static_assert(kTimeSampleEvery == 16, "the top 4 bits select 1 in 16");
  if (ordinal < kExactlyTimedCalls) return 1;
  return (ordinal * 0x9E3779B97F4A7C15ull) >> 60 == 0 ? kTimeSampleEvery : 0;
}

void Plugin::AddTime(std::chrono::steady_clock::duration elapsed, uint32_t weight) const {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  weighted_time_ns_.fetch_add(static_cast<uint64_t>(ns < 0 ? 0 : ns) * weight,
                              std::memory_order_relaxed);
  const double seconds = static_cast<double>(ns) / 1e9;
  const auto bound = std::lower_bound(kDurationBounds.begin(), kDurationBounds.end(), seconds);
  duration_buckets_[static_cast<size_t>(bound - kDurationBounds.begin())].fetch_add(
      weight, std::memory_order_relaxed);
}

std::vector<uint64_t> Plugin::duration_buckets() const {
  std::vector<uint64_t> out;
  out.reserve(duration_buckets_.size());
  for (const auto& bucket : duration_buckets_)
    out.push_back(bucket.load(std::memory_order_relaxed));
  return out;
}

}  // namespace archivum::plugins
