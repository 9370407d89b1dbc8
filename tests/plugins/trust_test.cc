// Plugin trust: files and directories that someone other than the daemon's user or root could
// have written are refused with a reason, and listed as FAILED; trusted copies still load.
#include "plugins/trust.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/proto_mapping.h"
#include "plugins/registry.h"
#include "support/temp_dir.h"
#include "test_util.h"

namespace archivum::plugins {
namespace {

namespace fs = std::filesystem;
namespace pb = aichemist_archivum;
using archivum::testing::TempDir;
using testing::FindByFile;
using testing::FixtureDir;

constexpr char kFixture[] = "fixture_good_c.so";
// An unprivileged uid that is neither root nor (when the suite runs as root) the daemon's.
constexpr uid_t kNobody = 65534;

// A plugin directory holding a copy of one good fixture, owned by the test's user, mode 0755.
class PluginTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    dir_ = tmp_.path() / "plugins";
    fs::create_directory(dir_);
    fs::permissions(dir_, fs::perms(0755));
    file_ = dir_ / kFixture;
    fs::copy_file(FixtureDir("good") / kFixture, file_);
    fs::permissions(file_, fs::perms(0755));
  }

  // The fixture's entry after loading `dir`.
  pb::PluginInfo Load(const fs::path& dir, const std::string& file_name = kFixture) {
    PluginRegistry::Options options;
    options.directories = {dir};
    auto registry = PluginRegistry::Load(options);
    pb::ListPluginsResponse list;
    core::ToProto(registry->Describe(), &list);
    const pb::PluginInfo* info = FindByFile(list, file_name);
    return info ? *info : pb::PluginInfo();
  }

  TempDir tmp_;
  fs::path dir_;
  fs::path file_;
};

TEST_F(PluginTrustTest, TrustedCopyLoads) {
  const pb::PluginInfo info = Load(dir_);
  EXPECT_EQ(info.state(), pb::PluginInfo::LOADED) << info.reason();
  EXPECT_TRUE(CheckPluginFileTrusted(file_, ::geteuid()).ok());
  EXPECT_TRUE(CheckPluginDirectoryTrusted(dir_, ::geteuid()).ok());
}

TEST_F(PluginTrustTest, GroupWritableFileIsRefused) {
  fs::permissions(file_, fs::perms(0775));
  const pb::PluginInfo info = Load(dir_);
  EXPECT_EQ(info.state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(info.reason(), "plugin file " + file_.string() +
                               " is writable by group or others (mode 0775); refusing to load it");
  EXPECT_EQ(info.name(), "fixture_good_c") << "named after the file: it was never opened";
}

TEST_F(PluginTrustTest, WorldWritableFileIsRefused) {
  fs::permissions(file_, fs::perms(0666));
  const pb::PluginInfo info = Load(dir_);
  EXPECT_EQ(info.state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(info.reason(), "plugin file " + file_.string() +
                               " is writable by group or others (mode 0666); refusing to load it");
  const Status st = CheckPluginFileTrusted(file_, ::geteuid());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
}

TEST_F(PluginTrustTest, WritableDirectoryRefusesEveryPluginInIt) {
  fs::copy_file(FixtureDir("good") / "fixture_old_abi.so", dir_ / "fixture_old_abi.so");
  fs::permissions(dir_ / "fixture_old_abi.so", fs::perms(0755));
  fs::permissions(dir_, fs::perms(0777));
  const std::string reason = "plugin directory " + dir_.string() +
                             " is writable by group or others (mode 0777); refusing to load "
                             "plugins from it";
  for (const char* name : {kFixture, "fixture_old_abi.so"}) {
    const pb::PluginInfo info = Load(dir_, name);
    EXPECT_EQ(info.state(), pb::PluginInfo::FAILED) << name;
    EXPECT_EQ(info.reason(), reason) << name;
  }

  fs::permissions(dir_, fs::perms(0770));
  EXPECT_EQ(Load(dir_).state(), pb::PluginInfo::FAILED) << "group-writable counts too";
  // The sticky bit does not help: anyone may still add a library.
  fs::permissions(dir_, fs::perms(01777));
  EXPECT_EQ(Load(dir_).reason(), "plugin directory " + dir_.string() +
                                     " is writable by group or others (mode 1777); refusing "
                                     "to load plugins from it");
}

TEST_F(PluginTrustTest, SymlinkedLibraryIsJudgedByItsTargetAndTheTargetsDirectory) {
  const fs::path links = tmp_.path() / "links";
  fs::create_directory(links);
  fs::permissions(links, fs::perms(0755));
  const fs::path link = links / kFixture;
  fs::create_symlink(file_, link);
  EXPECT_EQ(Load(links).state(), pb::PluginInfo::LOADED) << Load(links).reason();

  fs::permissions(file_, fs::perms(0757));
  EXPECT_EQ(Load(links).reason(),
            "plugin file " + link.string() + " is a symbolic link to " + file_.string() +
                ", which is writable by group or others (mode 0757); refusing to load it");

  fs::permissions(file_, fs::perms(0755));
  fs::permissions(dir_, fs::perms(0777));
  EXPECT_EQ(Load(links).reason(),
            "plugin file " + link.string() + " is a symbolic link into " + dir_.string() +
                ", which is writable by group or others (mode 0777); refusing to load it");
}

TEST_F(PluginTrustTest, FileOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "changing a file's owner needs root; the mode cases above still ran";
  }
  ASSERT_EQ(::chown(file_.c_str(), kNobody, kNobody), 0);
  const pb::PluginInfo info = Load(dir_);
  EXPECT_EQ(info.state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(info.reason(), "plugin file " + file_.string() +
                               " is owned by uid 65534, not by the daemon's user (uid 0) or "
                               "root; refusing to load it");

  ASSERT_EQ(::chown(file_.c_str(), 0, 0), 0);
  ASSERT_EQ(::chown(dir_.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(Load(dir_).reason(), "plugin directory " + dir_.string() +
                                     " is owned by uid 65534, not by the daemon's user (uid 0) "
                                     "or root; refusing to load plugins from it");
}

TEST_F(PluginTrustTest, RootOwnedFilesAreTrustedForAnyDaemonUser) {
  // As seen by a daemon running as uid 65534: files owned by root still pass, its own too.
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  const uid_t owner = st.st_uid;
  EXPECT_TRUE(CheckPluginFileTrusted(file_, owner).ok());
  if (owner == 0) {
    EXPECT_TRUE(CheckPluginFileTrusted(file_, kNobody).ok());
  } else {
    const Status st2 = CheckPluginFileTrusted(file_, kNobody);
    EXPECT_EQ(st2.code(), StatusCode::kPermissionDenied) << st2.message();
  }
}

TEST_F(PluginTrustTest, MissingFileCannotBeExamined) {
  const Status st = CheckPluginFileTrusted(dir_ / "gone.so", ::geteuid());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("gone.so"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace archivum::plugins
