// The quarantine on the real daemon, over gRPC, the HTTP gateway and the `archivum` CLI: an empty
// one, entries a previous run left in the store (written into the catalog file between two
// runs, as the pipeline records them), their counts in ListPlugins, clearing with each filter,
// and that what was cleared stays cleared after a restart.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "api/http/http_client.h"
#include "support/daemon.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
namespace ht = http_testing;
using nlohmann::json;
using testing::Daemon;
using testing::DaemonOptions;

class QuarantineDaemonTest : public ::testing::Test {
 protected:
  // A daemon with the bundled plugins and the gateway, on the store under the test's directory.
  std::unique_ptr<Daemon> StartDaemon() {
    DaemonOptions opts;
    opts.http = true;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.extra_args = {"--store", store().string()};
    std::string error;
    auto daemon = Daemon::Start(opts, &error);
    EXPECT_NE(daemon, nullptr) << error;
    return daemon;
  }

  fs::path store() const { return scratch_.path() / "store"; }

  // The version of the bundled plugin `name` as `daemon` loaded it.
  static std::string LoadedVersion(const Daemon& daemon, const std::string& name) {
    const pb::ListPluginsResponse list = ListPlugins(daemon);
    for (const pb::PluginInfo& info : list.plugins()) {
      if (info.name() == name) return info.version();
    }
    ADD_FAILURE() << name << " is not loaded";
    return "";
  }

