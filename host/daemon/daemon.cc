#include "daemon/daemon.h"

#include <absl/synchronization/mutex.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "api/grpc/grpc_server.h"
#include "api/http/http_server.h"
#include "auth/access_policy.h"
#include "auth/token_verifier.h"
#include "common/ascii.h"
#include "common/coalescing_worker.h"
#include "common/logging.h"
#include "config/config.h"
#include "core/file_manager_impl.h"
#include "daemon/reloader.h"
#include "daemon/systemd_notifier.h"
#include "metrics/metrics.h"
#include "pipeline/quarantine.h"
#include "plugins/process/placement.h"
#include "plugins/registry.h"
#include "store/open_catalog.h"
#include "watch/watcher.h"

namespace archivum::daemon {
namespace {

namespace fs = std::filesystem;

struct Flags {
  std::string config_file;
  std::string check_config;
  std::string grpc_listen;
  std::string http_listen;
  std::string store;
  std::vector<std::string> plugin_dirs;
  std::string log_level;
};

// Command-line values win over the file; paths given on the command line are relative to the
// working directory, as a shell user expects.
Status ApplyOverrides(const Flags& flags, config::Config* cfg) {
  if (!flags.grpc_listen.empty()) cfg->server.grpc.listen = flags.grpc_listen;
  if (!flags.http_listen.empty()) cfg->server.http.listen = flags.http_listen;
  if (!flags.store.empty()) cfg->store.path = fs::absolute(flags.store).lexically_normal();
  if (!flags.plugin_dirs.empty()) {
    cfg->plugins.directories.clear();
    for (const auto& d : flags.plugin_dirs) {
      cfg->plugins.directories.push_back(fs::absolute(d).lexically_normal());
    }
  }
  if (!flags.log_level.empty()) cfg->log.level = flags.log_level;
  return config::Validate(*cfg);
}

// The config as at start-up: the file, then the command line over it.
StatusOr<config::Config> LoadConfig(const Flags& flags) {
  if (flags.config_file.empty()) {
    config::Config cfg;
    cfg.store.path = fs::absolute(cfg.store.path).lexically_normal();
    ARCHIVUM_RETURN_IF_ERROR(ApplyOverrides(flags, &cfg));
    return cfg;
  }
  auto cfg = config::LoadConfigFile(flags.config_file);
  if (!cfg.ok()) return cfg.status();
  // A default the file did not mention is relative to the file too, like every path in it.
  if (cfg->store.path.is_relative()) {
    cfg->store.path =
        (fs::absolute(flags.config_file).parent_path() / cfg->store.path).lexically_normal();
  }
  ARCHIVUM_RETURN_IF_ERROR(ApplyOverrides(flags, &*cfg));
  return cfg;
}

bool IsLoopbackHost(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  AsciiLowerInPlace(host);
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

// Secure by default: a listener other machines can reach must have TLS or authentication, unless
// the operator says otherwise. Warns about weaker combinations that are allowed.
Status CheckExposure(const config::Config& cfg) {
  struct Listener {
    const char* key;
    const std::string& listen;
    const config::Tls& tls;
  };
  std::vector<Listener> listeners{{"server.grpc", cfg.server.grpc.listen, cfg.server.grpc.tls}};
  if (cfg.server.http.enabled) {
    listeners.push_back({"server.http", cfg.server.http.listen, cfg.server.http.tls});
  }
  for (const Listener& l : listeners) {
    if (IsLoopbackHost(l.listen.substr(0, l.listen.rfind(':')))) continue;
    if (!l.tls.enabled() && !cfg.auth.enabled()) {
      if (cfg.server.allow_insecure_remote) {
        spdlog::warn(
            "{}.listen {} is reachable from other machines with neither TLS nor "
            "authentication (server.allow_insecure_remote is true)",
            l.key, l.listen);
        continue;
      }
      return FailedPrecondition(
          std::string("refusing to listen on ") + l.listen + " (" + l.key +
          ".listen): it is not a loopback address and this listener has neither TLS nor "
          "authentication, so anyone who can reach it could read and ingest files. Set " +
          "auth.tokens_file and/or " + l.key + ".tls, listen on 127.0.0.1, or set " +
          "server.allow_insecure_remote: true to accept the risk");
    }
    if (!l.tls.enabled()) {
      spdlog::warn(
          "{}.listen {} is reachable from other machines without TLS: bearer tokens "
          "and file contents travel in clear text ({}.tls)",
          l.key, l.listen, l.key);
    } else if (!cfg.auth.enabled() && l.tls.client_ca.empty()) {
      spdlog::warn(
          "{}.listen {} is reachable from other machines with TLS but without "
          "authentication: any client may call (auth.tokens_file, {}.tls.client_ca)",
          l.key, l.listen, l.key);
    }
  }
  return Status::Ok();
}

StatusOr<auth::AccessPolicy> LoadAccessPolicy(const config::Auth& cfg) {
  auth::AccessPolicy policy;
  policy.open_health = cfg.open_health;
  if (!cfg.enabled()) return policy;
  auto tokens = auth::TokenVerifier::Load(cfg.tokens_file, "auth.tokens_file");
  if (!tokens.ok()) return tokens.status();
  policy.tokens = std::move(*tokens);
  std::error_code ec;
  const auto perms = fs::status(cfg.tokens_file, ec).permissions();
  if (!ec && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
    spdlog::warn(
        "auth.tokens_file {} is accessible to other users; chmod 600 it (or list only "
        "sha256: digests in it)",
        cfg.tokens_file.string());
  }
  spdlog::info("auth: {} token(s) from {}; health and reflection {}", policy.tokens->size(),
               cfg.tokens_file.string(),
               cfg.open_health ? "open" : "need a token too (auth.open_health: false)");
  return policy;
}

// Blocks SIGINT/SIGTERM (shut down) and SIGHUP (reload) in this thread and every thread created
// after it, so that exactly one place (WaitForSignal) receives them, synchronously.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// The next of `set`'s signals, or 0 when `timeout` (if positive) passes first.
int WaitForSignal(const sigset_t& set, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) {
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    return sig;
  }
  const timespec ts{static_cast<time_t>(timeout.count() / 1000),
                    static_cast<long>(timeout.count() % 1000) * 1000000L};
  for (;;) {
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) return sig;
    if (errno == EAGAIN) return 0;
  }
}

// Where the plugins run: see plugins/process/placement.h and the plugins.* settings.
// Where plugins spool the child documents they stream (unnamed files; see os::AnonymousFile).
std::filesystem::path ChildSpoolDir(const config::Config& cfg) {
  return cfg.store.path / "spool" / "children";
}

plugins::process::ProcessPlacementOptions PlacementOptions(
    const config::Config& cfg, const std::vector<std::filesystem::path>& directories,
    const std::filesystem::path& spool_dir) {
  plugins::process::ProcessPlacementOptions o;
  o.worker_exe = plugins::process::DefaultWorkerPath();
  o.inprocess_by_default = cfg.plugins.isolation == config::Isolation::kInProcess;
  o.settings = cfg.plugins.settings;
  o.directories = directories;
  o.bundled_directories = plugins::DefaultPluginDirectories();
  const unsigned workers = cfg.ingest.workers != 0
                               ? cfg.ingest.workers
                               : std::max(1u, std::thread::hardware_concurrency());
  // Every ingest worker busy, plus calls of Analyze, uploads, queries and flushes.
  o.slots = workers + 2;
  o.sandbox.read_only = plugins::process::SystemReadOnlyPaths();
  o.sandbox.data_size = uint64_t{2} << 30;
  o.sandbox.file_size = uint64_t{16} << 30;
  o.sandbox.open_files = 1024;
  o.limits.spool_dir = spool_dir;
  o.max_crashes = cfg.plugins.max_crashes;
  o.crash_window = std::chrono::duration_cast<std::chrono::seconds>(cfg.plugins.crash_window);
  return o;
}

// How the daemon loads its plugins: the configured directories (or the bundled ones), settings
// and timeout; each plugin's data directory under `data_root`, streamed children spooled under
// `spool_dir`. The placement is set by the caller.
plugins::PluginRegistry::Options RegistryOptions(const config::Config& cfg,
                                                 const std::filesystem::path& data_root,
                                                 const std::filesystem::path& spool_dir) {
  plugins::PluginRegistry::Options popts;
  popts.directories = cfg.plugins.directories.empty() ? plugins::DefaultPluginDirectories()
                                                      : cfg.plugins.directories;
  popts.settings = cfg.plugins.settings;
  popts.default_timeout = cfg.plugins.timeout;
  popts.data_root = data_root;
  popts.limits.spool_dir = spool_dir;
  return popts;
}

// What GET /metrics reports of the plugins: the counters each loaded plugin keeps.
std::vector<metrics::PluginSample> PluginSamples(const plugins::PluginRegistry& registry) {
  std::vector<metrics::PluginSample> out;
  for (const plugins::LoadedPlugin& loaded : registry.loaded()) {
    const plugins::Plugin& p = *loaded.plugin;
    metrics::PluginSample& sample = out.emplace_back();
    sample.name = p.manifest().name;
    sample.instance = &p;
    sample.calls = p.calls();
    sample.errors = p.errors();
    sample.timeouts = p.timeouts();
    sample.crashes = p.crashes();
    sample.bounds.assign(plugins::Plugin::kDurationBounds.begin(),
                         plugins::Plugin::kDurationBounds.end());
    sample.bucket_counts = p.duration_buckets();
    sample.sum_seconds = p.total_time_seconds();
  }
  return out;
}

// A directory of its own under the system's temporary directory, removed with its content on
// destruction (empty path if it could not be made).
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "archivumd-check-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// --check-config's second half: loads every plugin the configuration enables exactly as Serve
// does (directories, settings, placement in sandboxed workers or in process), and reports each
// one that fails as "archivumd: plugin NAME: REASON" on stderr. The store is never opened: the
// plugins' data directories and spool live in a scratch directory, removed afterwards, so a
// plugin that keeps an index of its own starts as it would on a new store. Returns whether
// every enabled plugin loaded.
bool CheckPlugins(const config::Config& cfg) {
  const ScratchDir scratch;
  if (scratch.path().empty()) {
    std::cerr << "archivumd: cannot create a scratch directory to load the plugins in\n";
    return false;
  }
  const fs::path spool = scratch.path() / "spool";
  plugins::PluginRegistry::Options popts = RegistryOptions(cfg, scratch.path() / "plugins", spool);
  bool ok = true;
  {
    plugins::process::ProcessPlacement placement(PlacementOptions(cfg, popts.directories, spool));
    popts.placement = &placement;
    const auto registry = plugins::PluginRegistry::Load(popts);
    for (const plugins::PluginDescription& d : registry->Describe()) {
      if (d.state != plugins::PluginState::kFailed) continue;
      std::cerr << "archivumd: plugin " << d.name << ": " << d.reason << "\n";
      ok = false;
    }
  }  // the workers are gone before the scratch directory goes
  return ok;
}

// The watcher of ingest.watch over `core` (null, with a warning, if inotify is unavailable and
// nothing is to be watched). Errors: inotify unavailable while ingest.watch lists directories.
StatusOr<std::unique_ptr<watch::Watcher>> StartWatcher(const config::Config& cfg,
                                                       store::Catalog* catalog,
                                                       core::FileManagerImpl* core,
                                                       metrics::Metrics* metrics) {
  watch::Watcher::Options options;
  options.on_events = [metrics](uint64_t n) { metrics->AddWatchEvents(n); };
  options.roots = cfg.ingest.watch;
  options.settle = cfg.ingest.watch_settle;
  options.catalog = catalog;
  options.ingest = [core](const fs::path& path, const CallContext& ctx,
                          aichemist_archivum::IngestSummary* summary) {
    return core->IngestWatched(path, ctx, summary);
  };
  auto watcher = watch::Watcher::Start(watch::Watcher::OptionsFromEnvironment(std::move(options)));
  if (watcher.ok()) return watcher;
  if (!cfg.ingest.watch.empty()) {
    return Status(watcher.status().code(),
                  "cannot watch ingest.watch: " + watcher.status().message());
  }
  spdlog::warn("watch mode is unavailable: {}", watcher.status().message());
  return std::unique_ptr<watch::Watcher>();
}

// Loads the plugins `cfg` enables, with a placement of their own: the registry returned owns
// both (the registry goes first, as it was loaded through the placement), so a live reload can
// replace the pair and the last call using the old one releases it.
std::shared_ptr<const plugins::PluginRegistry> LoadPlugins(const config::Config& cfg) {
  struct Runtime {
    std::unique_ptr<plugins::process::ProcessPlacement> placement;
    std::unique_ptr<plugins::PluginRegistry> registry;
    ~Runtime() { registry.reset(); }
  };
  auto runtime = std::make_shared<Runtime>();
  plugins::PluginRegistry::Options popts =
      RegistryOptions(cfg, cfg.store.path / "plugins", ChildSpoolDir(cfg));
  runtime->placement = std::make_unique<plugins::process::ProcessPlacement>(
      PlacementOptions(cfg, popts.directories, popts.limits.spool_dir));
  popts.placement = runtime->placement.get();
  runtime->registry = plugins::PluginRegistry::Load(popts);
  const plugins::PluginRegistry* registry = runtime->registry.get();
  return std::shared_ptr<const plugins::PluginRegistry>(std::move(runtime), registry);
}

int Serve(const config::Config& cfg, const sigset_t& signals,
          const std::function<StatusOr<config::Config>()>& reload_config) {
  if (Status st = CheckExposure(cfg); !st.ok()) {
    spdlog::critical("{}", st.message());
    return 1;
  }
  auto policy = LoadAccessPolicy(cfg.auth);
  if (!policy.ok()) {
    spdlog::critical("{}", policy.status().message());
    return 1;
  }
  // Every copy of the policy checks against these, which a reload replaces.
  std::shared_ptr<auth::LiveTokens> live_tokens;
  if (policy->enabled()) {
    live_tokens = std::make_shared<auth::LiveTokens>(policy->tokens);
    policy->live = live_tokens;
  }

  auto catalog = store::OpenCatalog(cfg.store);
  if (!catalog.ok()) {
    spdlog::critical("cannot open the store: {}", catalog.status().ToString());
    return 1;
  }
  spdlog::info("store: {}", (*catalog)->Describe());
  // Without it a plugin would be handed again the content that crashed it: no start-up.
  auto quarantine = pipeline::Quarantine::Open(catalog->get());
  if (!quarantine.ok()) {
    spdlog::critical("cannot load the quarantine from the store: {}",
                     quarantine.status().ToString());
    return 1;
  }
  if (const uint64_t entries = (*quarantine)->size(); entries > 0) {
    spdlog::info("quarantine: {} {} (archivum quarantine list)", entries,
                 entries == 1 ? "entry" : "entries");
  }

  // Spooled children have no names, but a plugin may have created named files in its group's
  // spool directory: nothing in there outlives a daemon.
  {
    std::error_code ec;
    std::filesystem::remove_all(ChildSpoolDir(cfg), ec);
    if (ec) spdlog::warn("cannot empty {}: {}", ChildSpoolDir(cfg).string(), ec.message());
  }
  std::shared_ptr<const plugins::PluginRegistry> registry = LoadPlugins(cfg);
  std::vector<std::string> plugin_names = LoadedPluginNames(registry.get());

  // GET /metrics (metrics/metrics.h); declared before what it observes, so it outlives them.
  metrics::Metrics metrics;
  metrics.SetDocumentCount([catalog = catalog->get()] { return catalog->CountDocuments(); });

  core::FileManagerImpl core(catalog->get(), nullptr, cfg.ingest, cfg.store.path / "spool",
                             cfg.server.max_query_bytes, quarantine->get(), &metrics);
  // The core shares the registry from here on: a reload swaps it (Reconfigure).
  core.Reconfigure(core::FileManagerImpl::Settings{
      std::move(registry), cfg.ingest, static_cast<size_t>(cfg.server.max_query_bytes)});
  // The plugins of the snapshot in force at each scrape, so a reload's new set is counted.
  metrics.SetPluginSource([&core] {
    const std::shared_ptr<const plugins::PluginRegistry> plugins = core.registry();
    return plugins ? PluginSamples(*plugins) : std::vector<metrics::PluginSample>{};
  });

  // Watch mode runs whether or not ingest.watch lists anything, so that a reload can add roots
  // (Watcher::SetRoots).
  auto watcher = StartWatcher(cfg, catalog->get(), &core, &metrics);
  if (!watcher.ok()) {
    spdlog::critical("{}", watcher.status().message());
    return 1;
  }
  if (*watcher) core.SetWatcher(watcher->get());

  // Calls run on their own pool, sized so that long ingests cannot starve queries.
  const unsigned rpc_workers = std::max(8u, 2 * std::thread::hardware_concurrency());
  auto grpc = api::GrpcServer::Start(cfg.server.grpc, &core, rpc_workers, *policy, &metrics);
  if (!grpc.ok()) {
    spdlog::critical("{}", grpc.status().message());
    return 1;
  }
  if (cfg.server.grpc.tls.enabled()) {
    spdlog::info("gRPC: TLS{}", cfg.server.grpc.tls.client_ca.empty()
                                    ? ""
                                    : " with client certificates (server.grpc.tls.client_ca)");
  }
  // Tests and scripts read the chosen port from this exact line.
  spdlog::info("gRPC listening on {}", (*grpc)->address());

  std::atomic<bool> serving{true};
  std::unique_ptr<api::HttpServer> http;
  if (cfg.server.http.enabled) {
    api::HttpServer::Hooks hooks;
    hooks.serving = [&serving] { return serving.load(); };
    // The store is open and plugins are loaded before the gateway starts.
    hooks.ready = [&serving] { return serving.load(); };
    auto started =
        api::HttpServer::Start(cfg.server.http, &core, hooks, rpc_workers, *policy, &metrics);
    if (!started.ok()) {
      spdlog::critical("{}", started.status().message());
      (*grpc)->Shutdown(std::chrono::milliseconds(0));
      return 1;
    }
    http = std::move(*started);
    if (cfg.server.http.tls.enabled()) {
      spdlog::info("HTTP: TLS{}", cfg.server.http.tls.client_ca.empty()
                                      ? ""
                                      : " with client certificates (server.http.tls.client_ca)");
    }
    spdlog::info("HTTP listening on {}", http->address());
  }

  // Read by the watchdog thread, which the notifier joins: declared before it.
  std::atomic<int64_t> heartbeat{std::chrono::steady_clock::now().time_since_epoch().count()};
  SystemdNotifier notifier;
  Reloader::Targets targets;
  targets.core = &core;
  targets.grpc = grpc->get();
  targets.http = http.get();
  targets.tokens = live_tokens;
  targets.notifier = &notifier;
  targets.load_plugins = LoadPlugins;
  Reloader reloader(cfg, std::move(plugin_names), reload_config, std::move(targets));
  // RELOAD LISTENERS: the parts of the daemon that apply settings of their own on a reload (the
  // watcher's roots: SetRoots with the new ingest.watch) register here with
  // reloader.AddListener, before the signal loop below can start a reload.
  if (*watcher) {
    reloader.AddListener([w = watcher->get()](const config::Config&, const config::Config& now) {
      w->SetRoots(now.ingest.watch);
    });
  }

  // Reloads run one at a time on their own thread, so that the signal loop stays free for
  // SIGTERM; SIGHUPs during a reload coalesce into one more.
  std::atomic<bool> stopping{false};
  std::atomic<bool> reloading{false};
  CoalescingWorker reloads(
      [&] {
        if (stopping) return;
        reloading = true;
        reloader.Reload();
        reloading = false;
      },
      /*lazy=*/true);

  const std::string listening =
      "gRPC on " + (*grpc)->address() + (http ? ", HTTP on " + http->address() : "");
  notifier.Ready("serving: " + listening);
  // The watchdog's liveness check: the signal loop below turned within the interval (it wakes
  // every quarter of it), and the catalog answers a read (an indexed lookup of a path no
  // document has).
  const auto watchdog =
      std::chrono::duration_cast<std::chrono::milliseconds>(notifier.watchdog_interval());
  notifier.StartWatchdog([&heartbeat, watchdog, store = catalog->get()] {
    const auto beat = std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(heartbeat.load()));
    if (std::chrono::steady_clock::now() - beat > watchdog) return false;
    return store->Find("").ok();
  });

