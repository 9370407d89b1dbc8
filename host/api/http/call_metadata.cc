#include "api/http/call_metadata.h"

#include <cstdint>
#include <limits>
#include <string>

namespace archivum::api::gateway {
namespace {

constexpr std::string_view kMetadataPrefix = "grpc-metadata-";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

// True if `s` equals `lower` (all lower case) ASCII-case-insensitively.
bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::chrono::nanoseconds> ParseGrpcTimeout(std::string_view value) {
  const auto bad = [&] {
    return InvalidArgument("invalid Grpc-Timeout '" + std::string(value) +
                           "': expected 1-8 digits and a unit (H, M, S, m, u, n)");
  };
  if (value.size() < 2 || value.size() > 9) return bad();
  int64_t digits = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return bad();
    digits = digits * 10 + (c - '0');
  }
  int64_t unit_ns = 0;
  switch (value.back()) {
    case 'H': unit_ns = 3'600'000'000'000; break;
    case 'M': unit_ns = 60'000'000'000; break;
    case 'S': unit_ns = 1'000'000'000; break;
    case 'm': unit_ns = 1'000'000; break;
    case 'u': unit_ns = 1'000; break;
    case 'n': unit_ns = 1; break;
    default: return bad();
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (digits > kMax / unit_ns) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(digits * unit_ns);
}

StatusOr<CallContext> MakeCallContext(const boost::beast::http::fields& headers,
                                      std::function<bool()> cancelled,
                                      std::chrono::system_clock::time_point now) {
  CallContext ctx;
  ctx.cancelled = std::move(cancelled);
  CallContext::Metadata metadata;
  for (const auto& field : headers) {
    // Most headers are none of these; they are compared without copying.
    const std::string_view name(field.name_string().data(), field.name_string().size());
    const std::string_view value(field.value().data(), field.value().size());
    if (EqualsLower(name, "authorization")) {
      metadata.emplace("authorization", std::string(value));
    } else if (name.size() > kMetadataPrefix.size() &&
               EqualsLower(name.substr(0, kMetadataPrefix.size()), kMetadataPrefix)) {
      metadata.emplace(Lower(name.substr(kMetadataPrefix.size())), std::string(value));
    } else if (EqualsLower(name, "grpc-timeout")) {
      auto timeout = ParseGrpcTimeout(value);
      if (!timeout.ok()) return timeout.status();
      const auto room = std::chrono::system_clock::time_point::max() - now;
      ctx.deadline =
          *timeout >= room
              ? std::chrono::system_clock::time_point::max()
              : now + std::chrono::duration_cast<std::chrono::system_clock::duration>(*timeout);
    }
  }
  if (!metadata.empty()) ctx.set_metadata(std::move(metadata));
  return ctx;
}

}  // namespace archivum::api::gateway