  static pb::ListPluginsResponse ListPlugins(const Daemon& daemon) {
    grpc::ClientContext ctx;
    pb::ListPluginsResponse response;
    const grpc::Status st = pb::FileManager::NewStub(daemon.channel())
                                ->ListPlugins(&ctx, pb::ListPluginsRequest(), &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return response;
  }

  static uint64_t QuarantinedCount(const Daemon& daemon, const std::string& plugin) {
    const pb::ListPluginsResponse list = ListPlugins(daemon);
    for (const pb::PluginInfo& info : list.plugins()) {
      if (info.name() == plugin) return info.quarantined();
    }
    return 0;
  }

  static grpc::Status ListQuarantine(const Daemon& daemon, pb::ListQuarantineResponse* response) {
    grpc::ClientContext ctx;
    return pb::FileManager::NewStub(daemon.channel())
        ->ListQuarantine(&ctx, pb::ListQuarantineRequest(), response);
  }

  static grpc::Status ClearQuarantine(const Daemon& daemon, const std::string& plugin,
                                      const std::string& sha256, uint64_t* cleared) {
    grpc::ClientContext ctx;
    pb::ClearQuarantineRequest request;
    request.set_plugin(plugin);
    request.set_sha256(sha256);
    pb::ClearQuarantineResponse response;
    const grpc::Status st =
        pb::FileManager::NewStub(daemon.channel())->ClearQuarantine(&ctx, request, &response);
    *cleared = response.cleared();
    return st;
  }

  static ht::Response Http(const Daemon& daemon, ht::http::verb verb, const std::string& target,
                           std::string body = {}) {
    return ht::Fetch(daemon.http_address(), ht::MakeRequest(verb, target, std::move(body)));
  }

  // Runs `archivum --server <daemon> args...`; stdout and stderr in *out; the exit code.
  static int Cli(const Daemon& daemon, std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {ARCHIVUM_CLI_PATH, "--server", daemon.grpc_address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProcess(argv, out);
  }

  // Writes quarantine rows into the stopped daemon's catalog, as the pipeline records a crash:
  // (digest digit, plugin, version, reason, path, at_ns).
  struct Row {
    char digit;
    std::string plugin;
    std::string version;
    std::string reason;
    std::string path;
    int64_t at_ns;
  };
  void WriteRows(const std::vector<Row>& rows) {
    sqlite3* db = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2((store() / "catalog.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
        SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO quarantine(sha256, plugin, plugin_version, reason, "
                                 "path, at_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                 -1, &st, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    for (const Row& row : rows) {
      const std::string digest(64, row.digit);
      sqlite3_bind_text(st, 1, digest.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, row.plugin.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, row.version.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 4, row.reason.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 5, row.path.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 6, row.at_ns);
      EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }

  // A first run creates the store and tells the hash plugin's version; it stops, and three
  // entries are written: two for that hash version, one for a text version not loaded.
  // Returns the hash version.
  std::string SeedStore() {
    auto first = StartDaemon();
    if (!first) return "";
    const std::string version = LoadedVersion(*first, "hash");
    EXPECT_EQ(first->Stop(), 0) << first->log();
    WriteRows({
        {'a', "hash", version, "crashed: SIGSEGV", "/data/a.bin", 1'000'000'000},
        {'b', "hash", version, "timeout after 2s", "/data/b.bin", 3'000'000'000},
        {'a', "text", "0.0.1-old", "crashed: SIGBUS", "/data/copy-of-a.bin", 2'000'000'000},
    });
    return version;
  }

  testing::TempDir scratch_;
};

TEST_F(QuarantineDaemonTest, AnEmptyQuarantineOverGrpcAndHttp) {
  auto daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  pb::ListQuarantineResponse list;
  const grpc::Status listed = ListQuarantine(*daemon, &list);
  ASSERT_TRUE(listed.ok()) << listed.error_message();
  EXPECT_EQ(list.entries_size(), 0);
  const pb::ListPluginsResponse plugins = ListPlugins(*daemon);
  for (const pb::PluginInfo& info : plugins.plugins()) {
    EXPECT_EQ(info.quarantined(), 0u) << info.name();
  }

  ht::Response r = Http(*daemon, ht::http::verb::get, "/v1/quarantine");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(json::parse(r.body()), (json{{"entries", json::array()}}));

  uint64_t cleared = 99;
  grpc::Status st = ClearQuarantine(*daemon, "", "", &cleared);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(cleared, 0u);
  st = ClearQuarantine(*daemon, "", "not-a-digest", &cleared);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "sha256 must be 64 hex digits, got 12 characters");

  r = Http(*daemon, ht::http::verb::delete_, "/v1/quarantine?sha256=zz");
  EXPECT_EQ(r.result_int(), 400u) << r.body();
  EXPECT_EQ(json::parse(r.body())["code"], 3);
  r = Http(*daemon, ht::http::verb::get, "/v1/clear_quarantine");
  EXPECT_EQ(r.result_int(), 405u) << r.body();
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

TEST_F(QuarantineDaemonTest, EntriesFromTheStoreAreListedCountedAndClearedForGood) {
  const std::string hash_version = SeedStore();
  ASSERT_FALSE(hash_version.empty());
  auto daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  EXPECT_NE(daemon->log().find("quarantine: 3 entries"), std::string::npos) << daemon->log();

  pb::ListQuarantineResponse list;
  ASSERT_TRUE(ListQuarantine(*daemon, &list).ok());
  ASSERT_EQ(list.entries_size(), 3);
  EXPECT_EQ(list.entries(0).sha256(), std::string(64, 'b'));
  EXPECT_EQ(list.entries(0).reason(), "timeout after 2s");
  EXPECT_EQ(list.entries(1).plugin(), "text");
  EXPECT_EQ(list.entries(1).path(), "/data/copy-of-a.bin");
  EXPECT_EQ(list.entries(2).plugin_version(), hash_version);
  EXPECT_EQ(list.entries(2).at_ns(), 1'000'000'000);
  // Only the loaded version's entries count for a plugin.
  EXPECT_EQ(QuarantinedCount(*daemon, "hash"), 2u);
  EXPECT_EQ(QuarantinedCount(*daemon, "text"), 0u);

  // The gateway gives the same entries.
  ht::Response r = Http(*daemon, ht::http::verb::get, "/v1/quarantine");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  const json entries = json::parse(r.body())["entries"];
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]["sha256"], std::string(64, 'b'));
  EXPECT_EQ(entries[1]["pluginVersion"], "0.0.1-old");
  EXPECT_EQ(entries[2]["atNs"], "1000000000");

  // Both filters over gRPC (the digest in either case), one over DELETE, none over POST.
  uint64_t cleared = 0;
  ASSERT_TRUE(ClearQuarantine(*daemon, "hash", std::string(64, 'A'), &cleared).ok());
  EXPECT_EQ(cleared, 1u);
  EXPECT_EQ(QuarantinedCount(*daemon, "hash"), 1u);
  r = Http(*daemon, ht::http::verb::delete_, "/v1/quarantine?plugin=text");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(json::parse(r.body())["cleared"], "1");
  r = Http(*daemon, ht::http::verb::post, "/v1/clear_quarantine", "{}");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(json::parse(r.body())["cleared"], "1");
  ASSERT_TRUE(ListQuarantine(*daemon, &list).ok());
  EXPECT_EQ(list.entries_size(), 0);
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();

  // Cleared in the store, not only in that daemon's memory.
  auto again = StartDaemon();
  ASSERT_NE(again, nullptr);
  list.Clear();
  ASSERT_TRUE(ListQuarantine(*again, &list).ok());
  EXPECT_EQ(list.entries_size(), 0);
  EXPECT_EQ(QuarantinedCount(*again, "hash"), 0u);
  EXPECT_EQ(again->Stop(), 0) << again->log();
}

TEST_F(QuarantineDaemonTest, TheCliListsAndClearsWithFiltersOrAll) {
  const std::string hash_version = SeedStore();
  ASSERT_FALSE(hash_version.empty());
  auto daemon = StartDaemon();
  ASSERT_NE(daemon, nullptr);
  std::string out;

  ASSERT_EQ(Cli(*daemon, {"quarantine", "list"}, &out), 0) << out;
  EXPECT_NE(out.find("SHA256"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string(12, 'b') + "  hash@" + hash_version), std::string::npos) << out;
  EXPECT_EQ(out.find(std::string(13, 'b')), std::string::npos) << out;  // the short digest
  EXPECT_NE(out.find("text@0.0.1-old"), std::string::npos) << out;
  EXPECT_NE(out.find("crashed: SIGBUS"), std::string::npos) << out;
  EXPECT_NE(out.find("/data/copy-of-a.bin"), std::string::npos) << out;
  EXPECT_NE(out.find("1970-01-01T00:00:03Z"), std::string::npos) << out;
  EXPECT_NE(out.find("\n3 entries\n"), std::string::npos) << out;
  ASSERT_EQ(Cli(*daemon, {"quarantine", "list", "--json"}, &out), 0) << out;
  EXPECT_EQ(json::parse(out)["entries"][0]["sha256"], std::string(64, 'b'));

  ASSERT_EQ(Cli(*daemon, {"plugins"}, &out), 0) << out;
  EXPECT_NE(out.find("quarantined 2"), std::string::npos) << out;

  // Clearing everything must be asked for; a malformed digest never reaches the daemon.
  EXPECT_EQ(Cli(*daemon, {"quarantine", "clear"}, &out), 2) << out;
  EXPECT_NE(out.find("--all"), std::string::npos) << out;
  EXPECT_EQ(Cli(*daemon, {"quarantine", "clear", "--sha256", "abc"}, &out), 2) << out;
  EXPECT_EQ(Cli(*daemon, {"quarantine", "clear", "--all", "--plugin", "hash"}, &out), 2) << out;
  EXPECT_EQ(Cli(*daemon, {"quarantine"}, &out), 2) << out;

  ASSERT_EQ(Cli(*daemon, {"quarantine", "clear", "--plugin", "hash"}, &out), 0) << out;
  EXPECT_EQ(out, "cleared 2 entries\n");
  ASSERT_EQ(Cli(*daemon, {"quarantine", "list"}, &out), 0) << out;
  EXPECT_NE(out.find("\n1 entry\n"), std::string::npos) << out;
  ASSERT_EQ(Cli(*daemon, {"--json", "quarantine", "clear", "--sha256", std::string(64, 'a')}, &out),
            0)
      << out;
  EXPECT_EQ(json::parse(out), (json{{"cleared", "1"}}));
  ASSERT_EQ(Cli(*daemon, {"quarantine", "clear", "--all"}, &out), 0) << out;
  EXPECT_EQ(out, "cleared 0 entries\n");
  ASSERT_EQ(Cli(*daemon, {"quarantine", "list"}, &out), 0) << out;
  EXPECT_EQ(out, "0 entries\n");
  EXPECT_EQ(daemon->Stop(), 0) << daemon->log();
}

}  // namespace
}  // namespace archivum
