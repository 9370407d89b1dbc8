// FileManagerImpl::ListQuarantine and ClearQuarantine in process, over a temporary catalog and its
// quarantine with the good fixture plugins: entries as the API gives them, the filters and their
// validation, the catalog cleared with the memory, ListPlugins' `quarantined` count per plugin
// version, the placement fields' mapping, and a service without a quarantine.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/file_manager_fixture.h"
#include "core/proto_mapping.h"

namespace archivum::core {
namespace {

store::QuarantineEntry QuarantinedFor(char digit, std::string plugin, std::string version,
                                      int64_t at_ns) {
  store::QuarantineEntry e;
  e.sha256 = std::string(64, digit);
  e.plugin = std::move(plugin);
  e.plugin_version = std::move(version);
  e.reason = "timeout after 2s";
  e.path = "/files/" + std::string(1, digit) + ".bin";
  e.at_ns = at_ns;
  return e;
}

class FileManagerQuarantineTest : public FileManagerTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Start({plugins::testing::FixtureDir("good")})); }

  // The loaded version of plugin `name`.
  std::string VersionOf(const std::string& name) {
    pb::ListPluginsResponse list;
    EXPECT_TRUE(service_->ListPlugins({}, CallContext{}, &list).ok());
    const pb::PluginInfo* info = plugins::testing::FindByName(list, name);
    EXPECT_NE(info, nullptr) << name;
    return info == nullptr ? "" : info->version();
  }

  pb::ListQuarantineResponse ListQuarantine() {
    pb::ListQuarantineResponse list;
    const Status st = service_->ListQuarantine({}, CallContext{}, &list);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return list;
  }

  Status ClearQuarantine(const std::string& plugin, const std::string& sha256,
                         uint64_t* cleared = nullptr) {
    pb::ClearQuarantineRequest request;
    request.set_plugin(plugin);
    request.set_sha256(sha256);
    pb::ClearQuarantineResponse response;
    const Status st = service_->ClearQuarantine(request, CallContext{}, &response);
    if (cleared != nullptr) *cleared = response.cleared();
    return st;
  }
};

TEST_F(FileManagerQuarantineTest, ListsEntriesNewestFirstWithEveryField) {
  EXPECT_EQ(ListQuarantine().entries_size(), 0);
  ASSERT_TRUE(quarantine_->Add(QuarantinedFor('a', "fixture_c", "1.0", 100)).ok());
  ASSERT_TRUE(quarantine_->Add(QuarantinedFor('b', "fixture_cpp", "2.0", 200)).ok());
  const pb::ListQuarantineResponse list = ListQuarantine();
  ASSERT_EQ(list.entries_size(), 2);
  const pb::QuarantineEntry& newest = list.entries(0);
  EXPECT_EQ(newest.sha256(), std::string(64, 'b'));
  EXPECT_EQ(newest.plugin(), "fixture_cpp");
  EXPECT_EQ(newest.plugin_version(), "2.0");
  EXPECT_EQ(newest.reason(), "timeout after 2s");
  EXPECT_EQ(newest.path(), "/files/b.bin");
  EXPECT_EQ(newest.at_ns(), 200);
  EXPECT_EQ(list.entries(1).plugin(), "fixture_c");
}

TEST_F(FileManagerQuarantineTest, ListPluginsCountsTheEntriesOfEachPluginVersion) {
  const std::string version = VersionOf("fixture_c");
  ASSERT_FALSE(version.empty());
  ASSERT_TRUE(quarantine_->Add(QuarantinedFor('a', "fixture_c", version, 1)).ok());
  ASSERT_TRUE(quarantine_->Add(QuarantinedFor('b', "fixture_c", version, 2)).ok());
  // Another version's entries are not this version's.
  ASSERT_TRUE(quarantine_->Add(QuarantinedFor('c', "fixture_c", version + ".1", 3)).ok());
  pb::ListPluginsResponse list;
  ASSERT_TRUE(service_->ListPlugins({}, CallContext{}, &list).ok());
  for (const pb::PluginInfo& info : list.plugins()) {
    EXPECT_EQ(info.quarantined(), info.name() == "fixture_c" ? 2u : 0u) << info.name();
    // In process, until the process placement fills these.
    EXPECT_EQ(info.crashes(), 0u);
    EXPECT_EQ(info.timeouts(), 0u);
    EXPECT_EQ(info.restarts(), 0u);
  }
}

