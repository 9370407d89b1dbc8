// pipeline::Quarantine in memory and over a temporary catalog: lookups by content, plugin and
// version; upserts; filtered clearing; validation; the catalog as the record (written first,
// reloaded after a restart, and a failed write leaving memory as it was); concurrent readers.
#include "pipeline/quarantine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"
#include "support/test_catalog.h"

namespace archivum::pipeline {
namespace {

std::string QDigest(char c) {
  return std::string(64, c);
}

store::QuarantineEntry EntryFor(char digit, std::string plugin, std::string version,
                                int64_t at_ns = 1) {
  store::QuarantineEntry e;
  e.sha256 = QDigest(digit);
  e.plugin = std::move(plugin);
  e.plugin_version = std::move(version);
  e.reason = "crashed: SIGSEGV";
  e.path = "/files/" + std::string(1, digit);
  e.at_ns = at_ns;
  return e;
}

// "digit:plugin@version:reason" of every listed entry, in order.
std::string Listed(const std::vector<store::QuarantineEntry>& entries) {
  std::string out;
  for (const store::QuarantineEntry& e : entries) {
    if (!out.empty()) out += " ";
    out += e.sha256.substr(0, 1) + ":" + e.plugin + "@" + e.plugin_version + ":" + e.reason;
  }
  return out;
}

// A catalog whose quarantine calls fail with `failure` (everything else is unused here).
class FailingQuarantineCatalog final : public store::Catalog {
 public:
  explicit FailingQuarantineCatalog(Status failure) : failure_(std::move(failure)) {}
  std::string Describe() const override { return "failing"; }
  StatusOr<std::optional<store::DocumentRecord>> Find(std::string_view) override {
    return failure_;
  }
  StatusOr<std::vector<store::DocumentRecord>> ListUnder(std::string_view) override {
    return failure_;
  }
  StatusOr<uint64_t> CountDocuments() override { return failure_; }
  Status Commit(const std::vector<store::DocumentWrite>&,
                const std::vector<std::string>&) override {
    return failure_;
  }
  StatusOr<std::optional<store::DocumentDetail>> Get(std::string_view) override { return failure_; }
  StatusOr<store::ChildList> ListChildren(std::string_view, uint32_t) override { return failure_; }
  StatusOr<std::optional<store::Preview>> GetPreview(std::string_view) override { return failure_; }
  StatusOr<std::optional<store::DocumentText>> GetText(std::string_view, uint64_t) override {
    return failure_;
  }
  StatusOr<std::vector<std::vector<store::MetadataEntry>>> Metadata(
      const std::vector<std::string>&) override {
    return failure_;
  }
  using Catalog::Search;
  StatusOr<store::SearchResult> Search(const query::Query&, uint32_t, uint32_t,
                                       const store::SearchOptions&) override {
    return failure_;
  }
  StatusOr<std::vector<store::Facet>> Facets(const std::vector<std::string>&) override {
    return failure_;
  }
  Status AddQuarantine(const store::QuarantineEntry&) override { return failure_; }
  StatusOr<std::vector<store::QuarantineEntry>> ListQuarantine() override {
    if (list_ok) return std::vector<store::QuarantineEntry>{};
    return failure_;
  }
  StatusOr<uint64_t> ClearQuarantine(std::string_view, std::string_view) override {
    return failure_;
  }

  bool list_ok = false;

 private:
  Status failure_;
};

TEST(PipelineQuarantine, AnEmptyQuarantineHoldsNothing) {
  auto q = Quarantine::Open(nullptr);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_FALSE((*q)->HasEntriesFor("pdf", "1.0"));
  EXPECT_FALSE((*q)->Contains(QDigest('a'), "pdf", "1.0"));
  EXPECT_EQ((*q)->CountFor("pdf", "1.0"), 0u);
  EXPECT_EQ((*q)->size(), 0u);
  EXPECT_TRUE((*q)->List().empty());
  auto cleared = (*q)->Clear("", "");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(*cleared, 0u);
}

TEST(PipelineQuarantine, AnEntryHoldsForItsContentPluginAndVersionOnly) {
  auto q = Quarantine::Open(nullptr);
  ASSERT_TRUE(q.ok());
  store::QuarantineEntry upper = EntryFor('A', "pdf", "1.0");
  upper.at_ns = 0;  // now
  ASSERT_TRUE((*q)->Add(upper).ok());
  EXPECT_TRUE((*q)->HasEntriesFor("pdf", "1.0"));
  EXPECT_TRUE((*q)->Contains(QDigest('a'), "pdf", "1.0"));  // stored lower-case
  EXPECT_FALSE((*q)->Contains(QDigest('b'), "pdf", "1.0"));
  EXPECT_FALSE((*q)->HasEntriesFor("pdf", "1.1"));
  EXPECT_FALSE((*q)->Contains(QDigest('a'), "pdf", "1.1"));
  EXPECT_FALSE((*q)->HasEntriesFor("ocr", "1.0"));
  EXPECT_FALSE((*q)->Contains(QDigest('a'), "ocr", "1.0"));
  EXPECT_EQ((*q)->CountFor("pdf", "1.0"), 1u);
  const std::vector<store::QuarantineEntry> listed = (*q)->List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].sha256, QDigest('a'));
  EXPECT_GT(listed[0].at_ns, 0);

