// Helpers for the config tests: parsing a YAML text, the error it must produce, a check of the
// defaults, and a scoped environment variable (for $HOME).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "gtest/gtest.h"

namespace archivum::config::testing {

// Every field except the paths (store.path, plugins.directories, ingest.roots), which depend on
// where a config was loaded from, equals the built-in default.
// `yaml` parsed as if read from /etc/archivum/test.yaml.
inline StatusOr<Config> Parse(std::string_view yaml) {
  return ParseConfig(yaml, "test.yaml", "/etc/archivum");
}

// The message of the INVALID_ARGUMENT that `yaml` must produce.
inline std::string ErrorOf(std::string_view yaml) {
  StatusOr<Config> config = Parse(yaml);
  if (config.ok()) {
    ADD_FAILURE() << "parsed without error:\n" << yaml;
    return "";
  }
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << config.status().ToString();
  return config.status().message();
}

inline void ExpectDefaultsExceptPaths(const Config& c) {
  const Config d;
  EXPECT_EQ(c.server.grpc.listen, d.server.grpc.listen);
  EXPECT_EQ(c.server.grpc.max_receive_message_bytes, d.server.grpc.max_receive_message_bytes);
  EXPECT_EQ(c.server.grpc.max_send_message_bytes, d.server.grpc.max_send_message_bytes);
  EXPECT_EQ(c.server.grpc.keepalive.time, d.server.grpc.keepalive.time);
  EXPECT_EQ(c.server.grpc.keepalive.timeout, d.server.grpc.keepalive.timeout);
  EXPECT_EQ(c.server.grpc.keepalive.permit_without_calls,
            d.server.grpc.keepalive.permit_without_calls);
  EXPECT_EQ(c.server.grpc.keepalive.min_ping_interval, d.server.grpc.keepalive.min_ping_interval);
  EXPECT_EQ(c.server.grpc.resource_quota_bytes, d.server.grpc.resource_quota_bytes);
  EXPECT_EQ(c.server.grpc.max_threads, d.server.grpc.max_threads);
  EXPECT_EQ(c.server.http.enabled, d.server.http.enabled);
  EXPECT_EQ(c.server.http.listen, d.server.http.listen);
  EXPECT_EQ(c.server.http.max_body_bytes, d.server.http.max_body_bytes);
  EXPECT_EQ(c.server.http.max_header_bytes, d.server.http.max_header_bytes);
  EXPECT_EQ(c.server.http.max_connections, d.server.http.max_connections);
  EXPECT_EQ(c.server.http.idle_timeout, d.server.http.idle_timeout);
  EXPECT_EQ(c.server.http.header_timeout, d.server.http.header_timeout);
  EXPECT_EQ(c.server.shutdown_deadline, d.server.shutdown_deadline);
  EXPECT_EQ(c.store.backend, d.store.backend);
  EXPECT_TRUE(c.plugins.settings.empty());
  EXPECT_EQ(c.ingest.workers, d.ingest.workers);
  EXPECT_EQ(c.ingest.max_file_size, d.ingest.max_file_size);
  EXPECT_EQ(c.ingest.max_reported_errors, d.ingest.max_reported_errors);
  EXPECT_EQ(c.ingest.max_depth, d.ingest.max_depth);
  EXPECT_EQ(c.ingest.max_members, d.ingest.max_members);
  EXPECT_EQ(c.ingest.max_expanded_bytes, d.ingest.max_expanded_bytes);
  EXPECT_EQ(c.log.level, d.log.level);
  EXPECT_EQ(c.log.format, d.log.format);
}

// Sets (or, with nullopt, unsets) an environment variable and restores it on destruction, so a
// test that changes $HOME cannot leak into the next one run by the same process.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace archivum::config::testing
