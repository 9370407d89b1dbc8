// The analyzer pipeline end to end: real files through the bundled plugins (filetype, hash,
// text, similar) and a test plugin, into the catalog, queried over real gRPC.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::Daemon;
using testing::DaemonOptions;
using testing::WriteFile;

using Paths = std::set<std::string>;

constexpr const char* kAlpha =
    "The quick brown fox jumps over the lazy dog. Archivum indexes everything it sees.\n";

std::string NearText(const std::string& ending) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    s += "Sentence number " + std::to_string(i) + " talks about rivers mountains and valleys. ";
  }
  return s + ending;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartDaemon({ARCHIVUM_BUNDLED_PLUGINS, ARCHIVUM_PICKY_V1});
    corpus_ = daemon_->dir() / "corpus";
    WriteFile(corpus_ / "docs/alpha.txt", kAlpha);
    WriteFile(corpus_ / "docs/beta.md",
              "Zebras and giraffes graze on the savanna. The quick zebra runs.\n");
    WriteFile(corpus_ / "docs/gamma.html",
              "<!DOCTYPE html>\n<html><head><title>Q</title><style>.x{color:red}</style>"
              "<script>var hidden = 'scriptword';</script></head><body><h1>Quarterly &amp; "
              "report</h1><p>Revenue grew in the northern region.</p></body></html>\n");
    WriteFile(corpus_ / "src/main.cc", "int main() { return compute_total(); }  // entrypoint\n");
    WriteFile(corpus_ / "src/util.h", "#pragma once\nint compute_total();\n");
    WriteFile(corpus_ / "data/copy1.txt", "duplicate content here for dedup testing\n");
    WriteFile(corpus_ / "data/copy2.txt", "duplicate content here for dedup testing\n");
    WriteFile(corpus_ / "data/near1.txt", NearText("The end."));
    WriteFile(corpus_ / "data/near2.txt", NearText("The finish."));
    WriteFile(corpus_ / "data/far.txt",
              "Completely unrelated prose about databases, compilers and network protocols.\n");
    std::string blob(4096, '\0');
    std::mt19937 rng(7);
    for (char& c : blob) c = static_cast<char>(rng());
    WriteFile(corpus_ / "bin/blob.bin", blob);
    WriteFile(corpus_ / "big/filler.txt", std::string(20000, 'x') + "\n");
    WriteFile(corpus_ / "pack.bundle",
              "=== inner/first.txt\nmembers are searchable: wombat\n=== second.txt\nkoala\n");
    // An old file for modified< filters.
    const timespec old_times[2] = {{946000000, 0}, {946000000, 0}};  // 1999-12-24
    ASSERT_EQ(::utimensat(AT_FDCWD, (corpus_ / "src/util.h").c_str(), old_times, 0), 0);
  }

  void StartDaemon(std::vector<fs::path> plugin_dirs, std::string extra_yaml = "",
                   std::string plugins_yaml = "") {
    DaemonOptions opts;
    opts.plugin_dirs = std::move(plugin_dirs);
    opts.extra_yaml = std::move(extra_yaml);
    opts.plugins_yaml = std::move(plugins_yaml);
    if (daemon_) {
      // Restart on the same directory: same store, same corpus.
      opts.roots = {daemon_->dir()};
      opts.extra_args = {"--store", daemon_->store().string()};
    }
    std::string error;
    auto next = Daemon::Start(opts, &error);
    ASSERT_NE(next, nullptr) << error;
    if (!daemon_) {
      daemon_ = std::move(next);
    } else {
      restarted_ = std::move(next);
    }
    stub_ = pb::FileManager::NewStub((restarted_ ? restarted_ : daemon_)->channel());
  }

  pb::IngestSummary IngestOk(const fs::path& path) {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(path.string());
    pb::IngestSummary s;
    grpc::Status st = stub_->Ingest(&ctx, req, &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return s;
  }

  grpc::Status Analyze(const std::string& q, pb::AnalyzeResponse* r, uint32_t limit = 100) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(q);
    req.set_limit(limit);
    return stub_->Analyze(&ctx, req, r);
  }

  // The matching paths, relative to the corpus.
  Paths Q(const std::string& q) {
    pb::AnalyzeResponse r;
    grpc::Status st = Analyze(q, &r);
    EXPECT_TRUE(st.ok()) << q << ": " << st.error_message();
    Paths out;
    for (const auto& p : r.results()) out.insert(Rel(p));
    return out;
  }

  std::string Rel(const std::string& p) const {
    const std::string prefix = corpus_.string() + "/";
    return p.rfind(prefix, 0) == 0 ? p.substr(prefix.size()) : p;
  }

  pb::Document Get(const fs::path& path) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path(path.string());
    pb::Document doc;
    grpc::Status st = stub_->GetDocument(&ctx, req, &doc);
    EXPECT_TRUE(st.ok()) << path << ": " << st.error_message();
    return doc;
  }

  static std::string FindingValue(const pb::Document& doc, const std::string& plugin,
                                  const std::string& key) {
    for (const auto& f : doc.findings()) {
      if (f.plugin() == plugin && f.key() == key) return f.value();
    }
    return "";
  }

  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<Daemon> restarted_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path corpus_;
};