  // The same key again replaces reason, path and time; it is still one entry.
  store::QuarantineEntry again = EntryFor('a', "pdf", "1.0", listed[0].at_ns + 1);
  again.reason = "timeout after 2s";
  again.path = "upload:copy";
  ASSERT_TRUE((*q)->Add(again).ok());
  EXPECT_EQ((*q)->CountFor("pdf", "1.0"), 1u);
  EXPECT_EQ((*q)->size(), 1u);
  EXPECT_EQ((*q)->List()[0].path, "upload:copy");
  EXPECT_EQ(Listed((*q)->List()), "a:pdf@1.0:timeout after 2s");
}

TEST(PipelineQuarantine, RefusesEntriesItCouldNotMatchOrClear) {
  auto q = Quarantine::Open(nullptr);
  ASSERT_TRUE(q.ok());
  store::QuarantineEntry short_digest = EntryFor('a', "pdf", "1.0");
  short_digest.sha256 = "abc";
  store::QuarantineEntry not_hex = EntryFor('a', "pdf", "1.0");
  not_hex.sha256 = std::string(63, 'a') + "g";
  store::QuarantineEntry no_plugin = EntryFor('a', "", "1.0");
  for (const store::QuarantineEntry& bad : {short_digest, not_hex, no_plugin}) {
    const Status st = (*q)->Add(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad.sha256 << " " << bad.plugin;
  }
  EXPECT_EQ((*q)->size(), 0u);
  EXPECT_EQ((*q)->Clear("", "abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*q)->Clear("", "abc").status().message(),
            "sha256 must be 64 hex digits, got 3 characters");
  EXPECT_TRUE(CheckDigestFilter("").ok());
  EXPECT_TRUE(CheckDigestFilter(QDigest('F')).ok());
  EXPECT_EQ(CheckDigestFilter(std::string(64, 'x')).code(), StatusCode::kInvalidArgument);
}

TEST(PipelineQuarantine, ClearRemovesWhatMatchesBothFilters) {
  auto q = Quarantine::Open(nullptr);
  ASSERT_TRUE(q.ok());
  for (const store::QuarantineEntry& e :
       {EntryFor('a', "pdf", "1.0", 1), EntryFor('a', "pdf", "2.0", 2),
        EntryFor('b', "pdf", "1.0", 3), EntryFor('a', "ocr", "1.0", 4),
        EntryFor('c', "ocr", "1.0", 5)}) {
    ASSERT_TRUE((*q)->Add(e).ok());
  }
  EXPECT_EQ(Listed((*q)->List()),
            "c:ocr@1.0:crashed: SIGSEGV a:ocr@1.0:crashed: SIGSEGV b:pdf@1.0:crashed: SIGSEGV "
            "a:pdf@2.0:crashed: SIGSEGV a:pdf@1.0:crashed: SIGSEGV");
  auto both = (*q)->Clear("pdf", QDigest('A'));  // either case
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(*both, 2u);
  EXPECT_FALSE((*q)->HasEntriesFor("pdf", "2.0"));
  EXPECT_TRUE((*q)->HasEntriesFor("pdf", "1.0"));
  EXPECT_TRUE((*q)->Contains(QDigest('a'), "ocr", "1.0"));
  auto by_plugin = (*q)->Clear("ocr", "");
  ASSERT_TRUE(by_plugin.ok());
  EXPECT_EQ(*by_plugin, 2u);
  EXPECT_EQ((*q)->size(), 1u);
  auto rest = (*q)->Clear("", "");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1u);
  EXPECT_EQ((*q)->size(), 0u);
  EXPECT_FALSE((*q)->HasEntriesFor("pdf", "1.0"));
}

// The catalog is the record: what a Quarantine added and cleared is what the next one loads,
// as after a restart of the daemon.
TEST(PipelineQuarantine, ReloadsFromTheCatalogAfterARestart) {
  archivum::testing::TempDir tmp;
  std::vector<store::QuarantineEntry> before;
  {
    auto catalog = archivum::testing::OpenTestCatalog(tmp.path() / "store");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto q = Quarantine::Open(catalog->get());
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    ASSERT_TRUE((*q)->Add(EntryFor('a', "pdf", "1.0", 10)).ok());
    ASSERT_TRUE((*q)->Add(EntryFor('b', "pdf", "1.0", 20)).ok());
    ASSERT_TRUE((*q)->Add(EntryFor('c', "ocr", "3.1", 30)).ok());
    auto cleared = (*q)->Clear("", QDigest('b'));
    ASSERT_TRUE(cleared.ok());
    EXPECT_EQ(*cleared, 1u);
    before = (*q)->List();
    auto recorded = (*catalog)->ListQuarantine();
    ASSERT_TRUE(recorded.ok());
    EXPECT_EQ(Listed(*recorded), Listed(before));
  }
  auto catalog = archivum::testing::OpenTestCatalog(tmp.path() / "store");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto q = Quarantine::Open(catalog->get());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(Listed((*q)->List()), "c:ocr@3.1:crashed: SIGSEGV a:pdf@1.0:crashed: SIGSEGV");
  EXPECT_EQ(Listed((*q)->List()), Listed(before));
  EXPECT_EQ((*q)->List()[1].path, "/files/a");
  EXPECT_EQ((*q)->List()[1].at_ns, 10);
  EXPECT_TRUE((*q)->Contains(QDigest('a'), "pdf", "1.0"));
  EXPECT_FALSE((*q)->Contains(QDigest('b'), "pdf", "1.0"));
  EXPECT_EQ((*q)->CountFor("ocr", "3.1"), 1u);
}

TEST(PipelineQuarantine, CatalogErrorsFailOpeningAndLeaveMemoryUnchanged) {
  FailingQuarantineCatalog catalog(Unavailable("database is locked"));
  auto refused = Quarantine::Open(&catalog);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);

  catalog.list_ok = true;
  auto q = Quarantine::Open(&catalog);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Status added = (*q)->Add(EntryFor('a', "pdf", "1.0"));
  EXPECT_EQ(added.code(), StatusCode::kUnavailable);
  EXPECT_FALSE((*q)->Contains(QDigest('a'), "pdf", "1.0"));
  EXPECT_EQ((*q)->size(), 0u);
  EXPECT_EQ((*q)->Clear("pdf", "").status().code(), StatusCode::kUnavailable);
}

