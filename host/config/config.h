// Typed daemon configuration and its YAML loader.
//
// The YAML schema is documented key by key in config/archivum.yaml (the shipped defaults). The
// loader is strict: unknown keys, wrong types and invalid values are errors that name the file,
// line and column and the key path, e.g.
//   "archivum.yaml:3:11: server.grpc.listen: expected host:port, got 'localhost'".
// Relative paths in a file resolve against that file's directory, not the working directory.
//
// Thread safety: Config is a plain value; the loader functions are reentrant.
// Every struct compares with == (a live reload tells what changed).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "common/status.h"

namespace archivum::config {

using Duration = std::chrono::milliseconds;

struct Keepalive {
  Duration time{std::chrono::hours(2)};                 // ping an idle connection after this long
  Duration timeout{std::chrono::seconds(20)};           // close it if the ping is not answered
  bool permit_without_calls = false;                    // allow client pings without active calls
  Duration min_ping_interval{std::chrono::minutes(5)};  // reject clients pinging more often
  bool operator==(const Keepalive&) const = default;
};

// TLS for one listener. All paths are PEM files; an empty cert means plaintext.
struct Tls {
  std::filesystem::path cert;       // certificate chain, server certificate first
  std::filesystem::path key;        // private key of the certificate
  std::filesystem::path client_ca;  // set: clients must present a certificate it signed (mTLS)

  bool enabled() const { return !cert.empty(); }
  bool operator==(const Tls&) const = default;
};

struct GrpcServer {
  std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free port
  uint64_t max_receive_message_bytes = 4ull << 20;
  uint64_t max_send_message_bytes = 16ull << 20;
  Keepalive keepalive;
  uint64_t resource_quota_bytes = 512ull << 20;  // memory the gRPC core may use; 0 = unlimited
  int max_threads = 0;                           // threads the gRPC core may use; 0 = unlimited
  Tls tls;
  bool operator==(const GrpcServer&) const = default;
};

struct HttpServer {
  bool enabled = true;
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  uint64_t max_body_bytes = 16ull << 20;
  uint64_t max_header_bytes = 16ull << 10;
  int max_connections = 256;
  Duration idle_timeout{std::chrono::seconds(60)};
  Duration header_timeout{std::chrono::seconds(10)};
  Tls tls;
  bool operator==(const HttpServer&) const = default;
};

struct Server {
  GrpcServer grpc;
  HttpServer http;
  // How long in-flight calls may run after SIGINT/SIGTERM before they are cancelled.
  Duration shutdown_deadline{std::chrono::seconds(5)};
  // Listening on a non-loopback address without TLS and without auth is refused unless this is
  // set: such a listener lets anyone on the network read and ingest files.
  bool allow_insecure_remote = false;
  // Longer Analyze queries are refused with INVALID_ARGUMENT before parsing.
  uint64_t max_query_bytes = 4096;
  bool operator==(const Server&) const = default;
};

// Bearer-token authentication for both transports.
struct Auth {
  // One token per line: "sha256:<64 hex digits>" (the digest of the token) or the token itself;
  // '#' starts a comment. Empty path: no authentication.
  std::filesystem::path tokens_file;
  // Health (gRPC grpc.health.v1.Health, HTTP /healthz and /readyz) and gRPC reflection answer
  // without a token.
  bool open_health = true;

