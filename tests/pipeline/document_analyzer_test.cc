// pipeline::DocumentAnalyzer with the good fixture plugins: one document becomes catalog writes
// (its record, findings, tags and text), the members a plugin emits become "outer!/member"
// writes after their container, the depth, member-count and expanded-size limits become "limit"
// findings on the container, and plugin failures are counted with the first one's message.
#include "pipeline/document_analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"
#include "plugins/test_util.h"

namespace archivum::pipeline {
namespace {

using ::testing::ElementsAre;

// fixture_cpp unpacks "%FIX" content into one member per "name=content" line.
constexpr std::string_view kTwoMembers = "%FIX\na.txt=alpha\nsub/b.txt=beta\n";

store::DocumentRecord RecordAt(std::string path) {
  store::DocumentRecord record;
  record.path = std::move(path);
  record.mtime_ns = 123;
  record.ingested_at_ns = 456;
  return record;
}

// The values of the findings (plugin, key) on `write`, in order.
std::vector<std::string> ValuesOf(const store::DocumentWrite& write, std::string_view plugin,
                                  std::string_view key) {
  std::vector<std::string> out;
  for (const auto& f : write.findings) {
    if (f.plugin == plugin && f.key == key) out.push_back(f.value);
  }
  return out;
}

std::vector<std::string> PathsOf(const AnalyzedDocument& doc) {
  std::vector<std::string> out;
  for (const auto& w : doc.writes) out.push_back(w.document.path);
  return out;
}

class DocumentAnalyzerTest : public ::testing::Test {
 protected:
  AnalyzedDocument Analyze(std::string path, std::string_view bytes) {
    const DocumentAnalyzer analyzer(registry_.get(), limits_);
    return analyzer.Analyze(RecordAt(std::move(path)), bytes, CallContext{});
  }

