#include "config/values.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <limits>

#include "common/ascii.h"

namespace archivum::config {
namespace {

// RFC 9110 tchar; '*' is among them, which is what lets "text/*" through.
bool IsTokenChar(char c) {
  if (AsciiIsDigit(c) || AsciiIsAlpha(c)) return true;
  for (char t : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == t) return true;
  }
  return false;
}

size_t CountDigits(std::string_view text, size_t from) {
  size_t i = from;
  while (i < text.size() && AsciiIsDigit(text[i])) ++i;
  return i - from;
}

// Leading decimal digits of `text` as a uint64; nullopt on overflow.
std::optional<uint64_t> ToUint64(std::string_view digits) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

bool IsHostname(std::string_view host) {
  for (char c : host) {
    if (!AsciiIsDigit(c) && !AsciiIsAlpha(c) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

bool LooksLikeIpv4(std::string_view host) {
  for (char c : host) {
    if (!AsciiIsDigit(c) && c != '.') return false;
  }
  return true;
}

bool IsIpv6(std::string_view host) {
  // A zone ("fe80::1%eth0") is legal in a listen address; inet_pton does not know it.
  std::string_view addr = host.substr(0, host.find('%'));
  if (addr.size() < host.size() && addr.size() + 1 == host.size()) return false;
  std::string copy(addr);
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET6, copy.c_str(), buf.data()) == 1;
}

}  // namespace

std::string Quote(std::string_view value) {
  constexpr size_t kMaxShown = 80;
  std::string out = "'";
  size_t shown = 0;
  for (char c : value) {
    if (shown == kMaxShown) {
      out += "...";
      break;
    }
    ++shown;
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      std::array<char, 5> hex{};
      std::snprintf(hex.data(), hex.size(), "\\x%02x", u);
      out += hex.data();
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string FormatSize(uint64_t bytes) {
  if (bytes == 0) return "0";
  static constexpr std::array<std::pair<int, const char*>, 4> kUnits = {
      {{40, "T"}, {30, "G"}, {20, "M"}, {10, "k"}}};
  for (const auto& [shift, suffix] : kUnits) {
    uint64_t unit = uint64_t{1} << shift;
    if (bytes % unit == 0) return std::to_string(bytes / unit) + suffix;
  }
  return std::to_string(bytes);
}

std::string FormatDuration(Duration duration) {
  int64_t ms = duration.count();
  if (ms < 0) {
    // -INT64_MIN does not exist; such a value cannot come from ParseDuration anyway.
    if (ms == std::numeric_limits<int64_t>::min()) return std::to_string(ms) + "ms";
    return "-" + FormatDuration(Duration(-ms));
  }
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1'000 == 0) return std::to_string(ms / 1'000) + "s";
  return std::to_string(ms) + "ms";
}

StatusOr<uint64_t> ParseSize(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("expected a size such as 512, 4k, 100M or 1G, got " + Quote(text));
  };
  size_t n_digits = CountDigits(text, 0);
  if (n_digits == 0) return bad();

  std::string unit;
  for (char c : text.substr(n_digits)) unit += AsciiLower(c);
  int shift = 0;
  std::string_view rest = unit;
  if (!rest.empty() && rest != "b") {
    switch (rest.front()) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      default: return bad();
    }
    rest.remove_prefix(1);
    // "4k", "4kb", "4ki", "4kib": all binary, because that is what people mean by memory sizes.
    if (rest != "" && rest != "b" && rest != "i" && rest != "ib") return bad();
  }

  std::optional<uint64_t> n = ToUint64(text.substr(0, n_digits));
  if (!n || *n > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return InvalidArgument("expected a size below 2^64 bytes, got " + Quote(text));
  }
  return *n << shift;
}

StatusOr<Duration> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("expected a duration such as 250ms, 5s, 2m or 1h, got " + Quote(text));
  };
  auto overflow = [&] {
    return InvalidArgument("expected a duration below 2^63 milliseconds, got " + Quote(text));
  };
  if (text.empty()) return bad();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (CountDigits(text, 0) == text.size()) {
    std::optional<uint64_t> seconds = ToUint64(text);
    if (!seconds || *seconds > static_cast<uint64_t>(kMax / 1000)) return overflow();
    return Duration(static_cast<int64_t>(*seconds) * 1000);
  }

  // A sequence of <digits><unit> ("1h30m"), like Go's time.ParseDuration without fractions.
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t n_digits = CountDigits(text, i);
    if (n_digits == 0) return bad();
    std::optional<uint64_t> n = ToUint64(text.substr(i, n_digits));
    i += n_digits;
    int64_t unit_ms = 0;
    if (text.substr(i, 2) == "ms") {
      unit_ms = 1;
      i += 2;
    } else if (i < text.size() && text[i] == 's') {
      unit_ms = 1'000;
      ++i;
    } else if (i < text.size() && text[i] == 'm') {
      unit_ms = 60'000;
      ++i;
    } else if (i < text.size() && text[i] == 'h') {
      unit_ms = 3'600'000;
      ++i;
    } else {
      return bad();
    }
    if (!n || *n > static_cast<uint64_t>(kMax / unit_ms)) return overflow();
    int64_t part = static_cast<int64_t>(*n) * unit_ms;
    if (part > kMax - total) return overflow();
    total += part;
  }
  return Duration(total);
}

