// The yara plugin in the daemon, as an operator runs it: rules named in the config (absolute
// paths in a directory of their own, default isolation), a folder ingested over real gRPC,
// `yara.rule:NAME` finding the matching files and archive members; a rule that does not compile
// shown by ListPlugins and refused by --check-config, both naming FILE:LINE.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"
#include "support/documents/archive_writer.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::ArchiveEntry;
using testing::ArchiveFormat;
using testing::Daemon;
using testing::DaemonOptions;
using testing::MakeArchive;
using testing::RunProcess;
using testing::TempDir;
using testing::WriteFile;
using Paths = std::set<std::string>;

constexpr char kRules[] = R"(rule secret_marker : confidential {
  meta:
    author = "Security Team"
    severity = 3
  strings:
    $marker = "TOP-SECRET-7731"
  condition:
    $marker
}

rule zip_container {
  condition:
    uint32(0) == 0x04034B50 and extension == ".zip"
}
)";

// Line 4 has no "=" between the string's name and its text.
constexpr char kBrokenRules[] = R"(rule broken_rule {
  strings:
    $ok = "fine"
    $bad "no equals sign"
  condition:
    any of them
}
)";

// plugins.settings lines enabling yara with `rules` (indented for DaemonOptions::plugins_yaml).
std::string YaraSettings(const fs::path& rules) {
  return "  settings:\n    yara:\n      enabled: true\n      config:\n        rules: [\"" +
         rules.string() + "\"]\n";
}

class YaraDaemonTest : public ::testing::Test {
 protected:
  void Start(const fs::path& rules) {
    DaemonOptions opts;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.plugins_yaml = YaraSettings(rules);
    std::string error;
    daemon_ = Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    corpus_ = daemon_->dir() / "corpus";
    fs::create_directories(corpus_);
  }

  pb::IngestSummary Ingest() {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(corpus_.string());
    pb::IngestSummary s;
    const grpc::Status st = stub_->Ingest(&ctx, req, &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return s;
  }

  // The paths matching `query`, relative to the corpus.
  Paths Q(const std::string& query) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(query);
    req.set_limit(1000);
    pb::AnalyzeResponse r;
    const grpc::Status st = stub_->Analyze(&ctx, req, &r);
    EXPECT_TRUE(st.ok()) << query << ": " << st.error_message();
    Paths out;
    const std::string prefix = corpus_.string() + "/";
    for (const auto& p : r.results()) {
      out.insert(p.rfind(prefix, 0) == 0 ? p.substr(prefix.size()) : p);
    }
    return out;
  }

  pb::PluginInfo Yara() {
    grpc::ClientContext ctx;
    pb::ListPluginsResponse list;
    EXPECT_TRUE(stub_->ListPlugins(&ctx, pb::ListPluginsRequest(), &list).ok());
    for (const auto& p : list.plugins()) {
      if (p.name() == "yara") return p;
    }
    ADD_FAILURE() << "yara not listed";
    return {};
  }

  TempDir rules_dir_;  // outside the corpus and the ingest roots, as rule sets usually are
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path corpus_;
};

TEST_F(YaraDaemonTest, RulesFindTheMatchingFilesAndArchiveMembers) {
  Start(rules_dir_.Write("rules/corporate.yar", kRules));
  const pb::PluginInfo yara = Yara();
  ASSERT_EQ(yara.state(), pb::PluginInfo::LOADED) << yara.reason() << "\n" << daemon_->log();
  EXPECT_EQ(yara.stage(), "analyze");

  WriteFile(corpus_ / "memo.txt", "Distribution: TOP-SECRET-7731, eyes only.\n");
  WriteFile(corpus_ / "lunch.txt", "Menu of the week: soup, bread, TOP-SECRET-7730.\n");
  WriteFile(corpus_ / "bundle.zip",
            MakeArchive(ArchiveFormat::kZip,
                        {{"docs/plan.txt", "Project plan, marked TOP-SECRET-7731.\n"},
                         {"docs/notes.txt", "Nothing to see here.\n"}}));
  const pb::IngestSummary summary = Ingest();
  EXPECT_EQ(summary.files_failed(), 0u) << daemon_->log();

  EXPECT_EQ(Q("yara.rule:secret_marker"), (Paths{"memo.txt", "bundle.zip!/docs/plan.txt"}));
  EXPECT_EQ(Q("yara.tag:confidential"), (Paths{"memo.txt", "bundle.zip!/docs/plan.txt"}));
  EXPECT_EQ(Q("yara.meta.author:\"Security Team\""),
            (Paths{"memo.txt", "bundle.zip!/docs/plan.txt"}));
  EXPECT_EQ(Q("yara.meta.severity:3 plan"), (Paths{"bundle.zip!/docs/plan.txt"}));
  EXPECT_EQ(Q("yara.rule:zip_container"), (Paths{"bundle.zip"}));
  EXPECT_EQ(Q("yara.rule:no_such_rule"), Paths{});
  EXPECT_GT(Yara().calls(), 0u);
}

TEST_F(YaraDaemonTest, ARuleThatDoesNotCompileFailsThePluginWithFileAndLine) {
  const fs::path broken = rules_dir_.Write("broken.yar", kBrokenRules);
  Start(broken);
  const pb::PluginInfo yara = Yara();
  EXPECT_EQ(yara.state(), pb::PluginInfo::FAILED);
  EXPECT_NE(yara.reason().find(broken.string() + ":4: syntax error"), std::string::npos)
      << yara.reason();
  // The daemon serves on without it.
  WriteFile(corpus_ / "memo.txt", "TOP-SECRET-7731");
  EXPECT_EQ(Ingest().files_failed(), 0u);
  EXPECT_EQ(Q("yara.rule:broken_rule"), Paths{});
}

// archivumd --check-config on a config enabling yara: the plugins load as the daemon would load
// them, and a broken rule is named with its line.
TEST(YaraCheckConfigTest, ABrokenRuleFailsTheCheckWithFileAndLineAndAGoodOnePasses) {
  TempDir dir;
  const fs::path good = dir.Write("rules/good.yar", kRules);
  const fs::path broken = dir.Write("rules-broken/broken.yar", kBrokenRules);
  const std::string archivumd = (testing::BinaryDir() / "archivumd").string();
  const std::string head = "plugins:\n  directories: [\"" ARCHIVUM_BUNDLED_PLUGINS "\"]\n";

  const fs::path bad_config = dir.Write("bad.yaml", head + YaraSettings(broken));
  std::string out;
  EXPECT_EQ(RunProcess({archivumd, "--check-config", bad_config.string()}, &out), 1) << out;
  EXPECT_NE(
      out.find("archivumd: plugin yara: create failed: " + broken.string() + ":4: syntax error"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find(": ok"), std::string::npos) << out;

  const fs::path good_config = dir.Write("good.yaml", head + YaraSettings(good));
  EXPECT_EQ(RunProcess({archivumd, "--check-config", good_config.string()}, &out), 0) << out;
  EXPECT_NE(out.find(good_config.string() + ": ok"), std::string::npos) << out;
  EXPECT_EQ(out.find("archivumd: plugin"), std::string::npos) << out;
}

}  // namespace
}  // namespace archivum