TEST_F(PipelineTest, IngestRunsEveryStageAndRecordsFindings) {
  pb::IngestSummary s = IngestOk(corpus_);
  EXPECT_EQ(s.files_seen(), 13u);
  EXPECT_EQ(s.files_ingested(), 13u);
  EXPECT_EQ(s.files_failed(), 0u);
  EXPECT_EQ(s.plugin_errors(), 0u);

  pb::Document alpha = Get(corpus_ / "docs/alpha.txt");
  EXPECT_EQ(alpha.mime(), "text/plain");
  // SHA-256 of kAlpha, computed independently (sha256sum).
  EXPECT_EQ(alpha.sha256().size(), 64u);
  EXPECT_EQ(FindingValue(alpha, "hash", "sha256"), alpha.sha256());
  EXPECT_EQ(FindingValue(alpha, "filetype", "mime"), "text/plain");
  EXPECT_EQ(FindingValue(alpha, "picky", "words"), "14");  // the text stage ran before analyze
  std::set<std::string> analyzers(alpha.analyzers().begin(), alpha.analyzers().end());
  EXPECT_TRUE(analyzers.count("picky@1.0"));

  pb::Document blob = Get(corpus_ / "bin/blob.bin");
  EXPECT_EQ(blob.mime(), "application/octet-stream");
}

TEST_F(PipelineTest, QueryLanguageReturnsExactlyTheExpectedSets) {
  IngestOk(corpus_);
  // Free words: full text, all must match.
  EXPECT_EQ(Q("fox"), (Paths{"docs/alpha.txt"}));
  EXPECT_EQ(Q("quick"), (Paths{"docs/alpha.txt", "docs/beta.md"}));
  EXPECT_EQ(Q("quick zebra"), (Paths{"docs/beta.md"}));
  // Phrases, prefixes, OR, exclusion.
  EXPECT_EQ(Q("\"quick brown\""), (Paths{"docs/alpha.txt"}));
  EXPECT_EQ(Q("\"brown quick\""), Paths{});
  EXPECT_EQ(Q("zebr*"), (Paths{"docs/beta.md"}));
  EXPECT_EQ(Q("fox OR giraffes"), (Paths{"docs/alpha.txt", "docs/beta.md"}));
  EXPECT_EQ(Q("quick -zebra"), (Paths{"docs/alpha.txt"}));
  // HTML: tags stripped, entities decoded, scripts dropped.
  EXPECT_EQ(Q("quarterly report"), (Paths{"docs/gamma.html"}));
  EXPECT_EQ(Q("scriptword"), Paths{});
  // Words match paths too.
  EXPECT_EQ(Q("util"), (Paths{"src/util.h"}));
  // Filters.
  EXPECT_EQ(Q("mime:text/html"), (Paths{"docs/gamma.html"}));
  EXPECT_EQ(Q("ext:md"), (Paths{"docs/beta.md"}));
  EXPECT_EQ(Q("path:" + (corpus_ / "src").string()), (Paths{"src/main.cc", "src/util.h"}));
  EXPECT_EQ(Q("name:*.h"), (Paths{"src/util.h"}));
  EXPECT_EQ(Q("size>10k"), (Paths{"big/filler.txt"}));
  EXPECT_EQ(Q("size<40 ext:h"), (Paths{"src/util.h"}));
  EXPECT_EQ(Q("modified<2000-01-01"), (Paths{"src/util.h"}));
  EXPECT_EQ(Q("modified>2000-01-01 name:*.h"), Paths{});
  EXPECT_EQ(Q("dup:"), (Paths{"data/copy1.txt", "data/copy2.txt"}));
  EXPECT_EQ(Q("filetype.mime:text/html"), (Paths{"docs/gamma.html"}));
  EXPECT_EQ(Q("picky.words:14"), (Paths{"docs/alpha.txt"}));
  // Filters combine with words and exclusions.
  EXPECT_EQ(Q("quick ext:md"), (Paths{"docs/beta.md"}));
  EXPECT_EQ(Q("ext:txt -path:" + (corpus_ / "data").string()),
            (Paths{"docs/alpha.txt", "big/filler.txt", "pack.bundle!/inner/first.txt",
                   "pack.bundle!/second.txt"}));

  const std::string sha = Get(corpus_ / "docs/alpha.txt").sha256();
  EXPECT_EQ(Q("sha256:" + sha), (Paths{"docs/alpha.txt"}));

  // A plugin verb: near-duplicates of near1, not the unrelated file.
  EXPECT_EQ(Q("similar:" + (corpus_ / "data/near1.txt").string()), (Paths{"data/near2.txt"}));
}