// Readers run while entries come and go; the final state is exact. (Mostly for the sanitizers.)
TEST(PipelineQuarantine, ReadersRunConcurrentlyWithAddAndClear) {
  auto q = Quarantine::Open(nullptr);
  ASSERT_TRUE(q.ok());
  Quarantine& quarantine = **q;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> observed{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      uint64_t seen = 0;
      while (!done.load()) {
        seen += quarantine.HasEntriesFor("pdf", "1.0") ? 1 : 0;
        seen += quarantine.Contains(QDigest('1'), "pdf", "1.0") ? 1 : 0;
        seen += quarantine.CountFor("pdf", "1.0");
        seen += quarantine.List().size();
      }
      observed += seen;
    });
  }
  const std::string digits = "0123456789abcdef";
  for (int round = 0; round < 20; ++round) {
    // EXPECT, not ASSERT: the readers must be joined below whatever happens.
    for (char d : digits) EXPECT_TRUE(quarantine.Add(EntryFor(d, "pdf", "1.0", round)).ok());
    EXPECT_TRUE(quarantine.Clear("pdf", round % 2 == 0 ? "" : QDigest('1')).ok());
  }
  done = true;
  for (std::thread& t : readers) t.join();
  // The last round cleared only '1'.
  EXPECT_EQ(quarantine.CountFor("pdf", "1.0"), digits.size() - 1);
  EXPECT_FALSE(quarantine.Contains(QDigest('1'), "pdf", "1.0"));
  EXPECT_TRUE(quarantine.Contains(QDigest('f'), "pdf", "1.0"));
}

}  // namespace
}  // namespace archivum::pipeline