  std::unique_ptr<plugins::PluginRegistry> registry_ =
      plugins::testing::LoadDirs({plugins::testing::FixtureDir("good")});
  config::Ingest limits_;
};

TEST_F(DocumentAnalyzerTest, ADocumentBecomesOneWriteWithItsFindingsTagsAndText) {
  const AnalyzedDocument doc = Analyze("/docs/Notes.TXT", "hello\nworld\n");
  ASSERT_EQ(doc.writes.size(), 1u);
  const store::DocumentWrite& w = doc.writes[0];
  EXPECT_EQ(w.document.path, "/docs/Notes.TXT");
  EXPECT_EQ(w.document.name, "Notes.TXT");
  EXPECT_EQ(w.document.ext, "txt");
  EXPECT_EQ(w.document.size, 12u);
  EXPECT_EQ(w.document.mtime_ns, 123);
  EXPECT_EQ(w.document.mime, "text/plain");
  EXPECT_EQ(w.document.analyzers, "fixture_c@1.2.3,fixture_cpp@2.0.0,fixture_old@0.9");
  EXPECT_EQ(w.document.signature, registry_->Signature());
  EXPECT_EQ(w.text, "hello\nworld\n");
  EXPECT_THAT(ValuesOf(w, "fixture_c", "fixture_c.size"), ElementsAre("12"));
  EXPECT_THAT(ValuesOf(w, "fixture_cpp", "fixture_cpp.lines"), ElementsAre("2"));
  EXPECT_THAT(ValuesOf(w, kHostPlugin, "tag"), ElementsAre("seen-by-c", "seen-by-cpp"));
  EXPECT_EQ(doc.findings, w.findings.size());
  EXPECT_EQ(doc.plugin_errors, 0u);
  EXPECT_EQ(doc.first_error, "");
}

TEST_F(DocumentAnalyzerTest, MembersBecomeOuterBangMemberWritesAfterTheirContainer) {
  const AnalyzedDocument doc = Analyze("/docs/pack.fix", kTwoMembers);
  EXPECT_THAT(PathsOf(doc),
              ElementsAre("/docs/pack.fix", "/docs/pack.fix!/a.txt", "/docs/pack.fix!/sub/b.txt"));
  ASSERT_EQ(doc.writes.size(), 3u);
  const store::DocumentRecord& outer = doc.writes[0].document;
  EXPECT_EQ(outer.mime, "application/x-fixture");
  EXPECT_EQ(outer.parent, "");
  EXPECT_EQ(doc.writes[0].text, "") << "a container's text is its members'";

  const store::DocumentRecord& a = doc.writes[1].document;
  EXPECT_EQ(a.parent, "/docs/pack.fix");
  EXPECT_EQ(a.name, "a.txt");
  EXPECT_EQ(a.ext, "txt");
  EXPECT_EQ(a.size, 5u);
  EXPECT_EQ(a.mime, "text/plain");
  EXPECT_EQ(a.mtime_ns, 123) << "members carry their container's times";
  EXPECT_EQ(a.ingested_at_ns, 456);
  EXPECT_EQ(a.signature, registry_->Signature());
  EXPECT_EQ(doc.writes[1].text, "alpha");
  EXPECT_EQ(doc.writes[2].document.name, "b.txt");
  EXPECT_EQ(doc.writes[2].document.parent, "/docs/pack.fix");
  EXPECT_EQ(doc.writes[2].text, "beta");
  EXPECT_TRUE(ValuesOf(doc.writes[0], kHostPlugin, "limit").empty());
}

TEST_F(DocumentAnalyzerTest, MembersPastMaxDepthBecomeALimitFinding) {
  limits_.max_depth = 0;
  const AnalyzedDocument doc = Analyze("/docs/pack.fix", kTwoMembers);
  EXPECT_THAT(PathsOf(doc), ElementsAre("/docs/pack.fix"));
  EXPECT_THAT(ValuesOf(doc.writes[0], kHostPlugin, "limit"),
              ElementsAre("2 member(s) not analyzed: nesting deeper than ingest.max_depth (0)"));
}

TEST_F(DocumentAnalyzerTest, MembersPastMaxMembersBecomeALimitFinding) {
  limits_.max_members = 1;
  const AnalyzedDocument doc = Analyze("/docs/pack.fix", kTwoMembers);
  EXPECT_THAT(PathsOf(doc), ElementsAre("/docs/pack.fix", "/docs/pack.fix!/a.txt"));
  EXPECT_THAT(ValuesOf(doc.writes[0], kHostPlugin, "limit"),
              ElementsAre("1 member(s) not analyzed: more than ingest.max_members (1)"));
}

TEST_F(DocumentAnalyzerTest, MembersPastMaxExpandedSizeBecomeALimitFinding) {
  limits_.max_expanded_bytes = 6;  // "alpha" fits, "beta" would make 9 bytes
  const AnalyzedDocument doc = Analyze("/docs/pack.fix", kTwoMembers);
  EXPECT_THAT(PathsOf(doc), ElementsAre("/docs/pack.fix", "/docs/pack.fix!/a.txt"));
  EXPECT_THAT(
      ValuesOf(doc.writes[0], kHostPlugin, "limit"),
      ElementsAre(
          "1 member(s) not analyzed: expanded size over ingest.max_expanded_size (6 bytes)"));
}

TEST(SanitizeMemberNameTest, NamesCannotEscapeOrHideAndStayReadable) {
  EXPECT_EQ(SanitizeMemberName("dir/a.txt"), "dir/a.txt");
  EXPECT_EQ(SanitizeMemberName("../../../tmp/x"), "tmp/x");
  EXPECT_EQ(SanitizeMemberName("/etc/x"), "etc/x");
  EXPECT_EQ(SanitizeMemberName("a/./b//c/.."), "a/b/c");
  EXPECT_EQ(SanitizeMemberName("win\\dir\\f.txt"), "win/dir/f.txt");
  EXPECT_EQ(SanitizeMemberName("tab\there\n"), "tab_here_");
  EXPECT_EQ(SanitizeMemberName("caf\xe9.txt"), SanitizeMemberName("caf\xe9.txt"));
  EXPECT_TRUE(IsValidUtf8(SanitizeMemberName("caf\xe9.txt")));
  EXPECT_EQ(SanitizeMemberName("../.."), "member");
  EXPECT_EQ(SanitizeMemberName(""), "member");
  const std::string long_name(3000, 'n');
  EXPECT_EQ(SanitizeMemberName(long_name), long_name);
  EXPECT_EQ(SanitizeMemberName(std::string(kMaxMemberNameBytes + 10, 'n')).size(),
            kMaxMemberNameBytes);
}

TEST(MemberNamesTest, RepeatedNamesGetASuffix) {
  MemberNames names;
  EXPECT_EQ(names.Take("a.txt"), "a.txt");
  EXPECT_EQ(names.Take("a.txt"), "a.txt~2");
  EXPECT_EQ(names.Take("a.txt"), "a.txt~3");
  EXPECT_EQ(names.Take("b.txt"), "b.txt");
}

TEST_F(DocumentAnalyzerTest, StreamedMembersAreSanitizedAndCarryWhatTheirContainerSaid) {
  registry_ = plugins::testing::LoadDirs(
      {plugins::testing::FixtureDir("good"), plugins::testing::FixtureDir("children")});
  const AnalyzedDocument doc = Analyze("/docs/s.bin",
                                       "STREAM\n../../../tmp/x 5 hello\n/etc/x 3 abc\n"
                                       "a.txt 2 hi\na.txt 2 ho\nlocked.zip 0 - encrypted\n");
  EXPECT_THAT(PathsOf(doc),
              ElementsAre("/docs/s.bin", "/docs/s.bin!/tmp/x", "/docs/s.bin!/etc/x",
                          "/docs/s.bin!/a.txt", "/docs/s.bin!/a.txt~2", "/docs/s.bin!/locked.zip"));
  EXPECT_EQ(doc.writes[1].document.parent, "/docs/s.bin");
  EXPECT_EQ(doc.writes[1].document.name, "x");
  EXPECT_EQ(doc.writes[1].document.size, 5u);
  EXPECT_EQ(doc.writes[1].text, "hello") << "a member's own text, read from the spool";
  EXPECT_EQ(doc.writes[4].text, "ho");
  EXPECT_THAT(ValuesOf(doc.writes[1], "fixture_streamer", "modified"),
              ElementsAre("2024-01-02T03:04:05Z"));
  EXPECT_THAT(ValuesOf(doc.writes[5], kHostPlugin, "tag"), ::testing::Contains("encrypted"));
  EXPECT_TRUE(ValuesOf(doc.writes[0], kHostPlugin, "limit").empty());
}

TEST_F(DocumentAnalyzerTest, AStreamedMemberOverTheExpandedSizeIsDroppedAndTheOthersKept) {
  registry_ = plugins::testing::LoadDirs(
      {plugins::testing::FixtureDir("good"), plugins::testing::FixtureDir("children")});
  limits_.max_expanded_bytes = 1 << 20;
  // 2.5 GiB of zeros: refused at its first piece, never spooled.
  const AnalyzedDocument doc =
      Analyze("/docs/bomb.bin", "STREAM\nfirst.txt 4 ok\nzeros.bin 2684354560 0\nlast.txt 4 ok\n");
  EXPECT_THAT(PathsOf(doc), ElementsAre("/docs/bomb.bin", "/docs/bomb.bin!/first.txt",
                                        "/docs/bomb.bin!/last.txt"));
  EXPECT_THAT(
      ValuesOf(doc.writes[0], kHostPlugin, "limit"),
      ElementsAre("1 member(s) not analyzed: expanded size over ingest.max_expanded_size (1048576 "
                  "bytes)"));
}

TEST_F(DocumentAnalyzerTest, PluginFailuresAreCountedOnTheDocumentAndItsMembers) {
  registry_ = plugins::testing::LoadDirs(
      {plugins::testing::FixtureDir("good"), plugins::testing::FixtureDir("broken")});
  const AnalyzedDocument doc = Analyze("/docs/pack.fix", "%FIX\na.txt=alpha\n");
  ASSERT_EQ(doc.writes.size(), 2u);
  // broken_process, broken_throws and broken_throws_raw fail on the container and the member.
  EXPECT_EQ(doc.plugin_errors, 6u);
  EXPECT_EQ(doc.first_error, "broken_process: process failed: corrupt input");
  EXPECT_THAT(ValuesOf(doc.writes[0], "broken_process", "error"),
              ElementsAre("process failed: corrupt input"));
  EXPECT_THAT(ValuesOf(doc.writes[1], "broken_throws", "error"),
              ElementsAre("process failed: boom from Process"));
  EXPECT_EQ(doc.writes[1].text, "alpha") << "the working plugins still ran on the member";
}

TEST_F(DocumentAnalyzerTest, WithoutPluginsOnlyTheMetadataIsRecorded) {
  const DocumentAnalyzer analyzer(nullptr, limits_);
  const AnalyzedDocument doc =
      analyzer.Analyze(RecordAt("/docs/pack.fix"), kTwoMembers, CallContext{});
  ASSERT_EQ(doc.writes.size(), 1u);
  const store::DocumentWrite& w = doc.writes[0];
  EXPECT_EQ(w.document.name, "pack.fix");
  EXPECT_EQ(w.document.ext, "fix");
  EXPECT_EQ(w.document.size, kTwoMembers.size());
  EXPECT_EQ(w.document.mime, "");
  EXPECT_EQ(w.document.signature, "no-plugins");
  EXPECT_TRUE(w.findings.empty());
  EXPECT_EQ(w.text, "");
}

TEST(DocumentNamesTest, ExtensionIsTheLowerCaseLastSuffixOfTheBaseName) {
  EXPECT_EQ(ExtensionOf("archive.TAR.GZ"), "gz");
  EXPECT_EQ(ExtensionOf("/a.d/noext"), "");
  EXPECT_EQ(ExtensionOf(".bashrc"), "");
  EXPECT_EQ(ExtensionOf("trailing."), "");
  EXPECT_EQ(BaseName("a/b/c.txt"), "c.txt");
  EXPECT_EQ(BaseName("plain"), "plain");
}

}  // namespace
}  // namespace archivum::pipeline
