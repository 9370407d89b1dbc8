// The built archive module through the C ABI, as the host loads it: dlopen, the entry symbol,
// the descriptor, create(), process() into a recording sink, last_error() and destroy().
#include <dlfcn.h>
#include <fnmatch.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/archive_writer.h"

namespace archivum::bundled::archives::testing {
namespace {

using archivum::testing::ArchiveFormat;
using archivum::testing::MakeArchive;
using bundled::testing::RecordingSink;
using bundled::testing::TestFile;
using ::testing::ElementsAre;
using ::testing::StartsWith;

std::string AbiString(archivum_str s) {
  return s.size == 0 ? "" : std::string(s.data, s.size);
}

// The module loaded with the host's flags; one plugin state after Create().
class ArchiveModule {
 public:
  ArchiveModule() {
    handle_ = dlopen(ARCHIVUM_ARCHIVE_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) return;
    const auto entry =
        reinterpret_cast<archivum_plugin_entry_fn>(dlsym(handle_, ARCHIVUM_PLUGIN_ENTRY_SYMBOL));
    if (entry != nullptr) descriptor_ = entry();
    host_.struct_size = sizeof(host_);
    host_.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    host_.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    host_.log = [](void*, archivum_log_level, archivum_str) {};
  }
  ~ArchiveModule() {
    if (state_ != nullptr) descriptor_->destroy(state_);
    if (handle_ != nullptr) dlclose(handle_);
  }
  ArchiveModule(const ArchiveModule&) = delete;
  ArchiveModule& operator=(const ArchiveModule&) = delete;

  const archivum_plugin_descriptor* descriptor() const { return descriptor_; }
  archivum_rc Create(std::string_view config) {
    const archivum_rc rc = descriptor_->create({config.data(), config.size()}, &host_, &state_);
    if (rc != ARCHIVUM_OK) error = AbiString(descriptor_->last_error(nullptr));
    return rc;
  }
  archivum_rc Process(const TestFile& file, RecordingSink& sink) {
    const archivum_rc rc = descriptor_->process(state_, file.get(), sink.get());
    if (rc != ARCHIVUM_OK) error = AbiString(descriptor_->last_error(state_));
    return rc;
  }
  std::string error;

 private:
  void* handle_ = nullptr;
  const archivum_plugin_descriptor* descriptor_ = nullptr;
  archivum_host_api host_{};
  archivum_plugin_state* state_ = nullptr;
};

bool Accepts(const archivum_plugin_descriptor& d, const std::string& mime) {
  for (size_t i = 0; i < d.accept_count; ++i) {
    if (fnmatch(AbiString(d.accept[i]).c_str(), mime.c_str(), FNM_CASEFOLD) == 0) return true;
  }
  return false;
}

TEST(ArchiveAbi, DescriptorDeclaresAnExtractPluginForArchiveTypes) {
  ArchiveModule module;
  ASSERT_NE(module.descriptor(), nullptr) << dlerror();
  const archivum_plugin_descriptor& d = *module.descriptor();
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
  ArchiveModule module;
  ASSERT_NE(module.descriptor(), nullptr) << dlerror();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error;
  const TestFile file("pack.zip",
                      MakeArchive(ArchiveFormat::kZip, {{"a.txt", "alpha"}, {"d/b.txt", "bravo"}}),
                      "application/zip");
  RecordingSink sink;
  ASSERT_EQ(module.Process(file, sink), ARCHIVUM_OK) << module.error;
  ASSERT_EQ(sink.children.size(), 2u);
  EXPECT_EQ(sink.children[0].name, "a.txt");
  EXPECT_EQ(sink.children[0].bytes, "alpha");
  EXPECT_TRUE(sink.children[0].streamed);
  EXPECT_EQ(sink.children[1].name, "d/b.txt");
  EXPECT_EQ(sink.findings.at("members"), "2");
}

TEST(ArchiveAbi, UnreadableInputIsAnErrorWithAReason) {
  ArchiveModule module;
  ASSERT_NE(module.descriptor(), nullptr) << dlerror();
  ASSERT_EQ(module.Create(""), ARCHIVUM_OK) << module.error;
  const TestFile file("junk.zip", std::string(5000, '\x5a'), "application/zip");
  RecordingSink sink;
  EXPECT_EQ(module.Process(file, sink), ARCHIVUM_ERROR);
  EXPECT_THAT(module.error, StartsWith("not a readable archive: "));
}

TEST(ArchiveAbi, UnknownConfigKeysAreRefused) {
  ArchiveModule module;
  ASSERT_NE(module.descriptor(), nullptr) << dlerror();
  EXPECT_EQ(module.Create(R"({"password":"x"})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_FALSE(module.error.empty());
}

}  // namespace
}  // namespace archivum::bundled::archives::testing
