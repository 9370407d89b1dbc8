#include "config/validate.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>

#include "config/values.h"

namespace archivum::config {
namespace {

// gRPC keeps message limits in an int; 2G is the round number operators write for "the most".
constexpr uint64_t kMaxMessageBytes = uint64_t{2} << 30;
constexpr unsigned kMaxWorkers = 1024;
// A query is a line a person types; a megabyte of it is an attack or a bug.
constexpr uint64_t kMaxQueryBytes = uint64_t{1} << 20;

using Problem = std::optional<std::string>;

Problem SizeIn(uint64_t value, uint64_t min, uint64_t max) {
  if (value >= min && value <= max) return std::nullopt;
  return "expected a size in " + FormatSize(min) + ".." + FormatSize(max) + ", got " +
         Quote(FormatSize(value));
}

Problem NonZeroSize(uint64_t value) {
  if (value > 0) return std::nullopt;
  return "expected a size greater than 0, got '0'";
}

Problem IntAtLeast(int64_t value, int64_t min) {
  if (value >= min) return std::nullopt;
  return "expected an integer of at least " + std::to_string(min) + ", got " +
         Quote(std::to_string(value));
}

Problem PositiveDuration(Duration value) {
  if (value.count() > 0) return std::nullopt;
  return "expected a duration greater than 0, got " + Quote(FormatDuration(value));
}

Problem NonNegativeDuration(Duration value) {
  if (value.count() >= 0) return std::nullopt;
  return "expected a duration of at least 0s, got " + Quote(FormatDuration(value));
}

Problem NonEmptyPath(const std::filesystem::path& path) {
  if (!path.empty()) return std::nullopt;
  return "expected a non-empty path, got ''";
}

// Whether `dir` lies under one of `roots` (or is one), both resolved as far as they exist
// (symlinks and ".."), as Ingest confines paths: a watched directory is ingested like one.
Problem UnderARoot(const std::filesystem::path& dir,
                   const std::vector<std::filesystem::path>& roots) {
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(dir, ec);
  const std::filesystem::path& d = ec ? dir : resolved;
  for (const auto& root : roots) {
    std::filesystem::path r = std::filesystem::weakly_canonical(root, ec);
    if (ec) r = root.lexically_normal();
    const auto mismatch = std::mismatch(r.begin(), r.end(), d.begin(), d.end());
    // A trailing separator ends in an empty component that matches nothing in `d`.
    if (mismatch.first == r.end() ||
        (std::next(mismatch.first) == r.end() && mismatch.first->empty())) {
      return std::nullopt;
    }
  }
  return "expected a directory under ingest.roots, got " + Quote(dir.string());
}

Problem DurationIn(Duration value, Duration min, Duration max) {
  if (value >= min && value <= max) return std::nullopt;
  return "expected a duration in " + FormatDuration(min) + ".." + FormatDuration(max) + ", got " +
         Quote(FormatDuration(value));
}

Problem Listen(const std::string& address) {
  auto parsed = ParseListenAddress(address);
  if (parsed.ok()) return std::nullopt;
  return parsed.status().message();
}

bool IsWildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::";
}

// Two listeners on one port fail at startup with EADDRINUSE and no key name; say which key.
Problem DistinctFromGrpc(const Server& server) {
  if (!server.http.enabled) return std::nullopt;
  auto grpc = ParseListenAddress(server.grpc.listen);
  auto http = ParseListenAddress(server.http.listen);
  if (!grpc.ok() || !http.ok() || grpc->port == 0 || grpc->port != http->port) {
    return std::nullopt;
  }
  if (grpc->host != http->host && !IsWildcard(grpc->host) && !IsWildcard(http->host)) {
    return std::nullopt;
  }
  return "expected a port other than server.grpc.listen's, got " + Quote(server.http.listen);
}

Problem JsonObject(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) return std::nullopt;
  return "expected a JSON object, got " + Quote(text);
}

class Rules {
 public:
  // Records the first problem only: later rules may assume nothing about earlier fields.
  void Check(const std::string& path, Problem problem) {
    if (!error_ && problem) error_ = FieldError{path, std::move(*problem)};
  }
  std::optional<FieldError> Take() { return std::move(error_); }

 private:
  std::optional<FieldError> error_;
};

// A certificate and its key come as a pair; a client CA only means something with both.
void CheckTls(const std::string& prefix, const Tls& tls, Rules& r) {
  if (tls.enabled() && tls.key.empty()) {
    r.Check(prefix + ".cert", "expected " + prefix +
                                  ".key (the certificate's private key) to be set too, got a "
                                  "certificate without a key");
  }
  if (!tls.enabled() && !tls.key.empty()) {
    r.Check(prefix + ".key",
            "expected " + prefix + ".cert to be set too, got a key without a certificate");
  }
  if (!tls.enabled() && !tls.client_ca.empty()) {
    r.Check(prefix + ".client_ca", "expected " + prefix +
                                       ".cert to be set too (mutual TLS needs server TLS), got a "
                                       "client CA without a certificate");
  }
}

