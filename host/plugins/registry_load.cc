// PluginRegistry: discovery, loading and description.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <system_error>

#include "common/sha256.h"
#include "plugins/library.h"
#include "plugins/registry.h"
#include "plugins/registry_entry.h"
#include "plugins/trust.h"

namespace archivum::plugins {
namespace {

namespace pb = aichemist_archivum;

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

// A FAILED entry for `file`, logged.
std::unique_ptr<RegistryEntry> Refused(const std::filesystem::path& file, std::string reason) {
  spdlog::error("plugin {} refused: {}", file.string(), reason);
  auto entry = std::make_unique<RegistryEntry>();
  entry->file = file;
  entry->state = EntryState::kFailed;
  entry->reason = std::move(reason);
  return entry;
}

pb::PluginInfo::State ToProto(EntryState state) {
  switch (state) {
    case EntryState::kLoaded: return pb::PluginInfo::LOADED;
    case EntryState::kFailed: return pb::PluginInfo::FAILED;
    case EntryState::kDisabled: return pb::PluginInfo::DISABLED;
  }
  return pb::PluginInfo::STATE_UNSPECIFIED;
}

}  // namespace

uint64_t RegistryEntry::max_file_size() const {
  const uint64_t own = manifest.max_file_size;
  const uint64_t configured = settings.max_file_size.value_or(0);
  if (own == 0) return configured;
  if (configured == 0) return own;
  return std::min(own, configured);
}

PluginRegistry::PluginRegistry() = default;

PluginRegistry::~PluginRegistry() {
  // Reverse load order: a plugin loaded later may (through the OS) depend on an earlier one.
  while (!entries_.empty()) entries_.pop_back();
}

std::unique_ptr<PluginRegistry> PluginRegistry::Load(const Options& options) {
  std::unique_ptr<PluginRegistry> registry(new PluginRegistry());
  registry->options_ = options;
  std::map<std::string, std::filesystem::path> names;  // claimed name -> file
  for (const auto& dir : options.directories) {
    const auto files = ListLibraries(dir);
    // An untrusted directory taints every file in it: each is listed as refused, with the reason.
    const Status trusted =
        files.empty() ? Status::Ok() : CheckPluginDirectoryTrusted(dir, ::geteuid());
    for (const auto& file : files) {
      if (trusted.ok()) {
        registry->LoadFile(file, options, &names);
      } else {
        registry->entries_.push_back(Refused(file, trusted.message()));
      }
    }
  }
  for (const auto& [name, settings] : options.settings) {
    if (names.count(name) == 0) spdlog::warn("settings for unknown plugin '{}' ignored", name);
  }
  spdlog::info("plugins: {} loaded, {} discovered", registry->loaded_count(),
               registry->entries_.size());
  return registry;
}

void PluginRegistry::LoadFile(const std::filesystem::path& file, const Options& options,
                              std::map<std::string, std::filesystem::path>* names) {
  auto entry = std::make_unique<RegistryEntry>();
  entry->file = file;
  auto refuse = [&](const std::string& reason) {
    spdlog::error("plugin {} refused: {}", file.string(), reason);
    entry->state = EntryState::kFailed;
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

  auto library = PluginLibrary::Open(file);
  if (!library.ok()) return refuse(library.status().message());
  Status valid = ReadDescriptor((*library)->descriptor(), &entry->manifest);
  if (!valid.ok()) return refuse(valid.message());
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
    entry->state = EntryState::kDisabled;
    entry->reason = "disabled by configuration";
    entries_.push_back(std::move(entry));
    return;  // `library` unloads here.
  }
  std::filesystem::path data_dir;
  if (!options.data_root.empty()) {
    data_dir = options.data_root / name;
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec)
      return refuse("cannot create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto instance = PluginInstance::Create(std::move(*library), entry->manifest,
                                         entry->settings.config_json, data_dir);
  if (!instance.ok()) return refuse(instance.status().message());
  entry->instance = std::move(*instance);
  entry->state = EntryState::kLoaded;
  entry->id = entry->manifest.id();
  entry->accepts_any_mime =
      std::any_of(entry->accepts().begin(), entry->accepts().end(),
                  [](const std::string& p) { return p == "*" || p == "*/*"; });
  spdlog::info("plugin {} {} ({}, ABI {}) loaded from {}", name, entry->manifest.version,
               StageName(entry->manifest.stage), entry->manifest.abi_version(), file.string());
  entries_.push_back(std::move(entry));
}

void PluginRegistry::Describe(aichemist_archivum::ListPluginsResponse* out) const {
  out->set_host_abi_version(HostAbiVersion());
  for (const auto& entry : entries_) {
    pb::PluginInfo* info = out->add_plugins();
    const Manifest& m = entry->manifest;
    info->set_name(m.name.empty() ? entry->file.stem().string() : m.name);
    info->set_version(m.version);
    if (m.abi_major != 0 || m.abi_minor != 0) info->set_abi_version(m.abi_version());
    if (entry->manifest_valid) {
      info->set_stage(std::string(StageName(m.stage)));
      for (const auto& a : entry->accepts()) info->add_accepts(a);
      for (const auto& v : m.query_verbs) info->add_query_verbs(v);
    }
    info->set_state(ToProto(entry->state));
    info->set_reason(entry->reason);
    info->set_file(entry->file.string());
    info->set_description(m.description);
    info->set_thread_safe(m.thread_safe);
    if (entry->instance) {
      info->set_calls(entry->instance->calls());
      info->set_errors(entry->instance->errors());
      info->set_total_time_us(entry->instance->total_time_us());
    }
  }
}

size_t PluginRegistry::loaded_count() const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [](const auto& e) {
    return e->state == EntryState::kLoaded;
  }));
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
