// The process placement against the hostile fixture plugins (tests/plugins/fixtures/hostile_*):
// each misbehaves on the one file that holds the marker and behaves on every other. Whatever it
// does, the caller goes on: the file gets an error finding that names what happened, the files
// after it are analyzed by a fresh worker, and nothing the sandbox denies succeeds.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "pipeline/stages.h"
#include "plugins/test_util.h"
#include "support/temp_dir.h"

namespace archivum::plugins {
namespace {

using archivum::testing::TempDir;
using testing::FindingValue;
using testing::FixtureDir;
using testing::TextFile;

constexpr std::string_view kNormal = "an ordinary file\n";

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::CurrentPlacementMode() = testing::PlacementMode::kProcess; }
  void TearDown() override { testing::CurrentPlacementMode() = testing::PlacementMode::kInProcess; }

  // Loads the one fixture `hostile_<name>` in a worker.
  void Load(const std::string& name, config::PluginSettings settings = {}) {
    plugin_ = "hostile_" + name;
    std::map<std::string, config::PluginSettings> all{{plugin_, settings}};
    registry_ = testing::LoadDirs({FixtureDir(plugin_)}, all, data_.path());
    ASSERT_EQ(registry_->loaded_count(), 1u) << "fixture " << plugin_ << " did not load";
  }

  pipeline::ProcessResult Run(std::string_view bytes, std::string path = "/docs/a.txt") {
    return pipeline::Stages(*registry_).Process(TextFile(bytes, std::move(path)));
  }

  // The ordinary file is analyzed (before or after the hostile one).
  void ExpectHealthy() {
    const auto r = Run(kNormal, "/docs/ordinary.txt");
    EXPECT_EQ(FindingValue(r, plugin_, "seen"), "ok");
    EXPECT_EQ(r.errors, 0u);
  }

  const PluginDescription& Described() {
    described_ = registry_->Describe();
    return described_.at(0);
  }

  TempDir data_;
  std::string plugin_;
  std::unique_ptr<PluginRegistry> registry_;
  std::vector<PluginDescription> described_;
};

TEST_F(IsolationTest, SegfaultCostsOneFile) {
  Load("segfault");
  ExpectHealthy();
  const auto r = Run("ARCHIVUM-HOSTILE\n", "/docs/bad.txt");
  EXPECT_EQ(FindingValue(r, plugin_, "error"), "crashed: SIGSEGV");
  EXPECT_EQ(FindingValue(r, plugin_, "seen"), "<none>");
  EXPECT_EQ(r.errors, 1u);
  ExpectHealthy();
  const auto& d = Described();
  EXPECT_EQ(d.isolation, "process");
  EXPECT_EQ(d.group, plugin_);
  EXPECT_EQ(d.crashes, 1u);
  EXPECT_EQ(d.restarts, 1u);
  EXPECT_EQ(d.state, PluginState::kLoaded);
}

TEST_F(IsolationTest, AbortIsNamed) {
  Load("abort");
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "error"), "crashed: SIGABRT");
  ExpectHealthy();
}

TEST_F(IsolationTest, ExitInsideProcessIsACrash) {
  Load("exit0");
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "error"), "crashed: exited with status 0");
  ExpectHealthy();
}

TEST_F(IsolationTest, BusyLoopIsKilledAtItsTimeout) {
  config::PluginSettings settings;
  settings.timeout = std::chrono::milliseconds(300);
  Load("busyloop", settings);
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "error"), "timeout after 300ms");
  ExpectHealthy();
  const auto& d = Described();
  EXPECT_EQ(d.timeouts, 1u);
  EXPECT_EQ(d.crashes, 0u);
}

TEST_F(IsolationTest, SleepInASystemCallIsKilledAtItsTimeout) {
  config::PluginSettings settings;
  settings.timeout = std::chrono::milliseconds(300);
  Load("sleep", settings);
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "error"), "timeout after 300ms");
  ExpectHealthy();
}