TEST_F(FileManagerQuarantineTest, ClearFiltersByPluginAndContentAndEmptiesTheCatalogToo) {
  for (const store::QuarantineEntry& e :
       {QuarantinedFor('a', "fixture_c", "1.0", 1), QuarantinedFor('a', "fixture_cpp", "1.0", 2),
        QuarantinedFor('b', "fixture_c", "1.0", 3), QuarantinedFor('c', "fixture_cpp", "1.0", 4)}) {
    ASSERT_TRUE(quarantine_->Add(e).ok());
  }
  uint64_t cleared = 0;
  ASSERT_TRUE(ClearQuarantine("fixture_c", std::string(64, 'A'), &cleared).ok());
  EXPECT_EQ(cleared, 1u);
  ASSERT_TRUE(ClearQuarantine("", std::string(64, 'a'), &cleared).ok());
  EXPECT_EQ(cleared, 1u);
  ASSERT_TRUE(ClearQuarantine("nobody", "", &cleared).ok());
  EXPECT_EQ(cleared, 0u);
  EXPECT_EQ(ListQuarantine().entries_size(), 2);
  ASSERT_TRUE(ClearQuarantine("", "", &cleared).ok());
  EXPECT_EQ(cleared, 2u);
  EXPECT_EQ(ListQuarantine().entries_size(), 0);
  auto recorded = catalog_->ListQuarantine();
  ASSERT_TRUE(recorded.ok());
  EXPECT_TRUE(recorded->empty());
}

TEST_F(FileManagerQuarantineTest, AMalformedDigestIsInvalidArgumentAndClearsNothing) {
  ASSERT_TRUE(quarantine_->Add(QuarantinedFor('a', "fixture_c", "1.0", 1)).ok());
  for (const std::string& bad : {std::string("abc"), std::string(63, 'a') + "z",
                                 std::string(65, 'a'), std::string(64, ' ')}) {
    const Status st = ClearQuarantine("", bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("sha256 must be 64 hex digits"), std::string::npos) << st.message();
  }
  EXPECT_EQ(ListQuarantine().entries_size(), 1);
}

TEST_F(FileManagerQuarantineTest, PlacementFieldsAreMappedForPluginsThatRan) {
  plugins::PluginDescription loaded;
  loaded.name = "pdf";
  loaded.version = "1.0";
  loaded.state = plugins::PluginState::kLoaded;
  loaded.isolation = "process";
  loaded.group = "bundled";
  loaded.sandbox_warnings = {"seccomp unavailable: old kernel"};
  loaded.crashes = 3;
  loaded.timeouts = 2;
  loaded.restarts = 4;
  // Taken out of service after it ran (its crashes are why): FAILED, with its counters.
  plugins::PluginDescription failed = loaded;
  failed.name = "crashy";
  failed.state = plugins::PluginState::kFailed;
  // Refused at load: it never ran, so it has no placement and no counters.
  plugins::PluginDescription refused;
  refused.name = "broken";
  refused.state = plugins::PluginState::kFailed;
  pb::ListPluginsResponse out;
  ToProto(std::vector<plugins::PluginDescription>{loaded, failed, refused}, &out);
  ASSERT_EQ(out.plugins_size(), 3);
  const pb::PluginInfo& pdf = out.plugins(0);
  EXPECT_EQ(pdf.isolation(), "process");
  EXPECT_EQ(pdf.group(), "bundled");
  EXPECT_EQ(pdf.crashes(), 3u);
  EXPECT_EQ(pdf.timeouts(), 2u);
  EXPECT_EQ(pdf.restarts(), 4u);
  ASSERT_EQ(pdf.sandbox_warnings_size(), 1);
  EXPECT_EQ(pdf.sandbox_warnings(0), "seccomp unavailable: old kernel");
  const pb::PluginInfo& crashy = out.plugins(1);
  EXPECT_EQ(crashy.state(), pb::PluginInfo::FAILED);
  EXPECT_EQ(crashy.isolation(), "process");
  EXPECT_EQ(crashy.crashes(), 3u);
  const pb::PluginInfo& broken = out.plugins(2);
  EXPECT_EQ(broken.isolation(), "");
  EXPECT_EQ(broken.crashes(), 0u);
}

class FileManagerWithoutQuarantineTest : public FileManagerTest {};

TEST_F(FileManagerWithoutQuarantineTest, TheQuarantineCallsAreFailedPrecondition) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  FileManagerImpl service(catalog_.get(), registry_.get(), ingest_, spool_dir());
  pb::ListQuarantineResponse list;
  const Status listed = service.ListQuarantine({}, CallContext{}, &list);
  EXPECT_EQ(listed.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(listed.message(), "this server keeps no quarantine");
  pb::ClearQuarantineResponse cleared;
  EXPECT_EQ(service.ClearQuarantine({}, CallContext{}, &cleared).code(),
            StatusCode::kFailedPrecondition);
  // The request is still checked first.
  pb::ClearQuarantineRequest bad;
  bad.set_sha256("xyz");
  EXPECT_EQ(service.ClearQuarantine(bad, CallContext{}, &cleared).code(),
            StatusCode::kInvalidArgument);
  pb::ListPluginsResponse plugins;
  EXPECT_TRUE(service.ListPlugins({}, CallContext{}, &plugins).ok());
}

}  // namespace
}  // namespace archivum::core