  bool enabled() const { return !tokens_file.empty(); }
  bool operator==(const Auth&) const = default;
};

// The catalog implementations a store can use (store/open_catalog.h opens the one chosen).
enum class StoreBackend { kSqlite };

struct Store {
  std::filesystem::path path = "var/store";      // directory holding the catalog and plugin data
  StoreBackend backend = StoreBackend::kSqlite;  // which implementation holds the catalog
  bool operator==(const Store&) const = default;
};

// Host-side settings of one plugin, from plugins.settings.<name>.
// Where a plugin's code runs (plugins/process/placement.h).
enum class Isolation {
  kProcess,    // a sandboxed worker process: a crash or a hang costs one file
  kInProcess,  // the daemon's own process: for trusted plugins (and to measure isolation)
};

struct PluginSettings {
  std::optional<bool> enabled;            // unset: enabled
  std::vector<std::string> accept;        // MIME patterns replacing the plugin's own
  std::vector<std::string> reject;        // MIME patterns never routed to it
  std::optional<Duration> timeout;        // per-file processing budget
  std::optional<uint64_t> max_file_size;  // larger files are not given to it
  std::optional<std::string> sha256;      // pin: refuse the .so unless its digest matches
  std::string config_json = "{}";         // the `config:` subtree, as JSON, passed to create()
  // Where relative paths in config_json resolve (the config file's directory): for the keys a
  // plugin declares as path keys (ABI 1.4). Empty: the working directory.
  std::filesystem::path config_dir;
  std::optional<Isolation> isolation;  // unset: plugins.isolation
  std::optional<std::string> group;    // isolation group; unset: "bundled" or its own
  std::optional<uint64_t> memory;      // worker address-space limit; unset: 2 GiB
  bool operator==(const PluginSettings&) const = default;
};

struct Plugins {
  // Directories searched for *.so. Empty: the bundled plugins next to the executable
  // (<exe>/../lib/archivum/plugins), which works in the build tree and when installed.
  std::vector<std::filesystem::path> directories;
  std::map<std::string, PluginSettings> settings;  // by plugin name
  Isolation isolation = Isolation::kProcess;
  // The per-file budget of a plugin whose settings set no timeout. A call of an isolated plugin
  // still running after it is killed; one in process is recorded as a timeout when it returns.
  Duration timeout{std::chrono::minutes(10)};
  // A plugin whose calls crash its worker this many times within crash_window is taken out of
  // service (ListPlugins: FAILED with the reason). 0: never.
  uint32_t max_crashes = 3;
  Duration crash_window{std::chrono::minutes(10)};
  bool operator==(const Plugins&) const = default;
};

struct Ingest {
  // Path-based ingest is allowed only under these directories (after resolving symlinks).
  // "~" expands to $HOME. An empty list refuses every path ingest.
  std::vector<std::filesystem::path> roots;
  unsigned workers = 0;  // 0 = number of cores
  uint64_t max_file_size = 1ull << 30;
  uint32_t max_reported_errors = 20;  // IngestSummary.errors is capped at this
  uint32_t max_depth = 64;            // archive nesting
  uint32_t max_members = 10000;       // archive members per document
  uint64_t max_expanded_bytes = 1ull << 30;
  // Per request: regular files found under the path, and their total size. A request over
  // either fails with RESOURCE_EXHAUSTED before any file is analyzed.
  uint32_t max_files_per_request = 1'000'000;
  uint64_t max_bytes_per_request = 1ull << 40;
  // Ingest, IngestStream and Upload calls running at once; more get RESOURCE_EXHAUSTED.
  unsigned max_concurrent = 4;
  // Watch mode (watch/watcher.h): directories kept current with inotify, each under a root
  // (checked after resolving symlinks). Empty: nothing is watched.
  std::vector<std::filesystem::path> watch;
  // A changed path is analyzed once no event has touched it for this long (debounce).
  Duration watch_settle{std::chrono::seconds(1)};
  bool operator==(const Ingest&) const = default;
};

// log.level and log.format (common/logging.h).
using Log = LogOptions;

struct Config {
  Server server;
  Store store;
  Plugins plugins;
  Ingest ingest;
  Auth auth;
  Log log;
  std::filesystem::path source;  // the file it was loaded from; empty for defaults
  bool operator==(const Config&) const = default;
};

// Parses YAML text. `source_name` prefixes error messages; relative paths resolve against
// `base_dir`. Errors: INVALID_ARGUMENT with "source:line:col: key.path: what was expected".
StatusOr<Config> ParseConfig(std::string_view yaml, std::string_view source_name,
                             const std::filesystem::path& base_dir);

// Reads and parses a file. Errors: NOT_FOUND / PERMISSION_DENIED if unreadable, else as above.
StatusOr<Config> LoadConfigFile(const std::filesystem::path& file);

// Checks cross-field invariants (listen addresses parse, level is known, ...). Used after
// command-line overrides are applied; ParseConfig already calls it.
Status Validate(const Config& config);

// "100M", "4k", "1G", "512" (bytes; binary multiples: k = 1024).
StatusOr<uint64_t> ParseSize(std::string_view text);
// "250ms", "5s", "2m", "1h" (a bare number is seconds).
StatusOr<Duration> ParseDuration(std::string_view text);
// Splits "host:port" / "[::1]:port"; port in 0..65535.
Status ValidateListenAddress(std::string_view address);

}  // namespace archivum::config
