// The similar plugin: MinHash estimates, the signature store and the query.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.hpp"
#include "plugins_bundled/test_util.h"
#include "similar/minhash.h"
#include "similar/signature_store.h"
#include "similar/similarity_index.h"
#include "support/temp_dir.h"

namespace archivum::bundled::similar {
namespace {

const std::function<bool()> kNeverCancelled = [] { return false; };

const std::string kReport =
    "The quarterly report shows that revenue grew by twelve percent compared to the same "
    "period last year. Operating costs remained stable while the marketing budget was reduced. "
    "The board approved the plan to open two new offices in the northern region and to hire "
    "forty engineers before the end of the year. Customer satisfaction scores improved in every "
    "product line, and the support team resolved most tickets within one business day.";
// The same report with a few words changed.
const std::string kReportEdited =
    "The quarterly report shows that revenue grew by thirteen percent compared to the same "
    "period last year. Operating costs remained stable while the marketing budget was reduced. "
    "The board approved the plan to open two new offices in the northern region and to hire "
    "forty engineers before the end of the year. Customer satisfaction scores improved in every "
    "product line, and the support team resolved almost all tickets within one business day.";
const std::string kRecipe =
    "Preheat the oven to two hundred degrees. Whisk the eggs with sugar until pale, fold in the "
    "flour and melted butter, pour the batter into a greased tin and bake for twenty five minutes "
    "until golden. Let the cake cool before dusting it with icing sugar and serving with cream.";

double Similarity(const std::string& a, const std::string& b) {
  const MinHasher hasher(128, 3);
  return MinHasher::Estimate(hasher.Compute(a, kNeverCancelled)->signature,
                             hasher.Compute(b, kNeverCancelled)->signature);
}

TEST(MinHashTest, WordsAreCaseFoldedAlphanumericRuns) {
  EXPECT_EQ(Words("Hello, WORLD! x2 caf\xc3\xa9--ok"),
            (std::vector<std::string>{"hello", "world", "x2", "caf\xc3\xa9", "ok"}));
  EXPECT_TRUE(Words(" ,.;!? ").empty());
}

TEST(MinHashTest, EstimatesTrackSimilarity) {
  EXPECT_EQ(Similarity(kReport, kReport), 1.0);
  EXPECT_EQ(Similarity(kReport, "THE quarterly, report; " + kReport.substr(21)), 1.0)
      << "case and punctuation are ignored";
  const double near = Similarity(kReport, kReportEdited);
  EXPECT_GE(near, 0.5);
  EXPECT_LT(near, 1.0);
  EXPECT_LT(Similarity(kReport, kRecipe), 0.1);
}

TEST(MinHashTest, SignaturesAreStable) {
  // Signatures are stored on disk: the hash functions must never change silently (bump
  // kAlgorithmVersion if they must).
  EXPECT_EQ(Hash64("", 0), Hash64("", 0));
  EXPECT_NE(Hash64("a", 0), Hash64("a", 1));
  const MinHasher hasher(4, 3);
  const auto result = hasher.Compute("one two three four", kNeverCancelled);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->shingles, 2u);
  EXPECT_EQ(result->signature, MinHasher(4, 3).Compute("one two three four", nullptr)->signature);
}

TEST(MinHashTest, SignatureValuesArePinned) {
  // The stored format: these values come from the byte-at-a-time implementation (fold a copy of
  // each word, then hash it) and must not change when the hashing is made faster. The second
  // text has words longer than 8 bytes in mixed case, digits and non-ASCII bytes.
  const MinHasher hasher(8, 3);
  const auto four = hasher.Compute("one two three four", kNeverCancelled);
  ASSERT_TRUE(four.has_value());
  EXPECT_EQ(four->shingles, 2u);
  EXPECT_EQ(four->signature,
            (Signature{0x7297b5d24eb2346full, 0x3e12231b4bf3b1f3ull, 0xf8cf9af535835a0full,
                       0x808772d7053d9decull, 0x33919213d1f39e31ull, 0xb988f84b0823684aull,
                       0xded9441b0f36a967ull, 0xdc6dd44aeb4fdb99ull}));
  const auto mixed = hasher.Compute(
      "Hello, WORLD! x2 caf\xc3\xa9--ok MixedCase ABCDEFGHIJKLMNOPQRSTUVWXYZ "
      "abcdefghijklmnopqrstuvwxyz0123456789 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e ZZ9",
      kNeverCancelled);
  ASSERT_TRUE(mixed.has_value());
  EXPECT_EQ(mixed->shingles, 8u);
  EXPECT_EQ(mixed->signature,
            (Signature{0x0caca4d072d6e2b9ull, 0x2e54c4cedd1ba635ull, 0x78e81277bff28c58ull,
                       0x6f1c489036a300d1ull, 0x9bfe418f1bcc5e35ull, 0x64e7107ac2360720ull,
                       0xc0002695db88ba73ull, 0xf5efc0720afd89deull}));
  const auto one = hasher.Compute("Short", kNeverCancelled);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->signature,
            (Signature{0x04430f2af610330cull, 0x6491c312c0f34014ull, 0x70d4a3be4eee6422ull,
                       0x00c54fd91cd32a57ull, 0x62b696686a4058ecull, 0xf5e42ea0d89e8eb7ull,
                       0x32d8b8eff4db77fbull, 0x0f5ce3bc0e9660fbull}));
  // Folding is per byte: "SHORT" and "short" are the same word, "Sh0rt" is not.
  EXPECT_EQ(hasher.Compute("SHORT", kNeverCancelled)->signature, one->signature);
  EXPECT_NE(hasher.Compute("Sh0rt", kNeverCancelled)->signature, one->signature);
}

