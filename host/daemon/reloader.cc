#include "daemon/reloader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>

#include "auth/secret_file.h"
#include "auth/tls_files.h"
#include "auth/token_verifier.h"

namespace archivum::daemon {
namespace {

namespace fs = std::filesystem;

std::string Hex(const auth::TokenVerifier::Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// Restart-only settings: `key` is reported and `*next` gets the running value back.
template <typename T>
void KeepRunning(const char* key, const T& running, T* next, std::vector<std::string>* keys) {
  if (*next == running) return;
  keys->push_back(key);
  *next = running;
}

struct TokensUpdate {
  std::shared_ptr<const auth::TokenVerifier> tokens;
  std::string digest;
};

StatusOr<TokensUpdate> LoadTokens(const config::Auth& auth) {
  auto text = auth::ReadSecretFile(auth.tokens_file, "auth.tokens_file");
  if (!text.ok()) return text.status();
  auto tokens = auth::TokenVerifier::Parse(*text, "auth.tokens_file: " + auth.tokens_file.string());
  const std::string digest = Hex(auth::TokenVerifier::Sha256(*text));
  std::fill(text->begin(), text->end(), '\0');
  if (!tokens.ok()) return tokens.status();
  return TokensUpdate{std::move(*tokens), digest};
}

std::string TlsDigest(const auth::TlsFiles& files) {
  return Hex(auth::TokenVerifier::Sha256(files.cert_chain_pem + '\0' + files.private_key_pem +
                                         '\0' + files.client_ca_pem));
}

// The keys of `section` whose values differ, as "<prefix>.<key>".
void ChangedIngest(const config::Ingest& a, const config::Ingest& b,
                   std::vector<std::string>* out) {
  const auto check = [&](bool same, const char* key) {
    if (!same) out->push_back(std::string("ingest.") + key);
  };
  check(a.roots == b.roots, "roots");
  check(a.workers == b.workers, "workers");
  check(a.max_file_size == b.max_file_size, "max_file_size");
  check(a.max_reported_errors == b.max_reported_errors, "max_reported_errors");
  check(a.max_depth == b.max_depth, "max_depth");
  check(a.max_members == b.max_members, "max_members");
  check(a.max_expanded_bytes == b.max_expanded_bytes, "max_expanded_size");
  check(a.max_files_per_request == b.max_files_per_request, "max_files_per_request");
  check(a.max_bytes_per_request == b.max_bytes_per_request, "max_bytes_per_request");
  check(a.max_concurrent == b.max_concurrent, "max_concurrent");
  check(a.watch == b.watch, "watch");
  // Keys added to ingest later are reported together.
  config::Ingest rest = b;
  rest.roots = a.roots;
  rest.workers = a.workers;
  rest.max_file_size = a.max_file_size;
  rest.max_reported_errors = a.max_reported_errors;
  rest.max_depth = a.max_depth;
  rest.max_members = a.max_members;
  rest.max_expanded_bytes = a.max_expanded_bytes;
  rest.max_files_per_request = a.max_files_per_request;
  rest.max_bytes_per_request = a.max_bytes_per_request;
  rest.max_concurrent = a.max_concurrent;
  rest.watch = a.watch;
  if (!(rest == a)) out->push_back("ingest (other keys)");
}

void ChangedPlugins(const config::Plugins& a, const config::Plugins& b,
                    std::vector<std::string>* out) {
  const auto check = [&](bool same, const char* key) {
    if (!same) out->push_back(std::string("plugins.") + key);
  };
  check(a.directories == b.directories, "directories");
  check(a.settings == b.settings, "settings");
  check(a.isolation == b.isolation, "isolation");
  check(a.timeout == b.timeout, "timeout");
  check(a.max_crashes == b.max_crashes, "max_crashes");
  check(a.crash_window == b.crash_window, "crash_window");
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

std::vector<std::string> LoadedPluginNames(const plugins::PluginRegistry* registry) {
  std::vector<std::string> names;
  if (registry == nullptr) return names;
  for (const plugins::PluginDescription& d : registry->Describe()) {
    if (d.state == plugins::PluginState::kLoaded) names.push_back(d.name);
  }
  return names;
}

Reloader::Reloader(config::Config running, std::vector<std::string> plugins,
                   std::function<StatusOr<config::Config>()> load, Targets targets)
    : load_(std::move(load)),
      targets_(std::move(targets)),
      running_(std::move(running)),
      plugins_(plugins.begin(), plugins.end()) {
  // What is in force now, to tell a changed file from an unchanged one at the next reload. A
  // file that cannot be read any more counts as changed then.
  if (running_.auth.enabled()) {
    if (auto tokens = LoadTokens(running_.auth); tokens.ok()) tokens_digest_ = tokens->digest;
  }
  if (running_.server.grpc.tls.enabled()) {
    if (auto files = auth::LoadTlsFiles(running_.server.grpc.tls, "server.grpc.tls"); files.ok()) {
      grpc_tls_digest_ = TlsDigest(*files);
    }
  }
  if (running_.server.http.enabled && running_.server.http.tls.enabled()) {
    if (auto files = auth::LoadTlsFiles(running_.server.http.tls, "server.http.tls"); files.ok()) {
      http_tls_digest_ = TlsDigest(*files);
    }
  }
}

void Reloader::AddListener(Listener listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

config::Config Reloader::current() const {
  std::lock_guard lock(mu_);
  return running_;
}

std::vector<std::string> Reloader::RestartOnlyKeys(const config::Config& running,
                                                   config::Config* next) {
  std::vector<std::string> keys;
  const config::GrpcServer& g = running.server.grpc;
  config::GrpcServer& ng = next->server.grpc;
  KeepRunning("server.grpc.listen", g.listen, &ng.listen, &keys);
  KeepRunning("server.grpc.max_receive_message_size", g.max_receive_message_bytes,
              &ng.max_receive_message_bytes, &keys);
  KeepRunning("server.grpc.max_send_message_size", g.max_send_message_bytes,
              &ng.max_send_message_bytes, &keys);
  KeepRunning("server.grpc.keepalive", g.keepalive, &ng.keepalive, &keys);
  KeepRunning("server.grpc.resource_quota", g.resource_quota_bytes, &ng.resource_quota_bytes,
              &keys);
  KeepRunning("server.grpc.max_threads", g.max_threads, &ng.max_threads, &keys);
  // TLS on or off, and mutual TLS on or off (gRPC fixes it with the credentials): the files of
  // an enabled block reload.
  if (g.tls.enabled() != ng.tls.enabled() || g.tls.client_ca.empty() != ng.tls.client_ca.empty()) {
    KeepRunning("server.grpc.tls", g.tls, &ng.tls, &keys);
  }

  const config::HttpServer& h = running.server.http;
  config::HttpServer& nh = next->server.http;
  KeepRunning("server.http.enabled", h.enabled, &nh.enabled, &keys);
  KeepRunning("server.http.listen", h.listen, &nh.listen, &keys);
  KeepRunning("server.http.max_body_size", h.max_body_bytes, &nh.max_body_bytes, &keys);
  KeepRunning("server.http.max_header_size", h.max_header_bytes, &nh.max_header_bytes, &keys);
  KeepRunning("server.http.max_connections", h.max_connections, &nh.max_connections, &keys);
  KeepRunning("server.http.idle_timeout", h.idle_timeout, &nh.idle_timeout, &keys);
  KeepRunning("server.http.header_timeout", h.header_timeout, &nh.header_timeout, &keys);
  if (h.tls.enabled() != nh.tls.enabled()) KeepRunning("server.http.tls", h.tls, &nh.tls, &keys);

  KeepRunning("server.allow_insecure_remote", running.server.allow_insecure_remote,
              &next->server.allow_insecure_remote, &keys);
  KeepRunning("store", running.store, &next->store, &keys);
  // The watcher's debounce is fixed when it starts (watch/watcher.h); its roots reload.
  KeepRunning("ingest.watch_settle", running.ingest.watch_settle, &next->ingest.watch_settle,
              &keys);
  // Authentication on or off changes what the transports and /openapi.json were built for.
  if (running.auth.enabled() != next->auth.enabled()) {
    KeepRunning("auth.tokens_file", running.auth.tokens_file, &next->auth.tokens_file, &keys);
  }
  KeepRunning("auth.open_health", running.auth.open_health, &next->auth.open_health, &keys);
  KeepRunning("log.format", running.log.format, &next->log.format, &keys);
  return keys;
}

bool Reloader::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  if (targets_.notifier) targets_.notifier->Reloading("reloading the configuration");
  spdlog::info("reloading the configuration");
  auto next = load_();
  std::vector<std::string> changes;
  const Status st = next.ok() ? Apply(std::move(*next), &changes) : next.status();
  if (!st.ok()) {
    spdlog::error("reload refused: {}; the previous configuration stays in force", st.message());
    if (targets_.notifier) {
      targets_.notifier->Ready("serving; the last reload was refused: " + st.message());
    }
    return false;
  }
  const std::string summary = changes.empty() ? "no changes" : Join(changes);
  spdlog::info("reloaded config: {}", summary);
  spdlog::set_level(spdlog::level::from_str(current().log.level));
  if (targets_.notifier) targets_.notifier->Ready("serving; reloaded config: " + summary);
  return true;
}

Status Reloader::Apply(config::Config next, std::vector<std::string>* changes) {
  const config::Config running = current();
  for (const std::string& key : RestartOnlyKeys(running, &next)) {
    spdlog::warn("reload: {} changed; it takes effect after a restart (the running value stays)",
                 key);
  }

  // Everything that can fail, before anything changes.
  std::optional<TokensUpdate> tokens;
  if (next.auth.enabled() && targets_.tokens) {
    auto loaded = LoadTokens(next.auth);
    if (!loaded.ok()) return loaded.status();
    tokens = std::move(*loaded);
  }
  std::optional<auth::TlsFiles> grpc_tls;
  if (next.server.grpc.tls.enabled() && targets_.grpc) {
    auto files = auth::LoadTlsFiles(next.server.grpc.tls, "server.grpc.tls");
    if (!files.ok()) return files.status();
    grpc_tls = std::move(*files);
  }
  std::shared_ptr<const api::HttpServer::TlsSetup> http_tls;
  std::string http_tls_digest;
  if (next.server.http.enabled && next.server.http.tls.enabled() && targets_.http) {
    auto files = auth::LoadTlsFiles(next.server.http.tls, "server.http.tls");
    if (!files.ok()) return files.status();
    http_tls_digest = TlsDigest(*files);
    auto setup = api::HttpServer::LoadTls(next.server.http.tls);
    if (!setup.ok()) return setup.status();
    http_tls = std::move(*setup);
  }
  for (const fs::path& dir : next.plugins.directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return NotFound("plugins.directories: " + dir.string() + ": no such directory");
    }
  }
  // Last: the expensive step, started only for a config that passed every other check.
  std::shared_ptr<const plugins::PluginRegistry> registry = targets_.load_plugins(next);

  // Apply. Nothing below fails.
  if (tokens) {
    if (tokens->digest != tokens_digest_ || next.auth.tokens_file != running.auth.tokens_file) {
      changes->push_back("tokens");
    }
    targets_.tokens->Replace(std::move(tokens->tokens));
    tokens_digest_ = tokens->digest;
  }
  if (grpc_tls) {
    const std::string digest = TlsDigest(*grpc_tls);
    if (Status st = targets_.grpc->ReplaceTls(std::move(*grpc_tls)); !st.ok()) {
      // RestartOnlyKeys keeps TLS and mutual TLS as they run, so this cannot happen.
      spdlog::error("reload: {}", st.message());
    } else if (digest != grpc_tls_digest_) {
      changes->push_back("server.grpc.tls");
      grpc_tls_digest_ = digest;
    }
  }
  if (http_tls) {
    targets_.http->UseTls(std::move(http_tls));
    if (http_tls_digest != http_tls_digest_) {
      changes->push_back("server.http.tls");
      http_tls_digest_ = http_tls_digest;
    }
  }
  // Applied by Reload after the outcome line, so that the line shows at the level in force
  // when the reload began.
  if (next.log.level != running.log.level) changes->push_back("log.level");
  if (next.server.shutdown_deadline != running.server.shutdown_deadline) {
    changes->push_back("server.shutdown_deadline");
  }
  if (next.server.max_query_bytes != running.server.max_query_bytes) {
    changes->push_back("server.max_query_length");
  }
  ChangedIngest(running.ingest, next.ingest, changes);
  ChangedPlugins(running.plugins, next.plugins, changes);

  const std::vector<std::string> names = LoadedPluginNames(registry.get());
  const std::set<std::string> loaded(names.begin(), names.end());
  size_t added = 0;
  size_t removed = 0;
  for (const std::string& name : loaded) added += plugins_.count(name) == 0 ? 1 : 0;
  for (const std::string& name : plugins_) removed += loaded.count(name) == 0 ? 1 : 0;
  if (added > 0 || removed > 0) {
    changes->push_back("plugins (+" + std::to_string(added) + " -" + std::to_string(removed) + ")");
  }
  plugins_ = loaded;
  targets_.core->Reconfigure(core::FileManagerImpl::Settings{
      std::move(registry), next.ingest, static_cast<size_t>(next.server.max_query_bytes)});

  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mu_);
    running_ = next;
    listeners = listeners_;
  }
  // RELOAD LISTENERS: the one place where the parts of the daemon that apply settings of their
  // own learn of a reload (e.g. the watcher: SetRoots(now.ingest.watch)).
  for (const Listener& listener : listeners) listener(running, next);
  return Status::Ok();
}

}  // namespace archivum::daemon
