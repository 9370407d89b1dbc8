// The schema: which keys exist at each level of the file and which Config field each one sets.
#include <utility>

#include "common/ascii.h"
#include "config/loader.h"
#include "config/values.h"
#include "config/yaml_json.h"

namespace archivum::config {
namespace {

constexpr std::string_view kMimeExpected = "expected a MIME type or pattern";
constexpr std::string_view kMimeListExpected = "expected a list of MIME types or patterns";
// One name per StoreBackend.
constexpr std::string_view kStoreBackendExpected = "expected sqlite";

}  // namespace

Status Loader::Load(const YAML::Node& root, Config& config) {
  Value v{root, root.Mark(), ""};
  if (!root.IsNull() && !root.IsMap()) return Fail(v, "expected a map at the top level");
  return Map(v, {
                    {"server", [&](const Value& s) { return ParseServer(s, config.server); }},
                    {"store", [&](const Value& s) { return ParseStore(s, config.store); }},
                    {"plugins", [&](const Value& s) { return ParsePlugins(s, config.plugins); }},
                    {"ingest", [&](const Value& s) { return ParseIngest(s, config.ingest); }},
                    {"auth", [&](const Value& s) { return ParseAuth(s, config.auth); }},
                    {"log", [&](const Value& s) { return ParseLog(s, config.log); }},
                });
}

Status Loader::ParseServer(const Value& v, Server& server) {
  return Map(v, {
                    {"grpc", [&](const Value& g) { return ParseGrpc(g, server.grpc); }},
                    {"http", [&](const Value& h) { return ParseHttp(h, server.http); }},
                    {"shutdown_deadline", Time(&server.shutdown_deadline)},
                    {"allow_insecure_remote", Bool(&server.allow_insecure_remote)},
                    {"max_query_length", Size(&server.max_query_bytes)},
                });
}

Status Loader::ParseGrpc(const Value& v, GrpcServer& grpc) {
  Keepalive& keepalive = grpc.keepalive;
  return Map(v, {
                    {"listen", String(&grpc.listen, "expected host:port")},
                    {"max_receive_message_size", Size(&grpc.max_receive_message_bytes)},
                    {"max_send_message_size", Size(&grpc.max_send_message_bytes)},
                    {"keepalive",
                     [&](const Value& k) {
                       return Map(
                           k, {
                                  {"time", Time(&keepalive.time)},
                                  {"timeout", Time(&keepalive.timeout)},
                                  {"permit_without_calls", Bool(&keepalive.permit_without_calls)},
                                  {"min_ping_interval", Time(&keepalive.min_ping_interval)},
                              });
                     }},
                    {"resource_quota",
                     [&](const Value& q) {
                       return Map(q, {
                                         {"memory", Size(&grpc.resource_quota_bytes)},
                                         {"max_threads", Integer(&grpc.max_threads)},
                                     });
                     }},
                    {"tls", [&](const Value& t) { return ParseTls(t, grpc.tls); }},
                });
}

Status Loader::ParseHttp(const Value& v, HttpServer& http) {
  return Map(v, {
                    {"enabled", Bool(&http.enabled)},
                    {"listen", String(&http.listen, "expected host:port")},
                    {"max_body_size", Size(&http.max_body_bytes)},
                    {"max_header_size", Size(&http.max_header_bytes)},
                    {"max_connections", Integer(&http.max_connections)},
                    {"idle_timeout", Time(&http.idle_timeout)},
                    {"header_timeout", Time(&http.header_timeout)},
                    {"tls", [&](const Value& t) { return ParseTls(t, http.tls); }},
                });
}

Status Loader::ParseTls(const Value& v, Tls& tls) {
  return Map(v, {
                    {"cert", OptionalPath(&tls.cert)},
                    {"key", OptionalPath(&tls.key)},
                    {"client_ca", OptionalPath(&tls.client_ca)},
                });
}

Status Loader::ParseStore(const Value& v, Store& store) {
  return Map(v, {
                    {"path", Path(&store.path)},
                    {"backend",
                     [this, &store](const Value& b) -> Status {
                       auto text = Text(b, kStoreBackendExpected);
                       if (!text.ok()) return text.status();
                       if (*text == "sqlite") {
                         store.backend = StoreBackend::kSqlite;
                         return Status::Ok();
                       }
                       return Fail(b, kStoreBackendExpected);
                     }},
                });
}

Status Loader::ParseAuth(const Value& v, Auth& auth) {
  return Map(v, {
                    {"tokens_file", OptionalPath(&auth.tokens_file)},
                    {"open_health", Bool(&auth.open_health)},
                });
}

Status Loader::ParsePlugins(const Value& v, Plugins& plugins) {
  return Map(
      v, {
             {"directories", PathList(&plugins.directories)},
             {"settings", [&](const Value& s) { return ParsePluginSettings(s, plugins.settings); }},
             {"isolation",
              [this, &plugins](const Value& i) -> Status {
                auto isolation = ParseIsolation(i);
                if (!isolation.ok()) return isolation.status();
                plugins.isolation = *isolation;
                return Status::Ok();
              }},
             {"timeout", Time(&plugins.timeout)},
             {"max_crashes", Integer(&plugins.max_crashes)},
             {"crash_window", Time(&plugins.crash_window)},
         });
}

StatusOr<Isolation> Loader::ParseIsolation(const Value& v) {
  constexpr const char* kExpected = "expected process or inprocess";
  auto text = Text(v, kExpected);
  if (!text.ok()) return text.status();
  if (*text == "process") return Isolation::kProcess;
  if (*text == "inprocess") return Isolation::kInProcess;
  return Fail(v, kExpected);
}

Status Loader::ParsePluginSettings(const Value& v,
                                   std::map<std::string, PluginSettings>& settings) {
  if (v.node.IsNull()) return Status::Ok();
  if (!v.node.IsMap()) return Fail(v, "expected a map of plugin names to their settings");
  std::map<std::string, int> first_line;
  for (const auto& entry : v.node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      return source_.Error(source_.MarkOf(key, v.where), v.path,
                           "expected a plugin name, got " + source_.Describe(key));
    }
    const std::string& name = key.Scalar();
    std::string path = JoinKey(v.path, name);
    auto [it, inserted] = first_line.emplace(name, key.Mark().line + 1);
    if (!inserted) {
      return source_.Error(key.Mark(), path,
                           "expected each plugin once, got " + Quote(name) +
                               " again (first on line " + std::to_string(it->second) + ")");
    }
    PluginSettings& s = settings[name];
    s.config_dir = base_dir_;
    Value body{entry.second, source_.MarkOf(entry.second, key.Mark()), path};
    ARCHIVUM_RETURN_IF_ERROR(
        Map(body, {
                      {"enabled", OptionalBool(&s.enabled)},
                      {"accept", StringList(&s.accept, kMimeListExpected, kMimeExpected)},
                      {"reject", StringList(&s.reject, kMimeListExpected, kMimeExpected)},
                      {"timeout", OptionalTime(&s.timeout)},
                      {"max_file_size", OptionalSize(&s.max_file_size)},
                      {"sha256",
                       [this, &s](const Value& d) -> Status {
                         if (d.node.IsNull()) {
                           s.sha256.reset();
                           return Status::Ok();
                         }
                         auto text = Text(d, "expected a SHA-256 digest of 64 hex digits");
                         if (!text.ok()) return text.status();
                         // Digests are compared as text; tools print both cases.
                         AsciiLowerInPlace(*text);
                         s.sha256 = std::move(*text);
                         return Status::Ok();
                       }},
                      {"config",
                       [this, &s](const Value& c) -> Status {
                         auto json = YamlToJson(source_, c.node, c.where, c.path);
                         if (!json.ok()) return json.status();
                         s.config_json = std::move(*json);
                         return Status::Ok();
                       }},
                      {"memory", OptionalSize(&s.memory)},
                      {"isolation",
                       [this, &s](const Value& i) -> Status {
                         if (i.node.IsNull()) {
                           s.isolation.reset();
                           return Status::Ok();
                         }
                         auto isolation = ParseIsolation(i);
                         if (!isolation.ok()) return isolation.status();
                         s.isolation = *isolation;
                         return Status::Ok();
                       }},
                      {"group",
                       [this, &s](const Value& g) -> Status {
                         if (g.node.IsNull()) {
                           s.group.reset();
                           return Status::Ok();
                         }
                         auto text = Text(g, "expected a group name");
                         if (!text.ok()) return text.status();
                         s.group = std::move(*text);
                         return Status::Ok();
                       }},
                  }));
    // Validate() checks the name; an error about it should point at the key, not its value.
    marks_[path] = key.Mark();
  }
  return Status::Ok();
}