// Words of several kinds and lengths (ASCII, non-ASCII, longer than 8 bytes) between separators
// of several lengths: 2,144 bytes, so words start and end at many offsets within and across the
// 64-byte blocks the scan reads.
std::string LongMixedText() {
  const char* const kWords[] = {"Alpha",
                                "beta9",
                                "GAMMA",
                                "caf\xc3\xa9",
                                "x",
                                "LongIdentifierName42",
                                "__attribute__",
                                "\xe6\x97\xa5\xe6\x9c\xac"};
  const char* const kSeparators[] = {" ", ", ", "\n\t", "(", "::", " -- "};
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += kWords[i * 5 % 8];
    text += std::to_string(i % 13);
    text += kSeparators[i % 6];
  }
  return text;
}

TEST(MinHashTest, LongSignatureValuesArePinned) {
  // Also from the byte-at-a-time implementation: a text long enough for many word boundaries
  // at every offset within 64-byte blocks and for shingles computed several at a time, and its
  // first 640 bytes, which end inside a multibyte word exactly at a block boundary (the next
  // byte, part of the same word, is in the buffer but not in the text).
  const std::string text = LongMixedText();
  ASSERT_EQ(text.size(), 2144u);
  const MinHasher hasher(16, 3);
  const auto full = hasher.Compute(text, kNeverCancelled);
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->shingles, 223u);
  EXPECT_EQ(full->signature,
            (Signature{0x0165f9208bf36cceull, 0x1733faf02bfd610dull, 0x20d7eaf02c451b57ull,
                       0x30240a850e0510b5ull, 0x47146bf43834e445ull, 0x512f0b37e75d3782ull,
                       0x6152e00b64bf24e9ull, 0x70f0182f4f849ee9ull, 0x80d54faeab3fd132ull,
                       0x93c03e6212dcdcc4ull, 0xa2b0dfade00cfc96ull, 0xb2337535a494d5d8ull,
                       0xc1ba53782116cd7eull, 0xd1424b4ef2f2884aull, 0xe20c6f034d54d7e0ull,
                       0xf0e1b567bc583a1cull}));
  const std::string_view prefix = std::string_view(text).substr(0, 640);
  ASSERT_GE(static_cast<unsigned char>(text[639]), 0x80);
  ASSERT_GE(static_cast<unsigned char>(text[640]), 0x80);
  const auto cut = hasher.Compute(prefix, kNeverCancelled);
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->shingles, 65u);
  EXPECT_EQ(cut->signature,
            (Signature{0x0165f9208bf36cceull, 0x18e65702b4a93311ull, 0x20bf72abbf6d1102ull,
                       0x30240a850e0510b5ull, 0x47a3ef813a5b1720ull, 0x512f0b37e75d3782ull,
                       0x660dd22447ec7631ull, 0x7affdf7790c9c4b7ull, 0x80d54faeab3fd132ull,
                       0x93c03e6212dcdcc4ull, 0xa65cbbdac6dcefbaull, 0xb6ae792fd2eb900dull,
                       0xc1ba53782116cd7eull, 0xd1424b4ef2f2884aull, 0xe20c6f034d54d7e0ull,
                       0xf6d37367efb04cadull}));
}

