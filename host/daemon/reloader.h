// Live reload of the daemon's configuration (SIGHUP, `systemctl reload`).
//
// Reload() rereads the config file through `load` (the same loader and command-line overrides as
// at start-up), checks everything it would put in force before changing anything, and then
// applies it all, or refuses the new config as a whole and keeps the one in force. What it
// applies, without closing a connection or disturbing a call in flight:
//   - auth.tokens_file (the file is read again even when its path is unchanged): the tokens
//     checked for every call that begins afterwards, on every connection;
//   - server.grpc.tls and server.http.tls certificate, key and client CA files: new handshakes
//     use them; open connections keep their session;
//   - plugins.* and the plugin files in the plugin directories (a new plugin registry, and the
//     ListPlugins answer), ingest.*, server.max_query_length: calls that begin afterwards use
//     them, calls in flight finish with the previous ones (core::FileManagerImpl::Reconfigure);
//   - log.level, server.shutdown_deadline;
//   - and whatever the reload listeners (AddListener) apply.
// A key that only a restart can change (RestartOnlyKeys) keeps its running value, with a warning
// naming it. Refusals (logged as "reload refused: <reason>", the reason as at start-up, e.g.
// "archivum.yaml:3:11: ..."): the file does not load or validate, the token file or a TLS file
// does not load, a configured plugin directory does not exist.
//
// Thread safety: Reload runs one at a time (a mutex serializes callers); current() and
// AddListener are safe from any thread. The targets must outlive the reloader.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/grpc/grpc_server.h"
#include "api/http/http_server.h"
#include "auth/live_tokens.h"
#include "common/status.h"
#include "config/config.h"
#include "core/file_manager_impl.h"
#include "daemon/systemd_notifier.h"
#include "plugins/registry.h"

namespace archivum::daemon {

class Reloader {
 public:
  // What a reload acts on. `http` and `tokens` may be null (HTTP disabled, authentication off);
  // `notifier` may be null. `load_plugins` loads a plugin registry for a config (never null).
  struct Targets {
    core::FileManagerImpl* core = nullptr;
    api::GrpcServer* grpc = nullptr;
    api::HttpServer* http = nullptr;
    std::shared_ptr<auth::LiveTokens> tokens;
    SystemdNotifier* notifier = nullptr;
    std::function<std::shared_ptr<const plugins::PluginRegistry>(const config::Config&)>
        load_plugins;
  };

  // Called after a reload was applied, on the reloading thread, with the config that was in
  // force and the one now in force (restart-only keys keep their running values in both). For
  // the parts of the daemon that apply settings of their own (e.g. the watcher's roots); they
  // must not block for long and must not fail: what can fail is checked before.
  using Listener = std::function<void(const config::Config& previous, const config::Config& now)>;

  // `running` is the config the daemon started with; `plugins` the loaded plugin registry's
  // names (for the "+N -M" of the log line); `load` rereads the config file.
  Reloader(config::Config running, std::vector<std::string> plugins,
           std::function<StatusOr<config::Config>()> load, Targets targets);

  void AddListener(Listener listener);

  // One reload (see the file comment); returns whether the new config was applied. Logs one
  // line either way, and tells the notifier RELOADING then READY (with the outcome as STATUS).
  bool Reload();

  config::Config current() const;

  // The keys whose new value `next` differs from `running` in, which only a restart applies;
  // each is set back to its running value in *next.
  static std::vector<std::string> RestartOnlyKeys(const config::Config& running,
                                                  config::Config* next);

 private:
  Status Apply(config::Config next, std::vector<std::string>* changes);

  const std::function<StatusOr<config::Config>()> load_;
  const Targets targets_;
  std::mutex reload_mu_;  // one reload at a time
  mutable std::mutex mu_;
  config::Config running_;           // guarded by mu_
  std::set<std::string> plugins_;    // guarded by reload_mu_: loaded plugins' names
  std::string tokens_digest_;        // guarded by reload_mu_: of the token file in force
  std::string grpc_tls_digest_;      // guarded by reload_mu_: of the gRPC TLS files in force
  std::string http_tls_digest_;      // guarded by reload_mu_: of the HTTP TLS files in force
  std::vector<Listener> listeners_;  // guarded by mu_
};

// The names of `registry`'s loaded plugins.
std::vector<std::string> LoadedPluginNames(const plugins::PluginRegistry* registry);

}  // namespace archivum::daemon