StatusOr<ListenAddress> ParseListenAddress(std::string_view address) {
  auto bad = [&](std::string_view expected) {
    return InvalidArgument(std::string(expected) + ", got " + Quote(address));
  };
  ListenAddress out;
  std::string_view port;
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return bad("expected [ipv6]:port");
    }
    std::string_view host = address.substr(1, close - 1);
    if (!IsIpv6(host)) return bad("expected [ipv6]:port with a valid IPv6 address");
    out.host = std::string(host);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad("expected host:port");
    std::string_view host = address.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return bad("expected host:port with an IPv6 host in brackets, e.g. [::1]:50051");
    }
    bool valid_host = IsHostname(host);
    if (valid_host && LooksLikeIpv4(host)) {
      std::string copy(host);
      std::array<unsigned char, 4> buf{};
      valid_host = inet_pton(AF_INET, copy.c_str(), buf.data()) == 1;
    }
    if (!valid_host) return bad("expected host:port with a hostname or IP address as host");
    out.host = std::string(host);
    port = address.substr(colon + 1);
  }
  std::optional<uint64_t> n;
  if (!port.empty() && port.size() <= 5 && CountDigits(port, 0) == port.size()) n = ToUint64(port);
  if (!n || *n > 65535) return bad("expected host:port with a port in 0..65535");
  out.port = static_cast<uint16_t>(*n);
  return out;
}

Status ValidateListenAddress(std::string_view address) {
  auto parsed = ParseListenAddress(address);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

std::optional<std::string> CheckPluginName(std::string_view name) {
  bool valid = !name.empty();
  bool only_dots = true;
  for (char c : name) {
    if (!AsciiIsDigit(c) && !AsciiIsAlpha(c) && c != '_' && c != '.' && c != '-') valid = false;
    if (c != '.') only_dots = false;
  }
  // "." and ".." match the character set but would name directories, not plugins.
  if (valid && !only_dots) return std::nullopt;
  return "expected a plugin name of letters, digits, '_', '.' and '-', got " + Quote(name);
}

std::optional<std::string> CheckMimePattern(std::string_view pattern) {
  size_t slash = pattern.find('/');
  bool valid = slash != std::string_view::npos && slash > 0 && slash + 1 < pattern.size();
  for (size_t i = 0; valid && i < pattern.size(); ++i) {
    if (i != slash && !IsTokenChar(pattern[i])) valid = false;
  }
  if (valid) return std::nullopt;
  return "expected a MIME type or pattern such as text/plain or text/*, got " + Quote(pattern);
}

std::optional<std::string> CheckSha256(std::string_view digest) {
  bool valid = digest.size() == 64;
  for (char c : digest) valid = valid && AsciiIsHexDigit(c);
  if (valid) return std::nullopt;
  return "expected a SHA-256 digest of 64 hex digits, got " + Quote(digest);
}

std::optional<std::string> CheckLogLevel(std::string_view level) {
  for (std::string_view known : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    if (level == known) return std::nullopt;
  }
  return "expected one of trace, debug, info, warn, error, critical, off, got " + Quote(level);
}

}  // namespace archivum::config