TEST(MinHashTest, WordsMatchAByteAtATimeSplit) {
  // Words() finds words 64 bytes at a time; this byte-by-byte split is the definition. Every
  // byte value, and words of 1..20 bytes ending at every offset around block boundaries, both
  // inside the text and at its end.
  const auto reference = [](std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if ((byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
          (byte >= 'A' && byte <= 'Z') || byte >= 0x80) {
        word += static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte - 'A' + 'a' : byte);
      } else if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
  };
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes += std::string(c % 3 + 1, static_cast<char>(c));
  EXPECT_EQ(Words(all_bytes), reference(all_bytes));
  for (size_t prefix = 0; prefix <= 140; ++prefix) {
    for (size_t length = 1; length <= 20; ++length) {
      std::string text(prefix, '.');
      for (size_t k = 0; k < prefix; k += 7) text[k] = 'Q';
      text += std::string(length, '\xc3') + "Zz9";
      for (const std::string_view view :
           {std::string_view(text), std::string_view(text).substr(0, text.size() - 2)}) {
        ASSERT_EQ(Words(view), reference(view)) << "prefix " << prefix << ", length " << length;
      }
    }
  }
}

TEST(MinHashTest, ShortAndEmptyTexts) {
  const MinHasher hasher(16, 3);
  EXPECT_FALSE(hasher.Compute("", kNeverCancelled).has_value());
  EXPECT_FALSE(hasher.Compute("... !!!", kNeverCancelled).has_value());
  const auto short_text = hasher.Compute("two words", kNeverCancelled);
  ASSERT_TRUE(short_text.has_value());
  EXPECT_EQ(short_text->shingles, 1u);
}

TEST(MinHashTest, EverySlotIsFilledEvenForOneShingle) {
  // One-permutation hashing leaves most bins empty for short texts; densification fills them
  // from the document's own values, so equal texts agree everywhere and different ones almost
  // nowhere.
  const MinHasher hasher(128, 3);
  const auto one = hasher.Compute("two words", kNeverCancelled);
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(one->signature.size(), 128u);
  for (uint64_t slot : one->signature) EXPECT_NE(slot, ~uint64_t{0});
  EXPECT_EQ(MinHasher::Estimate(one->signature,
                                hasher.Compute("TWO, words!", kNeverCancelled)->signature),
            1.0);
  EXPECT_LT(MinHasher::Estimate(one->signature,
                                hasher.Compute("other words", kNeverCancelled)->signature),
            0.1);
}

TEST(MinHashTest, EstimateIsCloseToTheTrueJaccardSimilarity) {
  // Two texts of 400 distinct words sharing the first 300: shingle sets of 398 each with 298 in
  // common, Jaccard 298 / 498 = 0.60. 128 slots give a standard error of about 0.045.
  std::string a, b;
  for (int i = 0; i < 400; ++i) {
    const std::string number = std::to_string(i);
    a.append("w").append(number).append(" ");
    b.append(i < 300 ? "w" : "v").append(number).append(" ");
  }
  const MinHasher hasher(128, 3);
  const double estimate = MinHasher::Estimate(hasher.Compute(a, kNeverCancelled)->signature,
                                              hasher.Compute(b, kNeverCancelled)->signature);
  EXPECT_NEAR(estimate, 298.0 / 498.0, 0.2);
}

