#include "plugins/registry.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "common/sha256.h"
#include "plugins/inprocess/inprocess_plugin.h"
#include "plugins/trust.h"

namespace archivum::plugins {

// One discovered plugin file and what became of it.
struct PluginRegistry::Entry {
  std::filesystem::path file;
  PluginState state = PluginState::kFailed;
  std::string reason;               // why failed or disabled
  bool manifest_valid = false;      // the plugin opened: its manifest passed validation
  Manifest manifest;                // partially filled if validation failed
  config::PluginSettings settings;  // this plugin's settings (defaults if none; path keys resolved)
  // What the files named by the plugin's path keys looked like at load (for the signature).
  std::string paths_state;
  std::unique_ptr<Plugin> plugin;  // set iff state == kLoaded

  Routing routing() const { return EffectiveRouting(manifest, settings); }
};

namespace {

// The *.so files of one directory, sorted by file name.
std::vector<std::filesystem::path> ListLibraries(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    spdlog::warn("plugin directory {} does not exist; skipped", dir.string());
    return files;
  }
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".so" && it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) spdlog::warn("cannot list plugin directory {}: {}", dir.string(), ec.message());
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
  return files;
}

// The configuration as the signature sees it: without the plugin's tuning keys, which never
// change results. The host's config loader produced `config_json`, so it is a JSON object; were
// it not, it is used as it is (a changed text still changes the signature).
std::string SignatureConfig(const std::string& config_json,
                            const std::vector<std::string>& tuning_keys) {
  if (tuning_keys.empty()) return config_json;
  nlohmann::json config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) return config_json;
  for (const std::string& key : tuning_keys) config.erase(key);
  return config.dump();
}

// Rewrites the values of `keys` in `config_json` (a string or a list of strings each) to absolute
// paths resolved against `base`, and adds them to `paths`. A value of another type is left as it
// is, for the plugin to refuse.
std::string ResolvePathKeys(const std::string& config_json, const std::vector<std::string>& keys,
                            const std::filesystem::path& base,
                            std::vector<std::filesystem::path>* paths) {
  if (keys.empty()) return config_json;
  nlohmann::json config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) return config_json;
  auto resolve = [&](nlohmann::json& value) {
    if (!value.is_string()) return;
    std::filesystem::path p = value.get<std::string>();
    if (p.empty()) return;
    if (p.is_relative() && !base.empty()) p = base / p;
    p = p.lexically_normal();
    value = p.string();
    paths->push_back(std::move(p));
  };
  for (const std::string& key : keys) {
    auto it = config.find(key);
    if (it == config.end()) continue;
    if (it->is_array()) {
      for (auto& item : *it) resolve(item);
    } else {
      resolve(*it);
    }
  }
  return config.dump();
}

// The names, sizes and modification times of the files under `paths` (recursively, sorted), so
// that the signature changes when a rule file or dictionary is edited, added or removed. Bounded:
// past kMaxFiles the count alone stands for the rest.
std::string PathsState(const std::vector<std::filesystem::path>& paths) {
  constexpr size_t kMaxFiles = 100000;
  std::vector<std::string> lines;
  size_t seen = 0;
  auto add = [&](const std::filesystem::path& file) {
    if (++seen > kMaxFiles) return;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      lines.push_back(file.string() + " missing");
      return;
    }
    lines.push_back(file.string() + " " + std::to_string(st.st_size) + " " +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      add(path);
      continue;
    }
    for (std::filesystem::recursive_directory_iterator it(path, ec), end; !ec && it != end;
         it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_regular_file(type_ec)) add(it->path());
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string all = std::to_string(seen) + " files\n";
  for (const auto& line : lines) all.append(line).append("\n");
  return Sha256Hex(all);
}

}  // namespace

PluginRegistry::PluginRegistry() = default;

PluginRegistry::~PluginRegistry() {
  // Reverse load order: a plugin loaded later may (through the OS) depend on an earlier one.
  loaded_.clear();
  while (!entries_.empty()) entries_.pop_back();
}

std::unique_ptr<PluginRegistry> PluginRegistry::Load(const Options& options) {
  std::unique_ptr<PluginRegistry> registry(new PluginRegistry());
  std::map<std::string, std::filesystem::path> names;  // claimed name -> file
  for (const auto& dir : options.directories) {
    const auto files = ListLibraries(dir);
    // An untrusted directory taints every file in it: each is listed as refused, with the reason.
    const Status trusted =
        files.empty() ? Status::Ok() : CheckPluginDirectoryTrusted(dir, ::geteuid());
    for (const auto& file : files) {
      if (trusted.ok()) {
        registry->LoadFile(file, options, &names);
        continue;
      }
      spdlog::error("plugin {} refused: {}", file.string(), trusted.message());
      auto entry = std::make_unique<Entry>();
      entry->file = file;
      entry->reason = trusted.message();
      registry->entries_.push_back(std::move(entry));
    }
  }
  for (const auto& [name, settings] : options.settings) {
    if (names.count(name) == 0) spdlog::warn("settings for unknown plugin '{}' ignored", name);
  }
  if (options.placement != nullptr) {
    for (const auto& [plugin, reason] : options.placement->Finish()) {
      for (const auto& entry : registry->entries_) {
        if (entry->plugin.get() != plugin) continue;
        spdlog::error("plugin {} refused: {}", entry->file.string(), reason);
        entry->plugin.reset();
        entry->state = PluginState::kFailed;
        entry->reason = reason;
      }
    }
  }
  for (const auto& entry : registry->entries_) {
    if (entry->state != PluginState::kLoaded) continue;
    LoadedPlugin& loaded = registry->loaded_.emplace_back();
    loaded.plugin = entry->plugin.get();
    loaded.id = entry->manifest.id();
    loaded.routing = entry->routing();
    loaded.timeout = entry->settings.timeout ? entry->settings.timeout : options.default_timeout;
  }
  spdlog::info("plugins: {} loaded, {} discovered", registry->loaded_count(),
               registry->entries_.size());
  return registry;
}