TEST_F(IsolationTest, CancellationStopsAHungCall) {
  Load("busyloop");  // no timeout: only the caller's cancellation ends it
  FileInput file = TextFile("ARCHIVUM-HOSTILE\n");
  std::atomic<int> polls{0};
  file.cancelled = [&polls] { return polls.fetch_add(1) > 2; };
  const auto r = pipeline::Stages(*registry_).Process(file);
  EXPECT_TRUE(r.cancelled);
  ExpectHealthy();
  EXPECT_EQ(Described().crashes, 0u);
}

TEST_F(IsolationTest, MemoryBombHitsTheLimit) {
  config::PluginSettings settings;
  settings.memory = uint64_t{512} << 20;
  Load("membomb", settings);
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  // With an address-space limit the bomb's malloc fails and it reports it; where the limit
  // cannot apply (sanitizers) the allocator kills the worker instead. Either way: an error.
  EXPECT_NE(FindingValue(r, plugin_, "error"), "<none>");
  ExpectHealthy();
}

TEST_F(IsolationTest, ForkIsDenied) {
  Load("forkbomb");
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "forked"), "0");
  ExpectHealthy();
}

TEST_F(IsolationTest, ExecIsDenied) {
  Load("exec");
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "exec").rfind("denied: ", 0), 0u)
      << FindingValue(r, plugin_, "exec");
  ExpectHealthy();
}

TEST_F(IsolationTest, NetworkIsDenied) {
  // A listening socket the plugin would reach if it could.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  Load("connect");
  const auto r = Run("ARCHIVUM-HOSTILE " + std::to_string(ntohs(address.sin_port)) + "\n");
  EXPECT_EQ(FindingValue(r, plugin_, "connect").rfind("denied: ", 0), 0u)
      << FindingValue(r, plugin_, "connect");
  ::close(listener);
}

TEST_F(IsolationTest, FilesOutsideWhatItIsHandedAreDenied) {
  Load("readpasswd");
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "readpasswd").rfind("denied: ", 0), 0u)
      << FindingValue(r, plugin_, "readpasswd");
}

TEST_F(IsolationTest, WritesOnlyInsideItsDataDirectory) {
  TempDir outside;
  Load("writeout");
  const auto escape = outside.path() / "escape";
  const auto r = Run("ARCHIVUM-HOSTILE " + escape.string() + "\n");
  EXPECT_EQ(FindingValue(r, plugin_, "writeout").rfind("denied: ", 0), 0u)
      << FindingValue(r, plugin_, "writeout");
  EXPECT_FALSE(std::filesystem::exists(escape));
  EXPECT_EQ(FindingValue(r, plugin_, "writein"), "ok");
  EXPECT_TRUE(std::filesystem::exists(data_.path() / plugin_ / "inside"));
}

TEST_F(IsolationTest, GarbageOnStdoutCannotReachTheChannel) {
  Load("stdout");
  const auto r = Run("ARCHIVUM-HOSTILE\n");
  EXPECT_EQ(FindingValue(r, plugin_, "stdout"), "written");
  EXPECT_EQ(r.errors, 0u);
  ExpectHealthy();
}

TEST_F(IsolationTest, RepeatedCrashesTakeThePluginOutOfService) {
  Load("segfault");
  for (int i = 0; i < 3; ++i) {
    const auto r = Run("ARCHIVUM-HOSTILE\n");
    EXPECT_EQ(FindingValue(r, plugin_, "error"), "crashed: SIGSEGV");
  }
  const auto& d = Described();
  EXPECT_EQ(d.state, PluginState::kFailed);
  EXPECT_NE(d.reason.find("3 crashes within"), std::string::npos) << d.reason;
  // Out of service: no longer routed, so the next file gets nothing from it.
  const auto r = Run(kNormal);
  EXPECT_EQ(FindingValue(r, plugin_, "seen"), "<none>");
}

}  // namespace
}  // namespace archivum::plugins