TEST_F(PipelineTest, HitsCarryScoreSnippetMimeSizeAndFindings) {
  IngestOk(corpus_);
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("fox", &r).ok());
  ASSERT_EQ(r.hits_size(), 1);
  const pb::Hit& h = r.hits(0);
  EXPECT_EQ(h.mime(), "text/plain");
  EXPECT_EQ(h.size(), std::string(kAlpha).size());
  EXPECT_GT(h.score(), 0);
  EXPECT_NE(h.snippet().find("[fox]"), std::string::npos) << h.snippet();

  ASSERT_TRUE(Analyze("filetype.mime:text/html", &r).ok());
  ASSERT_EQ(r.hits_size(), 1);
  ASSERT_GE(r.hits(0).findings_size(), 1);
  EXPECT_EQ(r.hits(0).findings(0).plugin(), "filetype");
  EXPECT_EQ(r.hits(0).findings(0).value(), "text/html");

  ASSERT_TRUE(Analyze("similar:" + (corpus_ / "data/near1.txt").string(), &r).ok());
  ASSERT_EQ(r.hits_size(), 1);
  EXPECT_GT(r.hits(0).score(), 0.5);
}

TEST_F(PipelineTest, RankingLimitAndPaging) {
  WriteFile(corpus_ / "rank/many.txt", "otter otter otter otter river\n");
  WriteFile(corpus_ / "rank/once.txt", "otter river bank with a lot of other words around it\n");
  IngestOk(corpus_);
  pb::AnalyzeResponse r;
  ASSERT_TRUE(Analyze("otter", &r).ok());
  ASSERT_EQ(r.results_size(), 2);
  EXPECT_EQ(Rel(r.results(0)), "rank/many.txt");
  EXPECT_EQ(r.total(), 2u);

  ASSERT_TRUE(Analyze("ext:txt", &r, 3).ok());
  EXPECT_EQ(r.results_size(), 3);
  const uint64_t total = r.total();
  EXPECT_GT(total, 3u);
  std::set<std::string> seen;
  for (uint32_t off = 0; off < total; off += 3) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query("ext:txt");
    req.set_limit(3);
    req.set_offset(off);
    pb::AnalyzeResponse page;
    ASSERT_TRUE(stub_->Analyze(&ctx, req, &page).ok());
    for (const auto& p : page.results()) EXPECT_TRUE(seen.insert(p).second) << "repeated " << p;
  }
  EXPECT_EQ(seen.size(), total);
}

TEST_F(PipelineTest, MalformedQueriesAreInvalidArgumentWithTheColumn) {
  IngestOk(corpus_);
  for (const auto& [q, col] :
       std::vector<std::pair<std::string, std::string>>{{"fox \"unterminated", "column 5"},
                                                        {"nosuchfield:x", "column 1"},
                                                        {"size>abc", "column"},
                                                        {"-fox", "column"},
                                                        {"sha256:xyz", "column 8"}}) {
    pb::AnalyzeResponse r;
    grpc::Status st = Analyze(q, &r);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << q;
    EXPECT_NE(st.error_message().find(col), std::string::npos) << q << ": " << st.error_message();
  }
}

TEST_F(PipelineTest, ArchiveMembersReEnterThePipeline) {
  IngestOk(corpus_);
  const std::string outer = (corpus_ / "pack.bundle").string();
  // The bundle is text itself, so it matches along with the member that holds the word.
  EXPECT_EQ(Q("wombat"), (Paths{"pack.bundle", "pack.bundle!/inner/first.txt"}));
  EXPECT_EQ(Q("wombat -name:*.bundle"), (Paths{"pack.bundle!/inner/first.txt"}));
  pb::Document member = Get(outer + "!/inner/first.txt");
  EXPECT_EQ(member.parent(), outer);
  EXPECT_EQ(member.mime(), "text/plain");
  EXPECT_FALSE(member.sha256().empty());

  // Re-ingesting a changed bundle replaces its members.
  WriteFile(corpus_ / "pack.bundle", "=== only.txt\nplatypus\n");
  IngestOk(corpus_);
  EXPECT_EQ(Q("wombat"), Paths{});
  EXPECT_EQ(Q("platypus"), (Paths{"pack.bundle", "pack.bundle!/only.txt"}));
}