void PluginRegistry::LoadFile(const std::filesystem::path& file, const Options& options,
                              std::map<std::string, std::filesystem::path>* names) {
  auto entry = std::make_unique<Entry>();
  entry->file = file;
  auto refuse = [&](const std::string& reason) {
    spdlog::error("plugin {} refused: {}", file.string(), reason);
    entry->state = PluginState::kFailed;
    entry->reason = reason;
    entries_.push_back(std::move(entry));
  };

  // Checked before anything reads the file: an untrusted library is never mapped.
  if (Status trusted = CheckPluginFileTrusted(file, ::geteuid()); !trusted.ok()) {
    return refuse(trusted.message());
  }

  // Hashed before loading so that a pin compares the bytes that are about to run.
  std::string digest;
  const bool any_pin = std::any_of(options.settings.begin(), options.settings.end(),
                                   [](const auto& s) { return s.second.sha256.has_value(); });
  if (any_pin) {
    auto d = FileSha256Hex(file);
    if (!d.ok()) return refuse(d.status().message());
    digest = *d;
  }

  auto module = options.placement ? options.placement->Open(file, &entry->manifest)
                                  : inprocess::OpenModule(file, &entry->manifest);
  if (!module.ok()) return refuse(module.status().message());
  entry->manifest = (*module)->manifest();
  entry->manifest_valid = true;
  const std::string& name = entry->manifest.name;
  if (auto it = names->find(name); it != names->end()) {
    return refuse("duplicate plugin name '" + name + "' (already loaded from " +
                  it->second.string() + ")");
  }
  names->emplace(name, file);
  if (auto it = options.settings.find(name); it != options.settings.end()) {
    entry->settings = it->second;
  }
  if (entry->settings.sha256 && *entry->settings.sha256 != digest) {
    return refuse("sha256 mismatch: configured " + *entry->settings.sha256 + ", file has " +
                  digest);
  }
  if (entry->settings.enabled == false) {
    spdlog::info("plugin {} ({}) disabled by configuration", name, file.string());
    entry->state = PluginState::kDisabled;
    entry->reason = "disabled by configuration";
    entries_.push_back(std::move(entry));
    return;  // the module closes here
  }
  if (entry->manifest.opt_in && entry->settings.enabled != true) {
    spdlog::info("plugin {} ({}) is off by default; plugins.settings.{}.enabled: true turns it on",
                 name, file.string(), name);
    entry->state = PluginState::kDisabled;
    entry->reason = "off by default (enable with plugins.settings." + name + ".enabled: true)";
    entries_.push_back(std::move(entry));
    return;
  }
  std::vector<std::filesystem::path> read_paths;
  entry->settings.config_json =
      ResolvePathKeys(entry->settings.config_json, entry->manifest.path_keys,
                      entry->settings.config_dir, &read_paths);
  if (!entry->manifest.path_keys.empty()) entry->paths_state = PathsState(read_paths);
  std::filesystem::path data_dir;
  if (!options.data_root.empty()) {
    data_dir = options.data_root / name;
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec)
      return refuse("cannot create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto plugin =
      std::move(**module).Start(entry->settings.config_json, data_dir, read_paths, options.limits);
  if (!plugin.ok()) return refuse(plugin.status().message());
  entry->plugin = std::move(*plugin);
  entry->state = PluginState::kLoaded;
  spdlog::info("plugin {} {} ({}, ABI {}) loaded from {}", name, entry->manifest.version,
               StageName(entry->manifest.stage), entry->manifest.abi_version(), file.string());
  entries_.push_back(std::move(entry));
}

std::vector<PluginDescription> PluginRegistry::Describe() const {
  std::vector<PluginDescription> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) {
    PluginDescription& d = out.emplace_back();
    const Manifest& m = entry->manifest;
    d.name = m.name.empty() ? entry->file.stem().string() : m.name;
    d.version = m.version;
    if (m.abi_major != 0 || m.abi_minor != 0) d.abi_version = m.abi_version();
    if (entry->manifest_valid) {
      d.stage = std::string(StageName(m.stage));
      d.accepts = entry->routing().accepts;
      d.query_verbs = m.query_verbs;
    }
    d.state = entry->state;
    d.reason = entry->reason;
    d.file = entry->file;
    d.description = m.description;
    d.thread_safe = m.thread_safe;
    if (const Plugin* plugin = entry->plugin.get()) {
      d.calls = plugin->calls();
      d.errors = plugin->errors();
      d.total_time_us = plugin->total_time_us();
      d.crashes = plugin->crashes();
      d.timeouts = plugin->timeouts();
      PlacementInfo placement = plugin->placement();
      d.isolation = std::move(placement.isolation);
      d.group = std::move(placement.group);
      d.sandbox_warnings = std::move(placement.sandbox_warnings);
      d.restarts = placement.restarts;
      if (!plugin->available()) {
        d.state = PluginState::kFailed;
        d.reason = plugin->failure_reason();
      }
    }
  }
  return out;
}

