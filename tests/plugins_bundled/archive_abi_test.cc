// The built archive module through the C ABI, as the host loads it: dlopen, the entry symbol,
// the descriptor, create(), process() into a recording sink, last_error() and destroy().
#include <fnmatch.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/archive_writer.h"

namespace archivum::bundled::archives::testing {
namespace {

using archivum::testing::ArchiveFormat;
using archivum::testing::MakeArchive;
using bundled::testing::AbiString;
using bundled::testing::LoadedModule;
using bundled::testing::RecordingSink;
using bundled::testing::TestFile;
using ::testing::ElementsAre;
using ::testing::StartsWith;

bool Accepts(const archivum_plugin_descriptor& d, const std::string& mime) {
  for (size_t i = 0; i < d.accept_count; ++i) {
    if (fnmatch(AbiString(d.accept[i]).c_str(), mime.c_str(), FNM_CASEFOLD) == 0) return true;
  }
  return false;
}

TEST(ArchiveAbi, DescriptorDeclaresAnExtractPluginForArchiveTypes) {
  LoadedModule module(ARCHIVUM_ARCHIVE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "archive");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE);
  EXPECT_EQ(d.query, nullptr);
  // What `file --mime-type` (5.44) says of each format the plugin reads.
  for (const char* mime :
       {"application/zip", "application/x-tar", "application/gzip", "application/x-bzip2",
        "application/x-xz", "application/zstd", "application/x-lz4", "application/x-lzma",
        "application/x-lzip", "application/x-compress", "application/x-7z-compressed",
        "application/x-rar", "application/vnd.rar", "application/x-cpio",
        "application/x-iso9660-image", "application/x-archive",
        "application/vnd.debian.binary-package"}) {
    EXPECT_TRUE(Accepts(d, mime)) << mime;
  }
  // ZIP-based documents belong to the office plugin.
  for (const char* mime :
       {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text", "application/epub+zip", "application/pdf",
        "text/plain", "application/octet-stream"}) {
    EXPECT_FALSE(Accepts(d, mime)) << mime;
  }
}

TEST(ArchiveAbi, ProcessStreamsMembersThroughTheAbi) {
  LoadedModule module(ARCHIVUM_ARCHIVE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  const TestFile file("pack.zip",
                      MakeArchive(ArchiveFormat::kZip, {{"a.txt", "alpha"}, {"d/b.txt", "bravo"}}),
                      "application/zip");
  RecordingSink sink;
  ASSERT_EQ(module.Process(file, sink), ARCHIVUM_OK) << module.error();
  ASSERT_EQ(sink.children.size(), 2u);
  EXPECT_EQ(sink.children[0].name, "a.txt");
  EXPECT_EQ(sink.children[0].bytes, "alpha");
  EXPECT_TRUE(sink.children[0].streamed);
  EXPECT_EQ(sink.children[1].name, "d/b.txt");
  EXPECT_EQ(sink.findings.at("members"), "2");
}

TEST(ArchiveAbi, UnreadableInputIsAnErrorWithAReason) {
  LoadedModule module(ARCHIVUM_ARCHIVE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create(""), ARCHIVUM_OK) << module.error();
  const TestFile file("junk.zip", std::string(5000, '\x5a'), "application/zip");
  RecordingSink sink;
  EXPECT_EQ(module.Process(file, sink), ARCHIVUM_ERROR);
  EXPECT_THAT(module.error(), StartsWith("not a readable archive: "));
}

TEST(ArchiveAbi, UnknownConfigKeysAreRefused) {
  LoadedModule module(ARCHIVUM_ARCHIVE_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"password":"x"})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_FALSE(module.error().empty());
}

}  // namespace
}  // namespace archivum::bundled::archives::testing