TEST(MinHashTest, CancellationIsHonoured) {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "word" + std::to_string(i) + " ";
  const MinHasher hasher(128, 3);
  int polls = 0;
  EXPECT_FALSE(hasher.Compute(big, [&] { return ++polls > 1; }).has_value());
  EXPECT_EQ(polls, 2);
}

class SimilarityIndexTest : public ::testing::Test {
 protected:
  SimilarityIndex Open(Options options = {}) {
    return SimilarityIndex(options, dir_.path().string(),
                           [this](std::string_view message) { log_.emplace_back(message); });
  }
  archivum::testing::TempDir dir_;
  std::vector<std::string> log_;
};

TEST_F(SimilarityIndexTest, FindsNearDuplicatesOnly) {
  SimilarityIndex index = Open();
  EXPECT_EQ(index.Index("/docs/report.txt", kReport, kNeverCancelled).status,
            SimilarityIndex::Status::kStored);
  EXPECT_EQ(index.Index("/docs/report-v2.txt", kReportEdited, kNeverCancelled).status,
            SimilarityIndex::Status::kStored);
  EXPECT_EQ(index.Index("/docs/cake.txt", kRecipe, kNeverCancelled).status,
            SimilarityIndex::Status::kStored);

  const auto hits = index.FindSimilar("/docs/report.txt");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/docs/report-v2.txt");
  EXPECT_GE(hits[0].score, 0.5);
  EXPECT_TRUE(index.FindSimilar("/docs/cake.txt").empty());
}

TEST_F(SimilarityIndexTest, IdenticalCopiesScoreOneAndComeFirst) {
  SimilarityIndex index = Open();
  index.Index("/a", kReport, kNeverCancelled);
  index.Index("/b", kReportEdited, kNeverCancelled);
  index.Index("/c", kReport, kNeverCancelled);
  const auto hits = index.FindSimilar("/a");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].path, "/c");
  EXPECT_EQ(hits[0].score, 1.0);
  EXPECT_EQ(hits[1].path, "/b");
}

TEST_F(SimilarityIndexTest, UnknownPathIsNotFound) {
  SimilarityIndex index = Open();
  try {
    index.FindSimilar("/never/ingested.txt");
    FAIL() << "expected NOT_FOUND";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("/never/ingested.txt"), std::string::npos);
  }
  try {
    index.FindSimilar("");
    FAIL() << "expected INVALID_ARGUMENT";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT);
  }
}

TEST_F(SimilarityIndexTest, ReprocessingReplacesAndEmptyTextRemoves) {
  SimilarityIndex index = Open();
  index.Index("/a", kReport, kNeverCancelled);
  index.Index("/b", kReportEdited, kNeverCancelled);
  EXPECT_EQ(index.FindSimilar("/a").size(), 1u);
  index.Index("/b", kRecipe, kNeverCancelled);  // /b was rewritten as something else
  EXPECT_TRUE(index.FindSimilar("/a").empty());
  EXPECT_EQ(index.Index("/a", "", kNeverCancelled).status, SimilarityIndex::Status::kNoText);
  EXPECT_THROW(index.FindSimilar("/a"), sdk::Error);
}

TEST_F(SimilarityIndexTest, CancelledIndexingWritesNothing) {
  SimilarityIndex index = Open();
  EXPECT_EQ(index.Index("/a", kReport, [] { return true; }).status,
            SimilarityIndex::Status::kCancelled);
  EXPECT_THROW(index.FindSimilar("/a"), sdk::Error);
}

TEST_F(SimilarityIndexTest, SignaturesPersistAcrossRestarts) {
  {
    SimilarityIndex index = Open();
    index.Index("/a", kReport, kNeverCancelled);
    index.Index("/b", kReportEdited, kNeverCancelled);
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / kDatabaseName));
  SimilarityIndex reopened = Open();
  EXPECT_EQ(reopened.FindSimilar("/a").size(), 1u);
  EXPECT_TRUE(log_.empty());
}

