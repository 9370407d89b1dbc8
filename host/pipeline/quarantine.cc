#include "pipeline/quarantine.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "common/ascii.h"
#include "common/sha256.h"
#include "pipeline/document_analyzer.h"

namespace archivum::pipeline {
namespace {

Status NotADigest(std::string_view sha256) {
  if (sha256.size() != 64) {
    return InvalidArgument("sha256 must be 64 hex digits, got " + std::to_string(sha256.size()) +
                           " characters");
  }
  return InvalidArgument("sha256 must be 64 hex digits, got '" + std::string(sha256) + "'");
}

// Newest first; ties in key order, so that the order never depends on how entries were stored.
bool NewerFirst(const store::QuarantineEntry& a, const store::QuarantineEntry& b) {
  return std::tie(b.at_ns, a.sha256, a.plugin, a.plugin_version) <
         std::tie(a.at_ns, b.sha256, b.plugin, b.plugin_version);
}

}  // namespace

Status CheckDigestFilter(std::string_view sha256) {
  if (sha256.empty() || IsSha256Hex(sha256)) return Status::Ok();
  return NotADigest(sha256);
}

StatusOr<std::unique_ptr<Quarantine>> Quarantine::Open(store::Catalog* catalog) {
  std::unique_ptr<Quarantine> q(new Quarantine(catalog));
  if (catalog == nullptr) return q;
  auto entries = catalog->ListQuarantine();
  if (!entries.ok()) return entries.status();
  std::lock_guard write(q->write_mu_);
  for (store::QuarantineEntry& e : *entries) q->Insert(std::move(e));
  return q;
}

bool Quarantine::HasEntriesFor(std::string_view plugin, std::string_view version) const {
  if (entries_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(mu_);
  return by_plugin_.find(std::pair(plugin, version)) != by_plugin_.end();
}

bool Quarantine::Contains(std::string_view sha256, std::string_view plugin,
                          std::string_view version) const {
  if (entries_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(mu_);
  const auto it = by_plugin_.find(std::pair(plugin, version));
  return it != by_plugin_.end() && it->second.find(sha256) != it->second.end();
}

std::optional<store::QuarantineEntry> Quarantine::Find(std::string_view sha256,
                                                       std::string_view plugin,
                                                       std::string_view version) const {
  if (entries_.load(std::memory_order_acquire) == 0) return std::nullopt;
  std::shared_lock lock(mu_);
  const auto it = by_plugin_.find(std::pair(plugin, version));
  if (it == by_plugin_.end()) return std::nullopt;
  const auto entry = it->second.find(sha256);
  if (entry == it->second.end()) return std::nullopt;
  return entry->second;
}

Status Quarantine::Add(store::QuarantineEntry entry) {
  if (!IsSha256Hex(entry.sha256)) return NotADigest(entry.sha256);
  if (entry.plugin.empty()) return InvalidArgument("a quarantine entry needs a plugin name");
  AsciiLowerInPlace(entry.sha256);
  if (entry.at_ns == 0) entry.at_ns = WallClockNs();
  std::lock_guard write(write_mu_);
  if (catalog_ != nullptr) ARCHIVUM_RETURN_IF_ERROR(catalog_->AddQuarantine(entry));
  Insert(std::move(entry));
  return Status::Ok();
}

void Quarantine::Insert(store::QuarantineEntry entry) {
  std::unique_lock lock(mu_);
  Digests& digests = by_plugin_[PluginKey(entry.plugin, entry.plugin_version)];
  std::string digest = entry.sha256;
  const bool inserted = digests.insert_or_assign(std::move(digest), std::move(entry)).second;
  if (inserted) entries_.fetch_add(1, std::memory_order_release);
}

std::vector<store::QuarantineEntry> Quarantine::List() const {
  std::vector<store::QuarantineEntry> out;
  {
    std::shared_lock lock(mu_);
    out.reserve(entries_.load(std::memory_order_relaxed));
    for (const auto& plugin : by_plugin_) {
      for (const auto& digest : plugin.second) out.push_back(digest.second);
    }
  }
  std::sort(out.begin(), out.end(), NewerFirst);
  return out;
}

StatusOr<uint64_t> Quarantine::Clear(std::string_view plugin, std::string_view sha256) {
  ARCHIVUM_RETURN_IF_ERROR(CheckDigestFilter(sha256));
  const std::string digest = AsciiLower(sha256);
  std::lock_guard write(write_mu_);
  uint64_t removed = 0;
  if (catalog_ != nullptr) {
    auto cleared = catalog_->ClearQuarantine(plugin, digest);
    if (!cleared.ok()) return cleared.status();
    removed = *cleared;
  }
  std::unique_lock lock(mu_);
  uint64_t erased = 0;
  for (auto it = by_plugin_.begin(); it != by_plugin_.end();) {
    Digests& digests = it->second;
    if (!plugin.empty() && it->first.first != plugin) {
      ++it;
      continue;
    }
    if (digest.empty()) {
      erased += digests.size();
      digests.clear();
    } else {
      erased += digests.erase(digest);
    }
    it = digests.empty() ? by_plugin_.erase(it) : std::next(it);
  }
  entries_.fetch_sub(erased, std::memory_order_release);
  return catalog_ != nullptr ? removed : erased;
}

uint64_t Quarantine::CountFor(std::string_view plugin, std::string_view version) const {
  if (entries_.load(std::memory_order_acquire) == 0) return 0;
  std::shared_lock lock(mu_);
  const auto it = by_plugin_.find(std::pair(plugin, version));
  return it == by_plugin_.end() ? 0 : it->second.size();
}

}  // namespace archivum::pipeline