TEST(PipelineLimits, MemberLimitsAreRecordedOnTheDocument) {
  DaemonOptions opts;
  opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS, ARCHIVUM_PICKY_V1};
  opts.ingest_yaml = "  max_members: 1\n";
  std::string error;
  auto daemon = Daemon::Start(opts, &error);
  ASSERT_NE(daemon, nullptr) << error;
  auto stub = pb::FileManager::NewStub(daemon->channel());
  const fs::path bundle = daemon->dir() / "three.bundle";
  WriteFile(bundle, "=== a.txt\nalpha\n=== b.txt\nbravo\n=== c.txt\ncharlie\n");
  grpc::ClientContext ctx;
  pb::IngestRequest req;
  req.set_path(bundle.string());
  pb::IngestSummary s;
  ASSERT_TRUE(stub->Ingest(&ctx, req, &s).ok());

  grpc::ClientContext gctx;
  pb::GetDocumentRequest greq;
  greq.set_path(bundle.string());
  pb::Document doc;
  ASSERT_TRUE(stub->GetDocument(&gctx, greq, &doc).ok());
  std::string limit;
  for (const auto& f : doc.findings()) {
    if (f.plugin() == "archivum" && f.key() == "limit") limit = f.value();
  }
  EXPECT_NE(limit.find("2 member(s) not analyzed"), std::string::npos) << limit;
  EXPECT_NE(limit.find("ingest.max_members (1)"), std::string::npos) << limit;

  grpc::ClientContext actx;
  pb::AnalyzeRequest areq;
  areq.set_query("alpha OR bravo OR charlie -name:*.bundle");
  pb::AnalyzeResponse r;
  ASSERT_TRUE(stub->Analyze(&actx, areq, &r).ok());
  ASSERT_EQ(r.results_size(), 1);
  EXPECT_EQ(r.results(0), bundle.string() + "!/a.txt");
}

TEST_F(PipelineTest, ReingestSkipsUnchangedAndReanalyzesWhenAPluginChanges) {
  IngestOk(corpus_);
  pb::IngestSummary again = IngestOk(corpus_);
  EXPECT_EQ(again.files_unchanged(), 13u);
  EXPECT_EQ(again.files_ingested(), 0u);

  // The same store, with picky upgraded to 2.0: everything is analyzed again.
  // An idle C++ client answers the server's shutdown ping only on its 5 s backup poll; closing
  // the channel first lets the daemon stop at once.
  stub_.reset();
  ASSERT_EQ(daemon_->Stop(), 0);
  StartDaemon({ARCHIVUM_BUNDLED_PLUGINS, ARCHIVUM_PICKY_V2});
  pb::IngestSummary upgraded = IngestOk(corpus_);
  EXPECT_EQ(upgraded.files_ingested(), 13u);
  EXPECT_EQ(upgraded.files_unchanged(), 0u);
  EXPECT_EQ(FindingValue(Get(corpus_ / "docs/alpha.txt"), "picky", "version"), "2.0");
}

TEST_F(PipelineTest, ResizingTheFiletypeCacheReanalyzesNothingButOtherSettingsDo) {
  IngestOk(corpus_);
  // filetype declares "cache" a tuning key: it never changes an answer.
  stub_.reset();
  ASSERT_EQ(daemon_->Stop(), 0);
  StartDaemon({ARCHIVUM_BUNDLED_PLUGINS, ARCHIVUM_PICKY_V1}, "",
              "  settings:\n    filetype:\n      config: {cache: 0}\n");
  pb::IngestSummary resized = IngestOk(corpus_);
  EXPECT_EQ(resized.files_unchanged(), 13u);
  EXPECT_EQ(resized.files_ingested(), 0u);

  // Its description policy changes findings: everything is analyzed again.
  stub_.reset();
  ASSERT_EQ(restarted_->Stop(), 0);
  StartDaemon({ARCHIVUM_BUNDLED_PLUGINS, ARCHIVUM_PICKY_V1}, "",
              "  settings:\n    filetype:\n      config: {cache: 0, description: always}\n");
  pb::IngestSummary reconfigured = IngestOk(corpus_);
  EXPECT_EQ(reconfigured.files_ingested(), 13u);
  EXPECT_EQ(reconfigured.files_unchanged(), 0u);
  EXPECT_NE(FindingValue(Get(corpus_ / "docs/alpha.txt"), "filetype", "description"), "");
}

