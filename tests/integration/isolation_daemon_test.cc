// Plugin isolation as a user meets it: archivumd with a hostile plugin (tests/plugins/fixtures/
// hostile_*), real files, real gRPC. Each fixture misbehaves on the one file holding the marker:
// the daemon keeps serving, every other file is analyzed, the bad file is cataloged with an error
// finding from that plugin, what the sandbox denies fails, and the content is quarantined: a
// touched or copied file with it is never handed to the plugin again. Shutdown while a plugin
// hangs, and a SIGKILLed daemon, leave no worker behind.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::Daemon;
using testing::DaemonOptions;
using testing::WriteFile;

fs::path FixtureDir(const std::string& plugin) {
  return fs::path(ARCHIVUM_FIXTURE_DIR) / plugin;
}

// The value of `plugin`'s finding `key` on the document at `path`, or "<none>".
std::string Finding(const pb::Document& doc, const std::string& plugin, const std::string& key) {
  for (const auto& f : doc.findings()) {
    if (f.plugin() == plugin && f.key() == key) return f.value();
  }
  return "<none>";
}

// Pids of the processes `pid` started (its threads' children).
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "children");
    for (pid_t child; in >> child;) out.push_back(child);
  }
  return out;
}

// Waits (bounded) for `pid`, which need not be a child, to end: its pidfd becomes readable when
// it exits (also as a zombie nobody has reaped yet). True if it did; also if it is already gone.
bool WaitForExit(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(limit.count() * 1000));
  ::close(fd);
  return ready == 1;
}

class IsolationDaemonTest : public ::testing::Test {
 protected:
  // Starts archivumd with the one plugin hostile_<name>; `settings` go under its settings entry.
  void Start(const std::string& name, const std::string& settings = "",
             const std::string& plugins_yaml = "") {
    plugin_ = "hostile_" + name;
    DaemonOptions opts;
    opts.plugin_dirs = {FixtureDir(plugin_)};
    opts.plugins_yaml = plugins_yaml;
    if (!settings.empty()) {
      opts.plugins_yaml += "  settings:\n    " + plugin_ + ": {" + settings + "}\n";
    }
    std::string error;
    daemon_ = Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    docs_ = daemon_->dir() / "docs";
    for (int i = 0; i < 3; ++i) {
      WriteFile(docs_ / ("ordinary" + std::to_string(i) + ".txt"),
                "an ordinary file number " + std::to_string(i) + "\n");
    }
  }

  pb::IngestSummary Ingest(const fs::path& path) {
    grpc::ClientContext ctx;
    pb::IngestRequest request;
    request.set_path(path.string());
    pb::IngestSummary summary;
    const grpc::Status st = stub_->Ingest(&ctx, request, &summary);
    EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->log();
    return summary;
  }

  pb::Document Get(const fs::path& path) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest request;
    request.set_path(path.string());
    pb::Document doc;
    const grpc::Status st = stub_->GetDocument(&ctx, request, &doc);
    EXPECT_TRUE(st.ok()) << path << ": " << st.error_message();
    return doc;
  }

  pb::PluginInfo Info() {
    grpc::ClientContext ctx;
    pb::ListPluginsResponse list;
    EXPECT_TRUE(stub_->ListPlugins(&ctx, pb::ListPluginsRequest(), &list).ok());
    for (const auto& p : list.plugins()) {
      if (p.name() == plugin_) return p;
    }
    ADD_FAILURE() << plugin_ << " not listed";
    return {};
  }

  pb::ListQuarantineResponse Quarantined() {
    grpc::ClientContext ctx;
    pb::ListQuarantineResponse list;
    EXPECT_TRUE(stub_->ListQuarantine(&ctx, pb::ListQuarantineRequest(), &list).ok());
    return list;
  }

  // Every ordinary file was analyzed by the plugin.
  void ExpectOrdinaryAnalyzed() {
    for (int i = 0; i < 3; ++i) {
      const auto doc = Get(docs_ / ("ordinary" + std::to_string(i) + ".txt"));
      EXPECT_EQ(Finding(doc, plugin_, "seen"), "ok") << doc.path();
    }
  }

  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path docs_;
  std::string plugin_;
};

struct Misbehaviour {
  std::string name;      // hostile_<name>
  std::string settings;  // its plugins.settings entry
  std::string error;     // the error finding the bad file gets ("" : any)
  bool quarantined;      // a crash or a timeout: the content is quarantined
};