  int sig = 0;
  for (;;) {
    sig = WaitForSignal(signals, watchdog / 4);
    heartbeat = std::chrono::steady_clock::now().time_since_epoch().count();
    if (sig == SIGHUP) {
      if (reload_config) {
        reloads.Request();
      } else {
        spdlog::warn("SIGHUP: no config file to reload (started without --config)");
      }
    } else if (sig != 0) {
      break;
    }
  }
  const std::chrono::milliseconds deadline = reloader.current().server.shutdown_deadline;
  const auto shutdown_until = std::chrono::steady_clock::now() + deadline;
  spdlog::info("received {}, shutting down (deadline {} ms)", sig == SIGINT ? "SIGINT" : "SIGTERM",
               deadline.count());
  notifier.Stopping("shutting down");
  stopping = true;  // a reload requested but not begun never begins
  serving = false;
  // No new ingests from the watcher while the calls drain; one in progress is cancelled.
  if (*watcher) (*watcher)->Stop();
  // Both transports drain at once, so the whole shutdown stays within one deadline.
  std::thread http_stop([&] {
    if (http) http->Shutdown(deadline);
  });
  (*grpc)->Shutdown(deadline);
  http_stop.join();
  // A reload under way (loading plugins can take a while) may finish within the deadline; past
  // it, the process ends without waiting: nothing it holds needs an orderly close (the catalog
  // is crash-safe, plugin workers die with the daemon).
  const uint64_t reloads_done = reloads.completed();
  if (reloading) {
    const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                               shutdown_until - std::chrono::steady_clock::now());
    if (!reloads.WaitUntilCompletedExceeds(
            reloads_done, std::chrono::duration_cast<std::chrono::milliseconds>(left))) {
      spdlog::warn("a reload is still running at the shutdown deadline; exiting without it");
      spdlog::info("stopped");
      spdlog::default_logger()->flush();
      std::_Exit(0);
    }
  }
  reloads.Stop();
  http.reset();
  grpc->reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{"archivumd: the Archivum file-analysis daemon"};
  app.set_version_flag("--version", "archivumd 0.1.0");
  Flags flags;
  app.add_option("-c,--config", flags.config_file, "YAML config file (default: built-in defaults)")
      ->check(CLI::ExistingFile);
  app.add_option("--check-config", flags.check_config,
                 "Validate a config file and load the plugins it enables, then exit (0 valid, "
                 "1 invalid or a plugin failed to load)");
  app.add_option("--grpc-listen", flags.grpc_listen, "gRPC address host:port (overrides config)");
  app.add_option("--http-listen", flags.http_listen, "HTTP address host:port (overrides config)");
  app.add_option("--store", flags.store, "Store directory (overrides config)");
  app.add_option("--plugin-dir", flags.plugin_dirs,
                 "Plugin directory; repeatable (replaces plugins.directories)");
  app.add_option("--log-level", flags.log_level,
                 "trace|debug|info|warn|error|critical|off (overrides config)");
  app.footer("Exit codes: 0 clean shutdown or valid config, 1 start-up failure, 2 usage error.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (!flags.check_config.empty()) {
    auto cfg = config::LoadConfigFile(flags.check_config);
    Status st = cfg.ok() ? ApplyOverrides(flags, &*cfg) : cfg.status();
    // Warnings (exposure, plugins loading) go to stderr, so that stdout holds only the verdict:
    // warnings and worse, unless the file asks for less.
    if (st.ok()) {
      LogOptions log = cfg->log;
      if (log.level != "error" && log.level != "critical" && log.level != "off") log.level = "warn";
      st = ConfigureLogging(log);
    }
    if (st.ok()) st = CheckExposure(*cfg);
    if (!st.ok()) {
      std::cerr << "archivumd: " << st.message() << "\n";
      return 1;
    }
    if (!CheckPlugins(*cfg)) return 1;
    std::cout << flags.check_config << ": ok\n";
    return 0;
  }

  auto cfg = LoadConfig(flags);
  if (!cfg.ok()) {
    std::cerr << "archivumd: " << cfg.status().message() << "\n";
    return 1;
  }
  if (Status st = ConfigureLogging(cfg->log); !st.ok()) {
    std::cerr << "archivumd: " << st.message() << "\n";
    return 1;
  }
  // Debian's absl is built with its debug-mode lock-order checking on, which records a graph edge
  // on every gRPC mutex acquisition (a few percent of the CPU of a cheap call). It only reports
  // lock-order cycles (a development aid, off in NDEBUG builds of absl), so the daemon turns it
  // off before gRPC starts.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const sigset_t signals = BlockShutdownSignals();
  if (!cfg->source.empty()) spdlog::info("config: {}", cfg->source.string());
  std::function<StatusOr<config::Config>()> reload_config;
  if (!flags.config_file.empty()) reload_config = [flags] { return LoadConfig(flags); };
  return Serve(*cfg, signals, reload_config);
}

}  // namespace archivum::daemon