TEST_F(PipelineTest, DeletedFilesDisappear) {
  IngestOk(corpus_);
  fs::remove(corpus_ / "docs/alpha.txt");
  pb::IngestSummary s = IngestOk(corpus_);
  EXPECT_EQ(s.files_removed(), 1u);
  EXPECT_EQ(Q("fox"), Paths{});
  grpc::ClientContext ctx;
  pb::GetDocumentRequest req;
  req.set_path((corpus_ / "docs/alpha.txt").string());
  pb::Document doc;
  EXPECT_EQ(stub_->GetDocument(&ctx, req, &doc).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PipelineTest, APluginFailingOnOneFileLeavesTheOthersAnalyzed) {
  WriteFile(corpus_ / "docs/poison.txt", "this file makes picky throw\n");
  pb::IngestSummary s = IngestOk(corpus_);
  EXPECT_EQ(s.files_ingested(), 14u);
  EXPECT_EQ(s.plugin_errors(), 1u);
  ASSERT_GE(s.errors_size(), 1);
  EXPECT_EQ(s.errors(0).path(), (corpus_ / "docs/poison.txt").string());
  EXPECT_NE(s.errors(0).message().find("refusing poisoned file"), std::string::npos);

  pb::Document poison = Get(corpus_ / "docs/poison.txt");
  EXPECT_NE(FindingValue(poison, "picky", "error").find("refusing poisoned file"),
            std::string::npos);
  EXPECT_FALSE(poison.sha256().empty()) << "the other plugins still ran";
  EXPECT_EQ(Q("makes picky throw"), (Paths{"docs/poison.txt"}));
  EXPECT_EQ(FindingValue(Get(corpus_ / "docs/alpha.txt"), "picky", "words"), "14");
}

TEST_F(PipelineTest, UploadRunsThroughThePipeline) {
  grpc::ClientContext ctx;
  pb::IngestSummary s;
  auto writer = stub_->Upload(&ctx, &s);
  pb::UploadChunk chunk;
  chunk.mutable_header()->set_name("notes/field-notes.txt");
  ASSERT_TRUE(writer->Write(chunk));
  const std::string body = "Observed a pangolin near the river at dawn.\n";
  for (size_t off = 0; off < body.size(); off += 10) {
    chunk.set_data(body.substr(off, 10));
    ASSERT_TRUE(writer->Write(chunk));
  }
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.files_ingested(), 1u);
  EXPECT_EQ(s.bytes_ingested(), body.size());

  EXPECT_EQ(Q("pangolin"), (Paths{"upload:notes/field-notes.txt"}));
  pb::Document doc = Get("upload:notes/field-notes.txt");
  EXPECT_EQ(doc.mime(), "text/plain");
  EXPECT_EQ(doc.size(), body.size());
}

TEST_F(PipelineTest, UploadWithoutHeaderOrWithWrongSizeIsRefused) {
  {
    grpc::ClientContext ctx;
    pb::IngestSummary s;
    auto writer = stub_->Upload(&ctx, &s);
    pb::UploadChunk chunk;
    chunk.set_data("no header");
    writer->Write(chunk);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext ctx;
    pb::IngestSummary s;
    auto writer = stub_->Upload(&ctx, &s);
    pb::UploadChunk chunk;
    chunk.mutable_header()->set_name("x.txt");
    chunk.mutable_header()->set_size(100);
    writer->Write(chunk);
    chunk.set_data("short");
    writer->Write(chunk);
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("declared 100"), std::string::npos) << st.error_message();
  }
}

TEST_F(PipelineTest, IngestStreamReportsProgressWithTheTotalUpFront) {
  grpc::ClientContext ctx;
  pb::IngestRequest req;
  req.set_path(corpus_.string());
  auto reader = stub_->IngestStream(&ctx, req);
  pb::IngestEvent ev;
  size_t events = 0;
  uint64_t done = 0;
  while (reader->Read(&ev)) {
    ++events;
    EXPECT_EQ(ev.files_discovered(), 13u) << "the total is known from the first event";
    const uint64_t now =
        ev.totals().files_ingested() + ev.totals().files_unchanged() + ev.totals().files_failed();
    EXPECT_GE(now, done);
    done = now;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(events, 13u);
  EXPECT_EQ(done, 13u);
}

}  // namespace
}  // namespace archivum