TEST_F(SimilarityIndexTest, BatchedWritesAreVisibleAtOnceAndCommittedSoon) {
  const std::string file = (dir_.path() / "store.sqlite3").string();
  auto store = SignatureStore::Open(file, "params", nullptr);
  const Signature signature = {1, 2, 3, 4};
  store->Put("/a", signature);
  EXPECT_EQ(store->Get("/a"), signature) << "the writer sees its open batch";
  // Another connection sees the write once the background committer has run.
  auto count_elsewhere = [&] {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM signatures", -1, &stmt, nullptr);
    int count = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return count;
  };
  store->WaitUntilCommitted();  // by the background committer: nothing else commits here
  EXPECT_EQ(count_elsewhere(), 1);
  // A full batch commits at once; Flush() commits the rest.
  for (size_t i = 0; i < SignatureStore::kBatchWrites + 3; ++i) {
    store->Put("/many/" + std::to_string(i), signature);
  }
  store->Remove("/a");
  store->Flush();
  EXPECT_EQ(count_elsewhere(), static_cast<int>(SignatureStore::kBatchWrites + 3));
  store.reset();
  // Closing commits too.
  auto reopened = SignatureStore::Open(file, "params", nullptr);
  EXPECT_EQ(reopened->Count(), SignatureStore::kBatchWrites + 3);
  EXPECT_FALSE(reopened->Get("/a").has_value());
}

TEST_F(SimilarityIndexTest, ChangedSettingsDropIncomparableSignatures) {
  {
    SimilarityIndex index = Open();
    index.Index("/a", kReport, kNeverCancelled);
  }
  Options other;
  other.num_hashes = 64;
  SimilarityIndex reopened = Open(other);
  EXPECT_THROW(reopened.FindSimilar("/a"), sdk::Error);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find("dropped 1 stored signatures"), std::string::npos) << log_[0];
}

TEST_F(SimilarityIndexTest, ThresholdIsConfigurable) {
  Options strict;
  strict.threshold = 1.0;
  SimilarityIndex index = Open(strict);
  index.Index("/a", kReport, kNeverCancelled);
  index.Index("/b", kReportEdited, kNeverCancelled);
  index.Index("/c", kReport, kNeverCancelled);
  const auto hits = index.FindSimilar("/a");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/c");
}

TEST_F(SimilarityIndexTest, ConcurrentIndexingAndQueries) {
  SimilarityIndex index = Open();
  index.Index("/seed", kReport, kNeverCancelled);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        index.Index("/t" + std::to_string(t) + "/" + std::to_string(i), kReportEdited,
                    kNeverCancelled);
        (void)index.FindSimilar("/seed");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(index.FindSimilar("/seed").size(), 40u);
}

TEST(SimilarConfigTest, ParsesAndValidates) {
  const Options defaults = ParseOptions("{}");
  EXPECT_EQ(defaults.threshold, 0.5);
  EXPECT_EQ(defaults.num_hashes, 128);
  EXPECT_EQ(defaults.shingle, 3);
  const Options custom = ParseOptions(R"({"threshold": 0.8, "num_hashes": 64, "shingle": 5})");
  EXPECT_EQ(custom.threshold, 0.8);
  EXPECT_EQ(custom.num_hashes, 64);
  EXPECT_EQ(custom.shingle, 5);
  EXPECT_EQ(ParseOptions(R"({"threshold": 1})").threshold, 1.0);
  for (const char* bad :
       {R"({"threshold": 0})", R"({"threshold": 1.5})", R"({"threshold": -0.2})",
        R"({"threshold": "high"})", R"({"num_hashes": 0})", R"({"num_hashes": 100000})",
        R"({"num_hashes": 12.5})", R"({"shingle": 0})", R"({"shingles": 3})"}) {
    try {
      ParseOptions(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.code(), ARCHIVUM_INVALID_ARGUMENT);
    }
  }
}

}  // namespace
}  // namespace archivum::bundled::similar