StatusOr<std::vector<QueryHit>> PluginRegistry::Query(std::string_view verb,
                                                      std::string_view argument) const {
  std::vector<QueryHit> hits;
  std::optional<Status> first_failure;
  bool any_success = false;
  bool registered = false;
  for (const LoadedPlugin& loaded : loaded_) {
    const Manifest& m = loaded.plugin->manifest();
    if (std::find(m.query_verbs.begin(), m.query_verbs.end(), verb) == m.query_verbs.end()) {
      continue;
    }
    registered = true;
    auto got = loaded.plugin->Query(verb, argument);
    if (!got.ok()) {
      loaded.plugin->CountError();
      Status status(got.status().code(), "plugin " + m.name + ": " + got.status().message());
      spdlog::warn("query {}:{} failed: {}", verb, argument, status.message());
      if (!first_failure) first_failure = std::move(status);
      continue;
    }
    any_success = true;
    hits.insert(hits.end(), std::make_move_iterator(got->begin()),
                std::make_move_iterator(got->end()));
  }
  if (!registered) {
    return NotFound("no plugin registers the query verb '" + std::string(verb) + "'");
  }
  if (!any_success && first_failure) return *std::move(first_failure);
  std::stable_sort(hits.begin(), hits.end(),
                   [](const QueryHit& a, const QueryHit& b) { return a.score > b.score; });
  return hits;
}

Status PluginRegistry::Flush() const {
  Status first = Status::Ok();
  for (const LoadedPlugin& loaded : loaded_) {
    if (!loaded.plugin->manifest().flushes) continue;
    const Status flushed = loaded.plugin->Flush();
    if (flushed.ok()) continue;
    Status status = Internal("plugin " + loaded.plugin->manifest().name +
                             ": flush failed: " + flushed.message());
    spdlog::error("{}", status.message());
    if (first.ok()) first = std::move(status);
  }
  return first;
}

std::vector<std::string> PluginRegistry::QueryVerbs() const {
  std::set<std::string> verbs;
  for (const LoadedPlugin& loaded : loaded_) {
    const Manifest& m = loaded.plugin->manifest();
    verbs.insert(m.query_verbs.begin(), m.query_verbs.end());
  }
  return {verbs.begin(), verbs.end()};
}

std::string PluginRegistry::Signature() const {
  // One line per loaded plugin, sorted by name so load order does not matter. Fields are
  // length-prefixed so no value can forge a field boundary.
  std::vector<std::string> lines;
  auto field = [](std::string* line, std::string_view value) {
    line->append(std::to_string(value.size())).append(":").append(value).append(";");
  };
  for (const auto& entry : entries_) {
    if (entry->state != PluginState::kLoaded) continue;
    const Manifest& m = entry->manifest;
    const config::PluginSettings& s = entry->settings;
    std::string line;
    field(&line, m.name);
    field(&line, m.version);
    field(&line, m.abi_version());
    field(&line, SignatureConfig(s.config_json, m.tuning_keys));
    if (!entry->paths_state.empty()) field(&line, "paths=" + entry->paths_state);
    const Routing routing = entry->routing();
    for (const auto& a : routing.accepts) field(&line, "accept=" + a);
    for (const auto& r : routing.rejects) field(&line, "reject=" + r);
    field(&line, "max=" + std::to_string(routing.max_file_size));
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string all = "archivum-plugins-v1\n";
  for (const auto& line : lines) all.append(line).append("\n");
  return Sha256Hex(all);
}

Routing EffectiveRouting(const Manifest& manifest, const config::PluginSettings& settings) {
  Routing r;
  r.accepts = settings.accept.empty() ? manifest.accepts : settings.accept;
  r.accepts_any_mime = std::any_of(r.accepts.begin(), r.accepts.end(),
                                   [](const std::string& p) { return p == "*" || p == "*/*"; });
  r.rejects = settings.reject;
  const uint64_t own = manifest.max_file_size;
  const uint64_t configured = settings.max_file_size.value_or(0);
  r.max_file_size = own == 0 ? configured : configured == 0 ? own : std::min(own, configured);
  return r;
}

std::vector<std::filesystem::path> DefaultPluginDirectories() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) {
    spdlog::warn("cannot resolve /proc/self/exe ({}); no default plugin directory", ec.message());
    return {};
  }
  return {(exe.parent_path() / ".." / "lib" / "archivum" / "plugins").lexically_normal()};
}

}  // namespace archivum::plugins
