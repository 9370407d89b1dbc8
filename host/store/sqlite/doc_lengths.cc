#include "store/sqlite/doc_lengths.h"

#include <utility>

namespace archivum::store::sqlite {

uint32_t DocsizeTotal(const unsigned char* data, int size) {
  uint64_t total = 0;
  int i = 0;
  while (i < size) {
    // SQLite varints: big-endian groups of 7 bits, high bit set = more bytes follow (token
    // counts fit in 5 bytes; longer runs are clamped rather than trusted).
    uint64_t v = 0;
    for (int k = 0; i < size && k < 9; ++k) {
      const unsigned char c = data[i++];
      v = (v << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    total += v & 0xffffffffu;
  }
  return total > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(total);
}

StatusOr<int64_t> ReadTextGeneration(Connection& conn) {
  Statement st(conn, "SELECT value FROM catalog_state WHERE key = 'text_generation'");
  if (!st.ok()) return st.status();
  if (!st.Step())
    return st.status().ok() ? Internal("catalog_state has no generation") : st.status();
  return st.Int(0);
}

StatusOr<int64_t> BumpTextGeneration(Connection& conn) {
  Statement bump(conn,
                 "UPDATE catalog_state SET value = value + 1 WHERE key = 'text_generation' "
                 "RETURNING value");
  int64_t generation = 0;
  if (bump.Step()) generation = bump.Int(0);
  if (!bump.status().ok()) return bump.status();
  if (generation == 0) return Internal("catalog_state has no generation");
  if (bump.Step()) return Internal("catalog_state has several generations");
  return generation;
}

Status DocLengthCache::Load(Connection& conn) {
  // Serialized so concurrent searches noticing the same change load the counts once.
  std::lock_guard reload(reload_mu_);
  ReadTransaction txn(conn);
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  auto generation = ReadTextGeneration(conn);
  if (!generation.ok()) return generation.status();
  {
    std::lock_guard lock(mu_);
    if (lengths_ && generation_ == *generation) return Status::Ok();  // done meanwhile
  }
  auto lengths = std::make_shared<DocLengths>();
  Statement st(conn, "SELECT id, sz FROM texts_docsize");
  if (!st.ok()) return st.status();
  while (st.Step()) {
    const int64_t id = st.Int(0);
    if (id < 0 || id >= kMaxLengthRowid) continue;
    const std::string_view sz = st.TextView(1);
    if (lengths->size() <= static_cast<size_t>(id)) lengths->resize(static_cast<size_t>(id) + 1);
    (*lengths)[static_cast<size_t>(id)] = DocsizeTotal(
        reinterpret_cast<const unsigned char*>(sz.data()), static_cast<int>(sz.size()));
  }
  if (!st.status().ok()) return st.status();
  std::lock_guard lock(mu_);
  if (!lengths_ || *generation > generation_) {
    lengths_ = std::move(lengths);
    generation_ = *generation;
  }
  return Status::Ok();
}

void DocLengthCache::Publish(const std::vector<std::pair<int64_t, uint32_t>>& updates,
                             int64_t generation) {
  // Copy-on-write: readers keep the snapshot they started with. The writer calls this under its
  // lock, so commits publish in order; if the snapshot is not the one just before this commit
  // (another process committed in between), it is left alone and the next search reloads it.
  std::shared_ptr<const DocLengths> base;
  {
    std::lock_guard lock(mu_);
    if (!lengths_ || generation_ != generation - 1) return;
    base = lengths_;
  }
  auto next = std::make_shared<DocLengths>(*base);
  for (const auto& [id, tokens] : updates) {
    if (id < 0 || id >= kMaxLengthRowid) continue;
    if (next->size() <= static_cast<size_t>(id)) next->resize(static_cast<size_t>(id) + 1);
    (*next)[static_cast<size_t>(id)] = tokens;
  }
  std::lock_guard lock(mu_);
  if (generation_ == generation - 1) {
    lengths_ = std::move(next);
    generation_ = generation;
  }
}

std::pair<std::shared_ptr<const DocLengths>, int64_t> DocLengthCache::Snapshot() const {
  std::lock_guard lock(mu_);
  return {lengths_, generation_};
}

}  // namespace archivum::store::sqlite
