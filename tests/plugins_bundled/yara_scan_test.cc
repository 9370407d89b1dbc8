// The yara plugin scanning files through its built module: which files a rule matches, the
// findings of a match (rule, tags, meta), rule directories, the externals, the limits on
// findings, cancellation and deadlines, and concurrent scans on one instance.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"
#include "plugins_bundled/yara_test_util.h"
#include "support/temp_dir.h"

namespace archivum::bundled {
namespace {

using archivum::testing::TempDir;
using testing::CreateYara;
using testing::FindingLines;
using testing::FindingValues;
using testing::LoadedModule;
using testing::RecordingSink;
using testing::TestFile;
using testing::YaraConfig;
using Lines = std::vector<std::string>;

// Rule files in a temporary directory and the module created on them.
class YaraScanTest : public ::testing::Test {
 protected:
  // Creates the module on `paths` (default: every rule file written so far, via the directory).
  void Create(std::vector<std::filesystem::path> paths = {}) {
    if (paths.empty()) paths = {dir_.path()};
    archivum_rc rc = ARCHIVUM_OK;
    std::string error;
    module_ = CreateYara(YaraConfig(paths), &rc, &error);
    ASSERT_EQ(rc, ARCHIVUM_OK) << error;
  }
  std::filesystem::path Rules(std::string_view relative, std::string_view text) {
    return dir_.Write(relative, text);
  }
  // The findings of a scan of `bytes` at `path`, as "key=value" lines; fails the test unless OK.
  Lines Scan(std::string_view bytes, std::string path = "/docs/file.bin", std::string mime = "") {
    TestFile file(std::move(path), bytes, std::move(mime));
    RecordingSink sink;
    const archivum_rc rc = module_->Process(file, sink);
    EXPECT_EQ(rc, ARCHIVUM_OK) << module_->error();
    return FindingLines(sink);
  }

