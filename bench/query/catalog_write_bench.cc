// archivum_bench_catalog_write: the SQLite catalog's write path (Catalog::Commit) alone.
//
//   archivum_bench_catalog_write --from STORE --out DIR [--batch 1024] [--limit N] [--passes 2]
//
// Reads the documents, findings and extracted texts of an ingested store (read-only) and commits
// them into a fresh catalog under DIR in batches of --batch documents, the way an ingest does;
// pass 2 and later commit every document again in shuffled order (a re-analysis of a changed
// tree, which replaces rows and their index entries). Reports per pass the thread CPU time
// spent inside Commit (clock_gettime(CLOCK_THREAD_CPUTIME_ID), so other load on the machine does
// not count), the wall time, documents per CPU second, and the database size at the end.
#include <sqlite3.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "store/open_catalog.h"

namespace {

namespace fs = std::filesystem;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string Column(sqlite3_stmt* st, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st, i))) : std::string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_catalog_write: the SQLite catalog's Commit throughput"};
  std::string from, out;
  size_t batch = 1024;
  size_t limit = 0;
  unsigned passes = 2;
  app.add_option("--from", from, "store directory of an ingested daemon (read only)")->required();
  app.add_option("--out", out, "directory for the fresh catalog (must not exist)")->required();
  app.add_option("--batch", batch, "documents per Commit")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--limit", limit, "at most this many documents (0 = all)");
  app.add_option("--passes", passes, "passes; the later ones rewrite everything, shuffled")
      ->check(CLI::Range(1u, 10u));
  CLI11_PARSE(app, argc, argv);
  if (fs::exists(out)) {
    std::cerr << "archivum_bench_catalog_write: " << out << " exists\n";
    return 2;
  }

  // Load the corpus.
  std::vector<archivum::store::DocumentWrite> docs;
  {
    sqlite3* db = nullptr;
    const std::string file = (fs::path(from) / "catalog.db").string();
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::cerr << "cannot open " << file << "\n";
      sqlite3_close(db);
      return 1;
    }
    sqlite3_stmt* st = nullptr;
    const char* sql =
        "SELECT d.id, d.path, d.size, d.mtime_ns, d.ingested_at_ns, d.parent, d.name, d.ext, "
        "d.sha256, d.mime, d.analyzers, d.signature, coalesce(t.c1, '') FROM documents d "
        "LEFT JOIN texts_content t ON t.id = d.id ORDER BY d.id";
    sqlite3_stmt* fs_st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT plugin, key, value FROM findings WHERE document_id = ?1 "
                           "ORDER BY rowid",
                           -1, &fs_st, nullptr) != SQLITE_OK) {
      std::cerr << "reading " << file << ": " << sqlite3_errmsg(db) << "\n";
      return 1;
    }
    while (sqlite3_step(st) == SQLITE_ROW && (limit == 0 || docs.size() < limit)) {
      archivum::store::DocumentWrite w;
      auto& d = w.document;
      d.path = Column(st, 1);
      d.size = static_cast<uint64_t>(sqlite3_column_int64(st, 2));
      d.mtime_ns = sqlite3_column_int64(st, 3);
      d.ingested_at_ns = sqlite3_column_int64(st, 4);
      d.parent = Column(st, 5);
      d.name = Column(st, 6);
      d.ext = Column(st, 7);
      d.sha256 = Column(st, 8);
      d.mime = Column(st, 9);
      d.analyzers = Column(st, 10);
      d.signature = Column(st, 11);
      w.text = Column(st, 12);
      sqlite3_bind_int64(fs_st, 1, sqlite3_column_int64(st, 0));
      while (sqlite3_step(fs_st) == SQLITE_ROW) {
        w.findings.push_back({Column(fs_st, 0), Column(fs_st, 1), Column(fs_st, 2)});
      }
      sqlite3_reset(fs_st);
      docs.push_back(std::move(w));
    }
    sqlite3_finalize(fs_st);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  size_t text_bytes = 0;
  for (const auto& d : docs) text_bytes += d.text.size();
  std::printf("corpus: %zu documents, %.1f MB of text, batches of %zu\n", docs.size(),
              static_cast<double>(text_bytes) / 1e6, batch);

  archivum::config::Store store_config;
  store_config.path = out;
  store_config.backend = archivum::config::StoreBackend::kSqlite;
  auto catalog = archivum::store::OpenCatalog(store_config);
  if (!catalog.ok()) {
    std::cerr << catalog.status().ToString() << "\n";
    return 1;
  }
  std::vector<size_t> order(docs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 rng(7);
  for (unsigned pass = 1; pass <= passes; ++pass) {
    if (pass > 1) std::shuffle(order.begin(), order.end(), rng);
    double cpu = 0;
    const auto wall_start = std::chrono::steady_clock::now();
    std::vector<archivum::store::DocumentWrite> chunk;
    for (size_t i = 0; i < order.size(); i += batch) {
      chunk.clear();
      for (size_t k = i; k < std::min(order.size(), i + batch); ++k) {
        // Children must follow their parent in a batch, as the ingester writes them.
        chunk.push_back(docs[pass > 1 ? order[k] : k]);
        if (pass > 1) chunk.back().document.ingested_at_ns += pass;
      }
      if (pass > 1) {
        std::stable_sort(chunk.begin(), chunk.end(), [](const auto& a, const auto& b) {
          return a.document.parent.empty() > b.document.parent.empty();
        });
      }
      const double c0 = ThreadCpuSeconds();
      const archivum::Status st = (*catalog)->Commit(chunk, {});
      cpu += ThreadCpuSeconds() - c0;
      if (!st.ok()) {
        std::cerr << "commit failed: " << st.ToString() << "\n";
        return 1;
      }
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    std::error_code ec;
    const auto size = fs::file_size(fs::path(out) / "catalog.db", ec);
    std::printf(
        "pass %u (%s): Commit CPU %.3f s (%.1f us/doc, %.0f docs/CPU-s), wall %.3f s, "
        "catalog.db %.1f MB\n",
        pass, pass == 1 ? "fresh" : "rewrite, shuffled", cpu,
        docs.empty() ? 0.0 : cpu * 1e6 / static_cast<double>(docs.size()),
        cpu > 0 ? static_cast<double>(docs.size()) / cpu : 0.0, wall,
        ec ? 0.0 : static_cast<double>(size) / 1e6);
  }
  return 0;
}
