// The quarantine table of the SQLite catalog (store/sqlite/quarantine.h) through the Catalog
// interface: upserts by (sha256, plugin, plugin_version), newest-first listing, filtered clearing,
// and durability across a reopen.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "open_sqlite_catalog.h"
#include "support/temp_dir.h"

namespace archivum::store::sqlite {
namespace {

QuarantineEntry Quarantined(char digit, std::string plugin, std::string version, int64_t at_ns,
                            std::string reason = "crashed: SIGSEGV") {
  QuarantineEntry e;
  e.sha256 = std::string(64, digit);
  e.plugin = std::move(plugin);
  e.plugin_version = std::move(version);
  e.reason = std::move(reason);
  e.path = "/data/" + std::string(1, digit) + ".bin";
  e.at_ns = at_ns;
  return e;
}

// "digit:plugin@version" of every entry, in the catalog's order.
std::string QuarantineKeys(Catalog& cat) {
  auto entries = cat.ListQuarantine();
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  std::string out;
  if (!entries.ok()) return out;
  for (const QuarantineEntry& e : *entries) {
    if (!out.empty()) out += " ";
    out += e.sha256.substr(0, 1) + ":" + e.plugin + "@" + e.plugin_version;
  }
  return out;
}

TEST(SqliteQuarantine, ListsNewestFirstAndUpsertsByContentPluginAndVersion) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  auto empty = (*cat)->ListQuarantine();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('a', "pdf", "1.0", 100)).ok());
  ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('b', "pdf", "1.0", 300)).ok());
  ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('a', "pdf", "2.0", 200)).ok());
  // Same content, another plugin; and a tie on time, broken by key.
  ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('a', "ocr", "1.0", 200)).ok());
  EXPECT_EQ(QuarantineKeys(**cat), "b:pdf@1.0 a:ocr@1.0 a:pdf@2.0 a:pdf@1.0");

  // The same key again: one entry, with the latest reason, path and time.
  QuarantineEntry again = Quarantined('a', "pdf", "1.0", 400, "timeout after 2s");
  again.path = "upload:copy.bin";
  ASSERT_TRUE((*cat)->AddQuarantine(again).ok());
  EXPECT_EQ(QuarantineKeys(**cat), "a:pdf@1.0 b:pdf@1.0 a:ocr@1.0 a:pdf@2.0");
  auto entries = (*cat)->ListQuarantine();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 4u);
  const QuarantineEntry& first = entries->front();
  EXPECT_EQ(first.sha256, std::string(64, 'a'));
  EXPECT_EQ(first.reason, "timeout after 2s");
  EXPECT_EQ(first.path, "upload:copy.bin");
  EXPECT_EQ(first.at_ns, 400);
}

TEST(SqliteQuarantine, ClearsWhatMatchesBothFiltersAndCountsIt) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  for (const QuarantineEntry& e :
       {Quarantined('a', "pdf", "1.0", 1), Quarantined('a', "pdf", "2.0", 2),
        Quarantined('b', "pdf", "1.0", 3), Quarantined('a', "ocr", "1.0", 4),
        Quarantined('c', "ocr", "1.0", 5)}) {
    ASSERT_TRUE((*cat)->AddQuarantine(e).ok());
  }
  auto none = (*cat)->ClearQuarantine("zip", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  // Both filters: every version of the plugin, that content only.
  auto both = (*cat)->ClearQuarantine("pdf", std::string(64, 'a'));
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(*both, 2u);
  EXPECT_EQ(QuarantineKeys(**cat), "c:ocr@1.0 a:ocr@1.0 b:pdf@1.0");
  auto by_digest = (*cat)->ClearQuarantine("", std::string(64, 'c'));
  ASSERT_TRUE(by_digest.ok());
  EXPECT_EQ(*by_digest, 1u);
  auto by_plugin = (*cat)->ClearQuarantine("ocr", "");
  ASSERT_TRUE(by_plugin.ok());
  EXPECT_EQ(*by_plugin, 1u);
  EXPECT_EQ(QuarantineKeys(**cat), "b:pdf@1.0");
  auto rest = (*cat)->ClearQuarantine("", "");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1u);
  EXPECT_EQ(QuarantineKeys(**cat), "");
}

TEST(SqliteQuarantine, EntriesAndClearsSurviveAReopen) {
  testing::TempDir dir;
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('d', "pdf", "1.0", 10)).ok());
    ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('e', "pdf", "1.0", 20)).ok());
  }
  {
    auto cat = OpenSqliteCatalog(dir.path());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    EXPECT_EQ(QuarantineKeys(**cat), "e:pdf@1.0 d:pdf@1.0");
    auto cleared = (*cat)->ClearQuarantine("", std::string(64, 'e'));
    ASSERT_TRUE(cleared.ok());
    EXPECT_EQ(*cleared, 1u);
  }
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  EXPECT_EQ(QuarantineKeys(**cat), "d:pdf@1.0");
}

// Quarantine writes share the one writer with document commits and leave the documents alone.
TEST(SqliteQuarantine, WritesInterleaveWithDocumentCommits) {
  testing::TempDir dir;
  auto cat = OpenSqliteCatalog(dir.path());
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  DocumentWrite w;
  w.document.path = "/q/kept.txt";
  w.document.size = 4;
  w.text = "kept words";
  ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
  ASSERT_TRUE((*cat)->AddQuarantine(Quarantined('f', "text", "1.0", 1)).ok());
  w.document.path = "/q/next.txt";
  ASSERT_TRUE((*cat)->Commit({w}, {}).ok());
  auto cleared = (*cat)->ClearQuarantine("", "");
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(*cleared, 1u);
  auto all = (*cat)->ListUnder("/q");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

}  // namespace
}  // namespace archivum::store::sqlite
