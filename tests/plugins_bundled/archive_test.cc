// The archive plugin's reading: every format it accepts, member names and times, nested
// archives, encryption, damaged and hostile input, cancellation, and how it releases its input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "archive/member_info.h"
#include "common/utf8.h"
#include "plugins_bundled/archive_test_util.h"
#include "support/documents/archive_writer.h"

namespace archivum::bundled::archives::testing {
namespace {

using archivum::testing::ArchiveEntry;
using archivum::testing::ArchiveFormat;
using archivum::testing::Compress;
using archivum::testing::Compression;
using archivum::testing::MakeArchive;
using archivum::testing::MakeEncryptedZip;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kMtime = 1700000000;
constexpr std::string_view kMtimeText = "2023-11-14T22:13:20Z";

// Bytes that no compressor shrinks much (so that truncating a compressed archive cuts into them).
std::string Noise(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(ARCHIVUM_ARCHIVE_FIXTURES) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  EXPECT_TRUE(in.good() || in.eof()) << name;
  return out.str();
}

struct FormatCase {
  const char* label;
  ArchiveFormat format;
  bool directories;  // whether the format holds directories and paths with "/" (ar does not)
};

class ArchiveFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ArchiveFormatTest, StreamsEveryRegularMemberWithItsTime) {
  const FormatCase& c = GetParam();
  std::vector<ArchiveEntry> entries;
  if (c.directories) {
    entries = {{"dir", "", true, kMtime},
               {"dir/a.txt", "alpha contents\n", false, kMtime},
               {"b.bin", Noise(3000, 1), false, kMtime},
               {"dir/empty.txt", "", false, kMtime}};
  } else {
    entries = {{"a.txt", "alpha contents\n", false, kMtime},
               {"b.bin", Noise(3000, 1), false, kMtime},
               {"empty.txt", "", false, kMtime}};
  }
  const std::string archive = MakeArchive(c.format, entries);
  RecordingSink sink;
  const Outcome out = Extract(archive, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;

  std::vector<std::string> expected_names;
  std::vector<const ArchiveEntry*> files;
  for (const auto& e : entries) {
    if (!e.directory) files.push_back(&e);
  }
  ASSERT_EQ(sink.children.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& child = sink.children[i];
    EXPECT_EQ(child.name, files[i]->name);
    EXPECT_EQ(child.bytes, files[i]->bytes) << child.name;
    EXPECT_TRUE(child.streamed);
    EXPECT_FALSE(child.dropped);
    EXPECT_EQ(child.findings.at("modified"), kMtimeText) << child.name;
    EXPECT_TRUE(child.tags.empty());
  }
  EXPECT_EQ(sink.findings.at("members"), std::to_string(files.size()));
  EXPECT_EQ(sink.findings.count("damaged"), 0u);
  EXPECT_TRUE(sink.text.empty());  // a member's text belongs to the member
  EXPECT_TRUE(sink.tags.empty());
  EXPECT_FALSE(sink.child_open());
}

INSTANTIATE_TEST_SUITE_P(Formats, ArchiveFormatTest,
                         ::testing::Values(FormatCase{"Zip", ArchiveFormat::kZip, true},
                                           FormatCase{"ZipStored", ArchiveFormat::kZipStored, true},
                                           FormatCase{"Tar", ArchiveFormat::kTar, true},
                                           FormatCase{"TarGz", ArchiveFormat::kTarGz, true},
                                           FormatCase{"TarBz2", ArchiveFormat::kTarBz2, true},
                                           FormatCase{"TarXz", ArchiveFormat::kTarXz, true},
                                           FormatCase{"TarZst", ArchiveFormat::kTarZst, true},
                                           FormatCase{"TarLz4", ArchiveFormat::kTarLz4, true},
                                           FormatCase{"Cpio", ArchiveFormat::kCpio, true},
                                           FormatCase{"SevenZip", ArchiveFormat::kSevenZip, true},
                                           FormatCase{"Iso9660", ArchiveFormat::kIso9660, true},
                                           FormatCase{"Ar", ArchiveFormat::kAr, false}),
                         [](const ::testing::TestParamInfo<FormatCase>& p) {
                           return p.param.label;
                         });

struct SingleFileCase {
  const char* label;
  Compression compression;
  const char* display_name;
};

class SingleFileTest : public ::testing::TestWithParam<SingleFileCase> {};

TEST_P(SingleFileTest, OneMemberNamedAfterTheContainer) {
  const SingleFileCase& c = GetParam();
  const std::string content = "notes, notes, notes\n" + Noise(5000, 2);
  RecordingSink sink;
  const Outcome out = Extract(Compress(c.compression, content), sink, c.display_name);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_EQ(sink.children.size(), 1u);
  EXPECT_EQ(sink.children[0].name, "notes.txt");
  EXPECT_EQ(sink.children[0].bytes, content);
  EXPECT_EQ(sink.findings.at("members"), "1");
}

INSTANTIATE_TEST_SUITE_P(
    Compressions, SingleFileTest,
    ::testing::Values(SingleFileCase{"Gzip", Compression::kGzip, "dir/notes.txt.gz"},
                      SingleFileCase{"Bzip2", Compression::kBzip2, "notes.txt.bz2"},
                      SingleFileCase{"Xz", Compression::kXz, "notes.txt.xz"},
                      SingleFileCase{"Zstd", Compression::kZstd, "notes.txt.zst"},
                      SingleFileCase{"Lz4", Compression::kLz4, "notes.txt.lz4"},
                      SingleFileCase{"Lzma", Compression::kLzma, "notes.txt.lzma"},
                      SingleFileCase{"Lzip", Compression::kLzip, "notes.txt.lz"},
                      SingleFileCase{"Compress", Compression::kCompress, "notes.txt.Z"}),
    [](const ::testing::TestParamInfo<SingleFileCase>& p) { return p.param.label; });

TEST(SingleFileMemberName, DropsTheCompressionExtension) {
  EXPECT_EQ(SingleFileMemberName("notes.txt.gz"), "notes.txt");
  EXPECT_EQ(SingleFileMemberName("a/b/notes.txt.GZ"), "notes.txt");
  EXPECT_EQ(SingleFileMemberName("x.tgz"), "x.tar");
  EXPECT_EQ(SingleFileMemberName("x.tbz2"), "x.tar");
  EXPECT_EQ(SingleFileMemberName("x.txz"), "x.tar");
  EXPECT_EQ(SingleFileMemberName("x.tar.bz2"), "x.tar");
  EXPECT_EQ(SingleFileMemberName("log.Z"), "log");
  EXPECT_EQ(SingleFileMemberName("blob"), "blob");
  EXPECT_EQ(SingleFileMemberName(".gz"), ".gz");
  EXPECT_EQ(SingleFileMemberName(""), "data");
  EXPECT_EQ(SingleFileMemberName("dir/"), "data");
  EXPECT_EQ(SingleFileMemberName("caf\xe9.gz"), "caf\xef\xbf\xbd");
}

TEST(FormatUtcTime, IsoUtcWithinFourDigitYears) {
  EXPECT_EQ(FormatUtcTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtcTime(kMtime), kMtimeText);
  EXPECT_EQ(FormatUtcTime(-86400), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatUtcTime(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatUtcTime(253402300800), std::nullopt);
  EXPECT_EQ(FormatUtcTime(INT64_MIN), std::nullopt);
  EXPECT_EQ(FormatUtcTime(INT64_MAX), std::nullopt);
}

TEST(ArchiveExtract, TarGzThatHoldsNoArchiveIsOneTarMember) {
  RecordingSink sink;
  const Outcome out = Extract(Compress(Compression::kGzip, "not a tar\n"), sink, "x.tgz");
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_THAT(Names(sink), ElementsAre("x.tar"));
}

TEST(ArchiveExtract, DebianPackageMembers) {
  const std::string control =
      MakeArchive(ArchiveFormat::kTarGz, {{"./control", "Package: demo\nVersion: 1.0\n"}});
  const std::string data = MakeArchive(ArchiveFormat::kTarXz, {{"./usr/bin/demo", "#!/bin/sh\n"}});
  const std::string deb =
      MakeArchive(ArchiveFormat::kAr,
                  {{"debian-binary", "2.0\n"}, {"control.tar.gz", control}, {"data.tar.xz", data}});
  RecordingSink sink;
  const Outcome out = Extract(deb, sink, "demo_1.0_all.deb");
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_THAT(Names(sink), ElementsAre("debian-binary", "control.tar.gz", "data.tar.xz"));
  EXPECT_EQ(sink.children[1].bytes, control);
  EXPECT_EQ(sink.children[2].bytes, data);
}

TEST(ArchiveExtract, NestedArchiveIsAChildWithItsBytesIntact) {
  const std::string inner = MakeArchive(ArchiveFormat::kTarGz,
                                        {{"deep/inner.txt", "inner text\n"}, {"z", Noise(999, 3)}});
  const std::string outer =
      MakeArchive(ArchiveFormat::kZip, {{"readme.txt", "outer\n"}, {"inner.tar.gz", inner}});
  RecordingSink sink;
  const Outcome out = Extract(outer, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_THAT(Names(sink), ElementsAre("readme.txt", "inner.tar.gz"));
  EXPECT_EQ(sink.children[1].bytes, inner);  // opened by its own pass through the pipeline

  RecordingSink nested;
  const Outcome again = Extract(sink.children[1].bytes, nested, "inner.tar.gz");
  ASSERT_EQ(again.rc, ARCHIVUM_OK) << again.error;
  EXPECT_THAT(Names(nested), ElementsAre("deep/inner.txt", "z"));
}

TEST(ArchiveExtract, MemberNamesAsTheArchiveStatesThem) {
  const std::string long_name = std::string(2990, 'n') + "/final.txt";
  ASSERT_EQ(long_name.size(), 3000u);
  const std::vector<ArchiveEntry> entries = {
      {"../../../tmp/x", "dotdot"},
      {"/etc/x", "absolute"},
      {long_name, "long"},
  };
  for (ArchiveFormat format : {ArchiveFormat::kTar, ArchiveFormat::kZip}) {
    RecordingSink sink;
    const Outcome out = Extract(MakeArchive(format, entries), sink);
    ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
    // The host sanitizes "..", a leading "/" and the like; the plugin passes the names on.
    EXPECT_THAT(Names(sink), ElementsAre("../../../tmp/x", "/etc/x", long_name));
    EXPECT_EQ(sink.children[2].bytes, "long");
  }
}

TEST(ArchiveExtract, NamesInAnotherCharsetBecomeValidUtf8) {
  // "Привет.txt" in Windows-1251: not UTF-8, stored as raw bytes.
  const std::string cp1251 = "\xcf\xf0\xe8\xe2\xe5\xf2.txt";
  const std::string replacement = "\xef\xbf\xbd";
  for (ArchiveFormat format : {ArchiveFormat::kTar, ArchiveFormat::kCpio}) {
    RecordingSink sink;
    const Outcome out = Extract(MakeArchive(format, {{cp1251, "privet"}}), sink);
    ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
    ASSERT_EQ(sink.children.size(), 1u);
    EXPECT_EQ(sink.children[0].name, replacement + replacement + replacement + replacement +
                                         replacement + replacement + ".txt");
    EXPECT_EQ(sink.children[0].bytes, "privet");
  }
}

TEST(ArchiveExtract, UnconvertibleNameFallsBackToItsPosition) {
  // libarchive's writer flags this ZIP entry's name as UTF-8 although it is not; the reader then
  // has no name to give (not even the raw bytes), so the member is named after its position.
  const std::string cp1251 = "\xcf\xf0\xe8\xe2\xe5\xf2.txt";
  RecordingSink sink;
  const Outcome out =
      Extract(MakeArchive(ArchiveFormat::kZip, {{"first.txt", "1"}, {cp1251, "privet"}}), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_THAT(Names(sink), ElementsAre("first.txt", "member-2"));
  EXPECT_EQ(sink.children[1].bytes, "privet");
}

TEST(ArchiveExtract, Utf8NamesArriveUnchanged) {
  const std::string name = "d\xc3\xa9j\xc3\xa0/\xe6\x97\xa5\xe6\x9c\xac.txt";  // "déjà/日本.txt"
  for (ArchiveFormat format :
       {ArchiveFormat::kTar, ArchiveFormat::kZip, ArchiveFormat::kSevenZip}) {
    RecordingSink sink;
    const Outcome out = Extract(MakeArchive(format, {{name, "x"}}), sink);
    ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
    EXPECT_THAT(Names(sink), ElementsAre(name));
  }
}

TEST(ArchiveExtract, MembersWithoutATimeGetNoModifiedFinding) {
  RecordingSink sink;
  ASSERT_EQ(Extract(Compress(Compression::kXz, "x"), sink, "x.xz").rc, ARCHIVUM_OK);
  ASSERT_EQ(sink.children.size(), 1u);
  EXPECT_EQ(sink.children[0].findings.count("modified"), 0u);
}

TEST(ArchiveExtract, EncryptedZipMembersAreTaggedChildrenWithoutBytes) {
  const std::string zip =
      MakeEncryptedZip({{"secret.txt", "top secret\n"}, {"plans.txt", "more\n"}}, "passw0rd");
  RecordingSink sink;
  const Outcome out = Extract(zip, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_THAT(Names(sink), ElementsAre("secret.txt", "plans.txt"));
  for (const auto& child : sink.children) {
    EXPECT_THAT(child.tags, ElementsAre("encrypted"));
    EXPECT_TRUE(child.bytes.empty());
    EXPECT_EQ(child.findings.at("modified"), kMtimeText);
  }
  EXPECT_EQ(sink.findings.at("members"), "2");
  EXPECT_TRUE(sink.tags.empty());  // the container itself can be listed
}

TEST(ArchiveExtract, AesEncryptedZipMembersToo) {
  RecordingSink sink;
  const Outcome out = Extract(MakeEncryptedZip({{"a.txt", "aaa"}}, "pw", "aes256"), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_EQ(sink.children.size(), 1u);
  EXPECT_THAT(sink.children[0].tags, ElementsAre("encrypted"));
  EXPECT_TRUE(sink.children[0].bytes.empty());
}

TEST(ArchiveExtract, EncryptedSevenZipData) {
  RecordingSink sink;
  const Outcome out = Extract(ReadFixture("data_encrypted.7z"), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_THAT(Names(sink), ElementsAre("secret.txt"));
  EXPECT_THAT(sink.children[0].tags, ElementsAre("encrypted"));
  EXPECT_TRUE(sink.children[0].bytes.empty());
  EXPECT_EQ(sink.children[0].findings.at("modified"), "2024-01-02T03:04:05Z");
}

TEST(ArchiveExtract, EncryptedHeadersTagTheContainer) {
  RecordingSink sink;
  const Outcome out = Extract(ReadFixture("header_encrypted.7z"), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_TRUE(sink.children.empty());
  EXPECT_THAT(sink.tags, ElementsAre("encrypted"));
  EXPECT_EQ(sink.findings.at("members"), "0");
}

TEST(ArchiveExtract, TruncatedArchiveKeepsTheMembersBeforeTheDamage) {
  const std::string first = "first member, complete\n";
  const std::string tgz =
      MakeArchive(ArchiveFormat::kTarGz, {{"first.txt", first}, {"second.bin", Noise(200000, 4)}});
  RecordingSink sink;
  const Outcome out = Extract(std::string_view(tgz).substr(0, tgz.size() / 2), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_THAT(Names(sink), ElementsAre("first.txt", "second.bin"));
  EXPECT_EQ(sink.children[0].bytes, first);
  EXPECT_EQ(sink.children[0].findings.count("damaged"), 0u);
  // What could be read of the broken member is kept, and said to be damaged.
  EXPECT_GT(sink.children[1].bytes.size(), 0u);
  EXPECT_LT(sink.children[1].bytes.size(), 200000u);
  EXPECT_EQ(sink.children[1].bytes, Noise(200000, 4).substr(0, sink.children[1].bytes.size()));
  EXPECT_FALSE(sink.children[1].findings.at("damaged").empty());
  EXPECT_FALSE(sink.findings.at("damaged").empty());
  EXPECT_EQ(sink.findings.at("members"), "2");
}

TEST(ArchiveExtract, TruncatedZipWithoutItsDirectory) {
  const std::string zip =
      MakeArchive(ArchiveFormat::kZip, {{"one.txt", "one\n"}, {"two.bin", Noise(100000, 5)}});
  RecordingSink sink;
  const Outcome out = Extract(std::string_view(zip).substr(0, zip.size() / 2), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_GE(sink.children.size(), 1u);
  EXPECT_EQ(sink.children[0].name, "one.txt");
  EXPECT_EQ(sink.children[0].bytes, "one\n");
  EXPECT_FALSE(sink.findings.at("damaged").empty());
}

TEST(ArchiveExtract, ArchiveBrokenBeforeAnyMemberIsAnError) {
  const std::string tar = MakeArchive(ArchiveFormat::kTar, {{"a.txt", "aaaa"}});
  RecordingSink sink;
  const Outcome out = Extract(std::string_view(tar).substr(0, 300), sink);  // inside the header
  EXPECT_EQ(out.rc, ARCHIVUM_ERROR);
  EXPECT_THAT(out.error, StartsWith("not a readable archive: "));
  EXPECT_TRUE(sink.children.empty());
}

TEST(ArchiveExtract, RandomBytesAreAnErrorNeverACrash) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    const std::string bytes = Noise(seed * 997 % 70000, seed);
    RecordingSink sink;
    const Outcome out = Extract(bytes, sink);
    EXPECT_EQ(out.rc, ARCHIVUM_ERROR) << "seed " << seed;
    EXPECT_THAT(out.error, StartsWith("not a readable archive: ")) << "seed " << seed;
  }
  RecordingSink empty;
  EXPECT_EQ(Extract("", empty).rc, ARCHIVUM_ERROR);
  RecordingSink text;
  EXPECT_EQ(Extract("plain text is not an archive\n", text).rc, ARCHIVUM_ERROR);
}

TEST(ArchiveExtract, GarbageBehindArchiveMagicNeverCrashes) {
  const std::vector<std::string> magics = {"PK\x03\x04",
                                           "PK\x05\x06",
                                           "7z\xbc\xaf\x27\x1c",
                                           "Rar!\x1a\x07\x00",
                                           "Rar!\x1a\x07\x01\x00",
                                           "\x1f\x8b\x08",
                                           "BZh9",
                                           "\xfd"
                                           "7zXZ",
                                           "\x28\xb5\x2f\xfd",
                                           "\x04\x22\x4d\x18",
                                           "070701",
                                           "!<arch>\n"};
  for (size_t i = 0; i < magics.size(); ++i) {
    const std::string bytes = magics[i] + Noise(4096, static_cast<uint32_t>(100 + i));
    RecordingSink sink;
    const Outcome out = Extract(bytes, sink);
    EXPECT_TRUE(out.rc == ARCHIVUM_OK || out.rc == ARCHIVUM_ERROR) << i << ": " << out.rc;
    if (out.rc == ARCHIVUM_ERROR) {
      EXPECT_FALSE(out.error.empty());
    }
    EXPECT_FALSE(sink.child_open());
  }
}

TEST(ArchiveExtract, CancellationStopsTheWalk) {
  const std::string zip = MakeArchive(
      ArchiveFormat::kZip, {{"a.txt", "a"}, {"b.txt", "b"}, {"c.txt", "c"}, {"d.txt", "d"}});
  TestFile file("c.zip", zip);
  file.CancelAfter(2);
  RecordingSink sink;
  const Outcome out = Extract(file, sink);
  EXPECT_EQ(out.rc, ARCHIVUM_CANCELLED);
  EXPECT_LT(sink.children.size(), 4u);
  EXPECT_EQ(file.cancel_checks(), 3);  // nothing more after the check that said stop
}

TEST(ArchiveExtract, CancellationInsideALargeMember) {
  const std::string tgz = MakeArchive(ArchiveFormat::kTarGz, {{"big", std::string(2 << 20, 'x')}});
  TestFile file("big.tgz", tgz);
  file.CancelAfter(4);  // first header, then per block
  RecordingSink sink;
  EXPECT_EQ(Extract(file, sink).rc, ARCHIVUM_CANCELLED);
  EXPECT_EQ(file.cancel_checks(), 5);
}

TEST(ArchiveExtract, ReleasesTheInputBehindTheReader) {
  // An uncompressed tar, so that the reader's position follows the members. The big member is
  // over the sink's budget (and skipped): this test is about the input, not the output.
  const std::string tar = archivum::testing::MakeArchiveWithZeros(ArchiveFormat::kTar, "big.bin",
                                                                  10 << 20, {{"tail.txt", "t"}});
  TestFile file("big.tar", tar);
  archivum_file raw = *file.get();
  std::vector<std::pair<uint64_t, uint64_t>> released;
  raw.release_ctx = &released;
  raw.release_bytes = [](void* ctx, uint64_t offset, uint64_t length) {
    static_cast<std::vector<std::pair<uint64_t, uint64_t>>*>(ctx)->emplace_back(offset, length);
  };
  RecordingSink sink;
  sink.max_child_bytes = 1 << 20;
  const sdk::File f(&raw);
  sdk::Sink s(sink.get());
  ASSERT_EQ(ExtractMembers(f, s), ARCHIVUM_OK);
  ASSERT_THAT(Names(sink), ElementsAre("big.bin", "tail.txt"));
  EXPECT_EQ(sink.children[1].bytes, "t");
  ASSERT_FALSE(released.empty());
  uint64_t next = 0;
  for (const auto& [offset, length] : released) {
    EXPECT_EQ(offset, next);  // contiguous, from the start, never twice
    EXPECT_GT(length, 0u);
    next = offset + length;
  }
  EXPECT_GE(next, uint64_t{8} << 20);
  EXPECT_LE(next, tar.size());
}

TEST(ArchiveExtract, ConcurrentCallsAreIndependent) {
  const std::string zip =
      MakeArchive(ArchiveFormat::kZip, {{"a.txt", "alpha"}, {"b.bin", Noise(50000, 7)}});
  const std::string tar = MakeArchive(ArchiveFormat::kTarXz, {{"c.txt", "charlie"}});
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        RecordingSink sink;
        const bool even = t % 2 == 0;
        const Outcome out = Extract(even ? zip : tar, sink);
        const size_t expected = even ? 2 : 1;
        if (out.rc == ARCHIVUM_OK && sink.children.size() == expected) ++ok[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(ok[t], 5) << "thread " << t;
}

TEST(ArchiveExtract, SparseMemberHolesArriveAsZeros) {
  const uint64_t size = 3 << 20;
  const std::string tar =
      archivum::testing::MakeSparseTar("sparse.bin", size, (1 << 20) + 3, "hello");
  ASSERT_LT(tar.size(), 64u << 10);  // the holes are not stored
  RecordingSink sink;
  const Outcome out = Extract(tar, sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  ASSERT_THAT(Names(sink), ElementsAre("sparse.bin"));
  std::string expected(size, '\0');
  expected.replace((1 << 20) + 3, 5, "hello");
  EXPECT_TRUE(sink.children[0].bytes == expected)
      << "size " << sink.children[0].bytes.size() << ", \"hello\" at "
      << sink.children[0].bytes.find("hello");
}

TEST(ArchiveExtract, DirectoriesAndEmptyArchivesGiveNoChildren) {
  RecordingSink sink;
  const Outcome out =
      Extract(MakeArchive(ArchiveFormat::kTar, {{"d", "", true}, {"d/e", "", true}}), sink);
  ASSERT_EQ(out.rc, ARCHIVUM_OK) << out.error;
  EXPECT_TRUE(sink.children.empty());
  EXPECT_EQ(sink.findings.at("members"), "0");

  RecordingSink empty_zip;
  const Outcome zip = Extract(MakeArchive(ArchiveFormat::kZip, {}), empty_zip);
  ASSERT_EQ(zip.rc, ARCHIVUM_OK) << zip.error;
  EXPECT_EQ(empty_zip.findings.at("members"), "0");
}

}  // namespace
}  // namespace archivum::bundled::archives::testing