  TempDir dir_;
  std::unique_ptr<LoadedModule> module_;
};

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

TEST_F(YaraScanTest, ARuleMatchesTheFileThatHasItsStringsAndNotAnother) {
  Rules("invoice.yar", R"(
rule invoice_number {
  strings:
    $number = /INV-[0-9]{6}/
    $word = "invoice" nocase
  condition:
    $number and $word
}
rule pdf_header {
  strings:
    $magic = { 25 50 44 46 2D }
  condition:
    $magic at 0
}
)");
  Create();
  EXPECT_EQ(Scan("Invoice INV-123456 due in 30 days"), Lines{"rule=invoice_number"});
  EXPECT_EQ(Scan("%PDF-1.7 ... INVOICE inv-000001 ... INV-654321"),
            (Lines{"rule=invoice_number", "rule=pdf_header"}));
  EXPECT_EQ(Scan("a quote, not an invoice: INV-12"), Lines{});
  EXPECT_EQ(Scan("text then %PDF-1.7 not at 0"), Lines{});
}

TEST_F(YaraScanTest, TagsAndMetaOfAMatchingRuleAreFindingsToo) {
  Rules("meta.yar", R"(
rule tagged : malware trojan {
  meta:
    author = "Jane Doe"
    severity = 7
    verified = true
    note = "caf\xc3\xa9 \xff"
  strings:
    $a = "evil payload"
  condition:
    $a
}
rule quiet { condition: false }
)");
  Create();
  EXPECT_EQ(Scan("an evil payload here"),
            (Lines{"rule=tagged", "tag=malware", "tag=trojan", "meta.author=Jane Doe",
                   "meta.severity=7", "meta.verified=true", "meta.note=caf\xc3\xa9 \xef\xbf\xbd"}));
  EXPECT_EQ(Scan("nothing"), Lines{});
}

TEST_F(YaraScanTest, CountingConditionsAreExact) {
  Rules("count.yar", R"(
rule exactly_three { strings: $a = "ab" condition: #a == 3 }
rule at_least_four { strings: $a = "ab" condition: #a >= 4 }
rule small_mz { condition: uint16(0) == 0x5A4D and filesize < 100 }
)");
  Create();
  EXPECT_EQ(Scan("ab..ab..ab"), Lines{"rule=exactly_three"});
  EXPECT_EQ(Scan("MZab.ab.ab.ab"), (Lines{"rule=at_least_four", "rule=small_mz"}));
  EXPECT_EQ(Scan("MZ" + std::string(200, 'x')), Lines{});
}

TEST_F(YaraScanTest, PrivateRulesServeOtherRulesButAreNotReported) {
  Rules("private.yar", R"(
private rule has_key { strings: $k = "KEY" condition: $k }
rule key_and_lock { strings: $l = "LOCK" condition: has_key and $l }
)");
  Create();
  EXPECT_EQ(Scan("KEY LOCK"), Lines{"rule=key_and_lock"});
  EXPECT_EQ(Scan("KEY alone"), Lines{});
}

TEST_F(YaraScanTest, EveryRuleFileOfADirectoryApplies) {
  Rules("first.yar", R"(rule first_rule { strings: $a = "alpha" condition: $a })");
  Rules("nested/deeper/second.YARA", R"(
rule second_rule { strings: $b = "beta" condition: $b and first_rule }
)");
  Rules("nested/notes.txt", "not rules { at all");
  Create({dir_.path()});
  EXPECT_EQ(Scan("alpha"), Lines{"rule=first_rule"});
  EXPECT_EQ(Scan("alpha beta"), (Lines{"rule=first_rule", "rule=second_rule"}));
  EXPECT_EQ(Scan("beta"), Lines{});
}

TEST_F(YaraScanTest, FilesAndDirectoriesMixAndAFileNeedsNoRuleExtension) {
  const auto loose = Rules("loose.rules", R"(rule loose { strings: $a = "gamma" condition: $a })");
  Rules("dir/one.yar", R"(rule one { strings: $a = "delta" condition: $a })");
  Create({loose, dir_.path() / "dir"});
  EXPECT_EQ(Scan("gamma delta"), (Lines{"rule=loose", "rule=one"}));
}

TEST_F(YaraScanTest, ExternalsDescribeTheFile) {
  Rules("externals.yar", R"(
rule named_invoice { condition: filename == "Invoice.PDF" }
rule pdf_extension { condition: extension == ".pdf" }
rule under_docs { condition: filepath matches /^\/docs\// }
rule pdf_mime { condition: mime == "application/pdf" }
)");
  Create();
  EXPECT_EQ(
      Scan("x", "/docs/Invoice.PDF", "application/pdf"),
      (Lines{"rule=named_invoice", "rule=pdf_extension", "rule=under_docs", "rule=pdf_mime"}));
  EXPECT_EQ(Scan("x", "/srv/other.txt", "text/plain"), Lines{});
  // An archive member: its name is the member's own, its path the catalog's.
  EXPECT_EQ(Scan("x", "/srv/bundle.zip!/dir/Invoice.PDF"),
            (Lines{"rule=named_invoice", "rule=pdf_extension"}));
  EXPECT_EQ(Scan("x", "/docs/noext"), Lines{"rule=under_docs"});
}

TEST_F(YaraScanTest, FindingsStopCleanlyAtTheHostsLimit) {
  std::string rules;
  for (int i = 0; i < 5; ++i) {
    rules += "rule r" + std::to_string(i) + " : t1 t2 { condition: true }\n";
  }
  Rules("many.yar", rules);
  Create();
  TestFile file("/docs/a", "anything");
  RecordingSink sink;
  sink.max_findings = 4;
  ASSERT_EQ(module_->Process(file, sink), ARCHIVUM_OK) << module_->error();
  EXPECT_EQ(FindingLines(sink), (Lines{"rule=r0", "tag=t1", "tag=t2", "rule=r1"}));
  ASSERT_FALSE(sink.logs.empty());
  EXPECT_NE(sink.logs.back().message.find("not reported: the host's output limit"),
            std::string::npos)
      << sink.logs.back().message;

  // The next call (which may reuse the stopped scan's scanner) reports everything.
  RecordingSink all;
  ASSERT_EQ(module_->Process(file, all), ARCHIVUM_OK) << module_->error();
  EXPECT_EQ(all.finding_list.size(), 15u);
  EXPECT_TRUE(all.logs.empty());
}

TEST_F(YaraScanTest, AStringWithTooManyMatchesIsReportedAndTheScanGoesOn) {
  Rules("many_matches.yar", R"(
rule lots_of_a { strings: $a = "a" condition: #a > 10 }
rule other { strings: $z = "zzz" condition: $z }
)");
  Create();
  TestFile file("/docs/a", std::string(1100000, 'a') + "zzz");
  RecordingSink sink;
  ASSERT_EQ(module_->Process(file, sink), ARCHIVUM_OK) << module_->error();
  EXPECT_EQ(FindingValues(sink, "too_many_matches"), Lines{"lots_of_a:$a"});
  EXPECT_EQ(FindingValues(sink, "rule"), (Lines{"lots_of_a", "other"}));
}

// A condition that runs for half a minute or more (10^9 iterations) and is false in the end, so
// that only a scan that was really stopped can report the call as cancelled.
constexpr char kSlowRule[] = R"(
rule slow_loop { condition: for any i in (0..1000000000) : ( i < 0 ) }
)";

TEST_F(YaraScanTest, ACancelledScanStopsWithCancelled) {
  Rules("slow.yar", kSlowRule);
  Create();
  TestFile file("/docs/a", "some bytes");
  file.CancelAfter(2);  // the host cancels the call after it has started
  RecordingSink sink;
  EXPECT_EQ(module_->Process(file, sink), ARCHIVUM_CANCELLED) << module_->error();
  EXPECT_GT(file.cancel_checks(), 2) << "the plugin asked during the scan";
  EXPECT_TRUE(sink.finding_list.empty());
}

TEST_F(YaraScanTest, AScanPastItsDeadlineStopsWithCancelled) {
  Rules("slow.yar", kSlowRule);
  Create();
  TestFile file("/docs/a", "some bytes");
  file.SetDeadlineNs(NowNs() + 200'000'000);  // 200 ms: well before the loop ends
  RecordingSink sink;
  EXPECT_EQ(module_->Process(file, sink), ARCHIVUM_CANCELLED) << module_->error();

  TestFile late("/docs/a", "some bytes");
  late.SetDeadlineNs(NowNs() - 1);
  EXPECT_EQ(module_->Process(late, sink), ARCHIVUM_CANCELLED) << module_->error();
}

TEST_F(YaraScanTest, ConcurrentScansOnOneInstanceGetTheirOwnFindings) {
  Rules("threads.yar", R"(
rule red : colour { meta: hex = "ff0000" strings: $r = "red" condition: $r }
rule blue : colour { strings: $b = "blue" condition: $b and filename == "b.txt" }
)");
  Create();
  ASSERT_NE(module_->descriptor().flags & ARCHIVUM_FLAG_THREAD_SAFE, 0u);
  constexpr int kThreads = 4;
  constexpr int kFiles = 50;
  std::vector<std::vector<std::string>> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFiles; ++i) {
        const int kind = (t + i) % 3;
        const std::string name = kind == 2 ? "/d/b.txt" : "/d/a.txt";
        const std::string bytes = kind == 0 ? "red" : kind == 1 ? "blue" : "red and blue";
        const Lines expected = kind == 0   ? Lines{"rule=red", "tag=colour", "meta.hex=ff0000"}
                               : kind == 1 ? Lines{}
                                           : Lines{"rule=red", "tag=colour", "meta.hex=ff0000",
                                                   "rule=blue", "tag=colour"};
        TestFile file(name, bytes);
        RecordingSink sink;
        std::string error;
        const archivum_rc rc = module_->ProcessConcurrently(file, sink, &error);
        if (rc != ARCHIVUM_OK || FindingLines(sink) != expected) {
          failures[t].push_back(name + " " + bytes + ": rc " + std::to_string(rc) + " " + error);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], Lines{}) << "thread " << t;
}

TEST_F(YaraScanTest, TwoInstancesAtOnceShareLibyaraSafely) {
  Rules("one.yar", R"(rule one { strings: $a = "one" condition: $a })");
  Create();
  TempDir other_dir;
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;
  auto other = CreateYara(
      YaraConfig({other_dir.Write("two.yar", R"(rule two { condition: true })")}), &rc, &error);
  ASSERT_EQ(rc, ARCHIVUM_OK) << error;
  other.reset();  // the first instance's rules stay usable after the second finalizes
  EXPECT_EQ(Scan("one"), Lines{"rule=one"});
}

}  // namespace
}  // namespace archivum::bundled