void CheckServer(const Server& s, Rules& r) {
  r.Check("server.grpc.listen", Listen(s.grpc.listen));
  r.Check("server.grpc.max_receive_message_size",
          SizeIn(s.grpc.max_receive_message_bytes, 1, kMaxMessageBytes));
  r.Check("server.grpc.max_send_message_size",
          SizeIn(s.grpc.max_send_message_bytes, 1, kMaxMessageBytes));
  r.Check("server.grpc.keepalive.time", PositiveDuration(s.grpc.keepalive.time));
  r.Check("server.grpc.keepalive.timeout", PositiveDuration(s.grpc.keepalive.timeout));
  r.Check("server.grpc.keepalive.min_ping_interval",
          NonNegativeDuration(s.grpc.keepalive.min_ping_interval));
  r.Check("server.grpc.resource_quota.max_threads", IntAtLeast(s.grpc.max_threads, 0));
  CheckTls("server.grpc.tls", s.grpc.tls, r);
  r.Check("server.http.listen", Listen(s.http.listen));
  r.Check("server.http.listen", DistinctFromGrpc(s));
  r.Check("server.http.max_body_size", NonZeroSize(s.http.max_body_bytes));
  r.Check("server.http.max_header_size", NonZeroSize(s.http.max_header_bytes));
  r.Check("server.http.max_connections", IntAtLeast(s.http.max_connections, 1));
  r.Check("server.http.idle_timeout", PositiveDuration(s.http.idle_timeout));
  r.Check("server.http.header_timeout", PositiveDuration(s.http.header_timeout));
  CheckTls("server.http.tls", s.http.tls, r);
  r.Check("server.shutdown_deadline", NonNegativeDuration(s.shutdown_deadline));
  r.Check("server.max_query_length", SizeIn(s.max_query_bytes, 1, kMaxQueryBytes));
}

template <typename T>
std::string Indexed(const std::string& path, const std::vector<T>& list, const T& item) {
  return path + "[" + std::to_string(&item - list.data()) + "]";
}

void CheckPlugins(const Plugins& p, Rules& r) {
  for (const auto& dir : p.directories) {
    r.Check(Indexed("plugins.directories", p.directories, dir), NonEmptyPath(dir));
  }
  r.Check("plugins.crash_window", PositiveDuration(p.crash_window));
  r.Check("plugins.timeout", PositiveDuration(p.timeout));
  for (const auto& [name, s] : p.settings) {
    std::string path = "plugins.settings." + name;
    r.Check(path, CheckPluginName(name));
    for (const auto& mime : s.accept) {
      r.Check(Indexed(path + ".accept", s.accept, mime), CheckMimePattern(mime));
    }
    for (const auto& mime : s.reject) {
      r.Check(Indexed(path + ".reject", s.reject, mime), CheckMimePattern(mime));
    }
    if (s.timeout) r.Check(path + ".timeout", PositiveDuration(*s.timeout));
    if (s.max_file_size) r.Check(path + ".max_file_size", NonZeroSize(*s.max_file_size));
    if (s.sha256) r.Check(path + ".sha256", CheckSha256(*s.sha256));
    if (s.memory) r.Check(path + ".memory", NonZeroSize(*s.memory));
    if (s.group) r.Check(path + ".group", CheckPluginName(*s.group));
    r.Check(path + ".config", JsonObject(s.config_json));
  }
}

void CheckIngest(const Ingest& in, Rules& r) {
  for (const auto& root : in.roots) {
    r.Check(Indexed("ingest.roots", in.roots, root), NonEmptyPath(root));
  }
  if (in.workers > kMaxWorkers) {
    r.Check("ingest.workers", "expected an integer in 0.." + std::to_string(kMaxWorkers) +
                                  ", got " + Quote(std::to_string(in.workers)));
  }
  r.Check("ingest.max_file_size", NonZeroSize(in.max_file_size));
  r.Check("ingest.max_expanded_size", NonZeroSize(in.max_expanded_bytes));
  r.Check("ingest.max_files_per_request", IntAtLeast(in.max_files_per_request, 1));
  r.Check("ingest.max_bytes_per_request", NonZeroSize(in.max_bytes_per_request));
  r.Check("ingest.max_concurrent", IntAtLeast(in.max_concurrent, 1));
  for (const auto& dir : in.watch) {
    const std::string key = Indexed("ingest.watch", in.watch, dir);
    r.Check(key, NonEmptyPath(dir));
    if (!dir.empty()) r.Check(key, UnderARoot(dir, in.roots));
  }
  r.Check("ingest.watch_settle",
          DurationIn(in.watch_settle, std::chrono::milliseconds(10), std::chrono::minutes(10)));
}

}  // namespace

std::optional<FieldError> FindInvalidField(const Config& config) {
  Rules rules;
  CheckServer(config.server, rules);
  rules.Check("store.path", NonEmptyPath(config.store.path));
  CheckPlugins(config.plugins, rules);
  CheckIngest(config.ingest, rules);
  rules.Check("log.level", CheckLogLevel(config.log.level));
  return rules.Take();
}

Status Validate(const Config& config) {
  std::optional<FieldError> error = FindInvalidField(config);
  if (!error) return Status::Ok();
  return InvalidArgument(error->path + ": " + error->message);
}

}  // namespace archivum::config