Status Loader::ParseIngest(const Value& v, Ingest& ingest) {
  return Map(v, {
                    {"roots", PathList(&ingest.roots)},
                    {"workers", Integer(&ingest.workers)},
                    {"max_file_size", Size(&ingest.max_file_size)},
                    {"max_reported_errors", Integer(&ingest.max_reported_errors)},
                    {"max_depth", Integer(&ingest.max_depth)},
                    {"max_members", Integer(&ingest.max_members)},
                    {"max_expanded_size", Size(&ingest.max_expanded_bytes)},
                    {"max_files_per_request", Integer(&ingest.max_files_per_request)},
                    {"max_bytes_per_request", Size(&ingest.max_bytes_per_request)},
                    {"max_concurrent", Integer(&ingest.max_concurrent)},
                    {"watch", PathList(&ingest.watch)},
                    {"watch_settle", Time(&ingest.watch_settle)},
                });
}

Status Loader::ParseLog(const Value& v, Log& log) {
  return Map(
      v, {
             {"level",
              String(&log.level, "expected one of trace, debug, info, warn, error, critical, off")},
             {"format",
              [this, &log](const Value& f) -> Status {
                auto text = Text(f, "expected text or json");
                if (!text.ok()) return text.status();
                if (*text == "text") {
                  log.format = LogFormat::kText;
                } else if (*text == "json") {
                  log.format = LogFormat::kJson;
                } else {
                  return Fail(f, "expected text or json");
                }
                return Status::Ok();
              }},
         });
}

}  // namespace archivum::config