class HostilePluginTest : public IsolationDaemonTest,
                          public ::testing::WithParamInterface<Misbehaviour> {};

TEST_P(HostilePluginTest, CostsOneFileAndIsNeverHandedThatContentAgain) {
  const Misbehaviour& m = GetParam();
  Start(m.name, m.settings);
  WriteFile(docs_ / "bad.txt", "ARCHIVUM-HOSTILE\n");
  const auto summary = Ingest(docs_);
  EXPECT_EQ(summary.files_ingested(), 4u);
  EXPECT_EQ(summary.plugin_errors(), 1u) << daemon_->log();
  ExpectOrdinaryAnalyzed();
  const auto bad = Get(docs_ / "bad.txt");
  const std::string error = Finding(bad, plugin_, "error");
  if (m.error.empty()) {
    EXPECT_NE(error, "<none>");
  } else {
    EXPECT_EQ(error, m.error) << daemon_->log();
  }
  EXPECT_EQ(Finding(bad, plugin_, "seen"), "<none>");
  if (!m.quarantined) return;

  const auto list = Quarantined();
  ASSERT_EQ(list.entries_size(), 1) << daemon_->log();
  EXPECT_EQ(list.entries(0).plugin(), plugin_);
  EXPECT_EQ(list.entries(0).path(), (docs_ / "bad.txt").string());
  const pb::PluginInfo before = Info();
  EXPECT_EQ(before.quarantined(), 1u);
  EXPECT_EQ(before.crashes() + before.timeouts(), 1u);

  // The same content, touched and copied under another name: analyzed again, but never handed
  // to the plugin: no new call, no new crash, and the finding says why.
  const timespec later[2] = {{2000000000, 0}, {2000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (docs_ / "bad.txt").c_str(), later, 0), 0);
  WriteFile(docs_ / "copy.txt", "ARCHIVUM-HOSTILE\n");
  const auto again = Ingest(docs_);
  EXPECT_EQ(again.files_ingested(), 2u);
  for (const char* name : {"bad.txt", "copy.txt"}) {
    const auto doc = Get(docs_ / name);
    EXPECT_EQ(Finding(doc, plugin_, "error").rfind("quarantined: ", 0), 0u)
        << name << ": " << Finding(doc, plugin_, "error");
  }
  const pb::PluginInfo after = Info();
  EXPECT_EQ(after.calls(), before.calls());
  EXPECT_EQ(after.crashes(), before.crashes());
  EXPECT_EQ(after.timeouts(), before.timeouts());
  EXPECT_EQ(after.state(), pb::PluginInfo::LOADED);

  // Once the operator clears it, the next ingest hands the content to the plugin again, though
  // neither file changed (and it misbehaves again: quarantined again).
  {
    grpc::ClientContext ctx;
    pb::ClearQuarantineRequest request;
    request.set_plugin(plugin_);
    pb::ClearQuarantineResponse cleared;
    ASSERT_TRUE(stub_->ClearQuarantine(&ctx, request, &cleared).ok());
    EXPECT_EQ(cleared.cleared(), 1u);
  }
  Ingest(docs_);
  const pb::PluginInfo retried = Info();
  EXPECT_GT(retried.crashes() + retried.timeouts(), after.crashes() + after.timeouts());
  EXPECT_EQ(Quarantined().entries_size(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, HostilePluginTest,
    ::testing::Values(Misbehaviour{"segfault", "", "crashed: SIGSEGV", true},
                      Misbehaviour{"abort", "", "crashed: SIGABRT", true},
                      Misbehaviour{"exit0", "", "crashed: exited with status 0", true},
                      Misbehaviour{"busyloop", "timeout: 1s", "timeout after 1s", true},
                      Misbehaviour{"sleep", "timeout: 1s", "timeout after 1s", true},
                      // Its malloc fails under the memory limit and it says so; under the
                      // sanitizers the allocator's limit kills the worker instead.
                      Misbehaviour{"membomb", "memory: 512M", "", false}),
    [](const auto& test) { return test.param.name; });

TEST_F(IsolationDaemonTest, TheSandboxDeniesNetworkFilesExecAndFork) {
  for (const std::string name : {"connect", "readpasswd", "writeout", "exec", "forkbomb"}) {
    SCOPED_TRACE(name);
    daemon_.reset();
    Start(name);
    const std::string port = daemon_->grpc_address().substr(daemon_->grpc_address().rfind(':') + 1);
    const fs::path escape = daemon_->dir() / "escape";
    // connect: the daemon's own port; writeout: a file outside its data directory.
    WriteFile(docs_ / "bad.txt",
              "ARCHIVUM-HOSTILE " + (name == "connect" ? port : escape.string()) + "\n");
    const auto summary = Ingest(docs_);
    EXPECT_EQ(summary.files_ingested(), 4u);
    ExpectOrdinaryAnalyzed();
    const auto bad = Get(docs_ / "bad.txt");
    if (name == "forkbomb") {
      EXPECT_EQ(Finding(bad, plugin_, "forked"), "0");
      continue;
    }
    const std::string key = name == "writeout" ? "writeout" : name;
    EXPECT_EQ(Finding(bad, plugin_, key).rfind("denied: ", 0), 0u) << Finding(bad, plugin_, key);
    if (name == "writeout") {
      EXPECT_FALSE(fs::exists(escape));
      EXPECT_EQ(Finding(bad, plugin_, "writein"), "ok");
    }
  }
}

TEST_F(IsolationDaemonTest, GarbageOnStdoutDoesNotReachTheChannel) {
  Start("stdout");
  WriteFile(docs_ / "bad.txt", "ARCHIVUM-HOSTILE\n");
  const auto summary = Ingest(docs_);
  EXPECT_EQ(summary.files_ingested(), 4u);
  EXPECT_EQ(summary.plugin_errors(), 0u);
  EXPECT_EQ(Finding(Get(docs_ / "bad.txt"), plugin_, "stdout"), "written");
  ExpectOrdinaryAnalyzed();
  EXPECT_EQ(Info().crashes(), 0u);
}

TEST_F(IsolationDaemonTest, SigtermEndsTheDaemonWhileAPluginHangs) {
  // No per-plugin timeout: only shutdown ends the call.
  Start("busyloop", "", "  timeout: 1h\n");
  WriteFile(docs_ / "bad.txt", "ARCHIVUM-HOSTILE\n");
  std::thread ingest([&] {
    grpc::ClientContext ctx;
    pb::IngestRequest request;
    request.set_path((docs_ / "bad.txt").string());
    pb::IngestSummary summary;
    (void)stub_->Ingest(&ctx, request, &summary);  // ends with the daemon
  });
  // The worker is spinning (the fixture says so in the log before its loop). Whatever happens,
  // the daemon is stopped before the ingest thread is joined.
  const bool spinning = daemon_->WaitForLog("hostile_busyloop: spinning", std::chrono::seconds(60));
  const std::vector<pid_t> workers = ChildrenOf(daemon_->pid());
  EXPECT_EQ(daemon_->Stop(SIGTERM), 0) << daemon_->log();
  ingest.join();
  ASSERT_TRUE(spinning) << daemon_->log();
  ASSERT_FALSE(workers.empty());
  for (pid_t w : workers) EXPECT_TRUE(WaitForExit(w)) << w;
}

TEST_F(IsolationDaemonTest, SigkillOfTheDaemonLeavesNoWorker) {
  DaemonOptions opts;
  opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
  std::string error;
  daemon_ = Daemon::Start(opts, &error);
  ASSERT_NE(daemon_, nullptr) << error;
  const std::vector<pid_t> workers = ChildrenOf(daemon_->pid());
  ASSERT_FALSE(workers.empty()) << "the bundled plugins run in a worker";
  daemon_->Stop(SIGKILL);
  for (pid_t w : workers) EXPECT_TRUE(WaitForExit(w)) << w;
}

TEST_F(IsolationDaemonTest, RepeatedCrashesTakeThePluginOutOfService) {
  Start("segfault", "", "  max_crashes: 2\n");
  WriteFile(docs_ / "bad1.txt", "ARCHIVUM-HOSTILE one\n");
  WriteFile(docs_ / "bad2.txt", "ARCHIVUM-HOSTILE two\n");
  Ingest(docs_);
  const pb::PluginInfo info = Info();
  EXPECT_EQ(info.state(), pb::PluginInfo::FAILED);
  EXPECT_NE(info.reason().find("2 crashes within"), std::string::npos) << info.reason();
  EXPECT_EQ(info.crashes(), 2u);
  // The daemon serves on without it.
  WriteFile(docs_ / "later.txt", "after the plugin failed\n");
  EXPECT_EQ(Ingest(docs_ / "later.txt").files_ingested(), 1u);
  EXPECT_EQ(Finding(Get(docs_ / "later.txt"), plugin_, "seen"), "<none>");
}

}  // namespace
}  // namespace archivum
