// CountCache: the totals of unranked searches one read connection has counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

namespace archivum::store::sqlite {

// Totals of unranked searches as one read connection last counted them, valid for one data
// version of the database (SQLITE_FCNTL_DATA_VERSION: it changes whenever the database changes,
// through any connection or process, as the connection sees it at the start of a read
// transaction). A page that is not the whole answer needs its total, and counting visits every
// match (a large directory: thousands of index entries); the same search again (the next page,
// a repeated query) reads it here. Used by the connection's thread only.
class CountCache {
 public:
  // Past this many totals the cache starts over; longer keys are not kept (keys are
  // user-controlled: at most kMaxEntries * kMaxKeyBytes per connection).
  static constexpr size_t kMaxEntries = 256;
  static constexpr size_t kMaxKeyBytes = 1024;

  // The total recorded for `key` at `version`, or null.
  const uint64_t* Find(uint32_t version, const std::string& key) const {
    if (version != version_) return nullptr;
    auto it = totals_.find(key);
    return it == totals_.end() ? nullptr : &it->second;
  }
  // Records `total` for `key` at `version`; a newer version, or a full cache, starts over.
  void Insert(uint32_t version, std::string key, uint64_t total) {
    if (key.size() > kMaxKeyBytes) return;
    if (version != version_ || totals_.size() >= kMaxEntries) {
      totals_.clear();
      version_ = version;
    }
    totals_.emplace(std::move(key), total);
  }

 private:
  uint32_t version_ = 0;
  std::unordered_map<std::string, uint64_t> totals_;
};

}  // namespace archivum::store::sqlite
