// Document formats end to end: files the tests generate (support/documents/) through the bundled
// format plugins in their sandboxed workers, into the catalog, found over real gRPC. What a user
// who ingests a folder of ordinary documents notices: the words of every document and member
// are found, once, at the right path; containers list their members; metadata is recorded;
// hostile containers are bounded and the daemon serves throughout.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"
#include "support/documents/archive_writer.h"
#include "support/documents/mail_writer.h"
#include "support/documents/office_writer.h"
#include "support/documents/pdf_writer.h"
#include "support/documents/text_documents.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
namespace pb = ::aichemist_archivum;
using testing::ArchiveEntry;
using testing::ArchiveFormat;
using testing::Daemon;
using testing::DaemonOptions;
using testing::MakeArchive;
using testing::MakePdf;
using testing::PdfSpec;
using testing::WriteFile;

using Paths = std::set<std::string>;

class FormatsTest : public ::testing::Test {
 protected:
  void Start(std::string ingest_yaml = "") {
    DaemonOptions opts;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    opts.ingest_yaml = std::move(ingest_yaml);
    std::string error;
    daemon_ = Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    stub_ = pb::FileManager::NewStub(daemon_->channel());
    corpus_ = daemon_->dir() / "corpus";
    fs::create_directories(corpus_);
  }

  pb::IngestSummary Ingest(const fs::path& path) {
    grpc::ClientContext ctx;
    pb::IngestRequest req;
    req.set_path(path.string());
    pb::IngestSummary s;
    grpc::Status st = stub_->Ingest(&ctx, req, &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return s;
  }

  // The matching paths, relative to the corpus.
  Paths Q(const std::string& q) {
    grpc::ClientContext ctx;
    pb::AnalyzeRequest req;
    req.set_query(q);
    req.set_limit(1000);
    pb::AnalyzeResponse r;
    grpc::Status st = stub_->Analyze(&ctx, req, &r);
    EXPECT_TRUE(st.ok()) << q << ": " << st.error_message();
    Paths out;
    const std::string prefix = corpus_.string() + "/";
    for (const auto& p : r.results()) {
      out.insert(p.rfind(prefix, 0) == 0 ? p.substr(prefix.size()) : p);
    }
    return out;
  }

  pb::Document Get(const std::string& relative) {
    grpc::ClientContext ctx;
    pb::GetDocumentRequest req;
    req.set_path((corpus_ / relative).string());
    pb::Document doc;
    grpc::Status st = stub_->GetDocument(&ctx, req, &doc);
    EXPECT_TRUE(st.ok()) << relative << ": " << st.error_message();
    return doc;
  }

  static std::vector<std::string> Values(const pb::Document& doc, const std::string& key) {
    std::vector<std::string> out;
    for (const auto& f : doc.findings()) {
      if (f.key() == key) out.push_back(f.value());
    }
    return out;
  }
  static std::string Value(const pb::Document& doc, const std::string& key) {
    auto v = Values(doc, key);
    return v.empty() ? "<none>" : v.front();
  }

  void Write(const std::string& relative, const std::string& bytes) {
    WriteFile(corpus_ / relative, bytes);
  }

  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<pb::FileManager::Stub> stub_;
  fs::path corpus_;
};

std::string Pdf(std::vector<std::string> pages, std::string title = "", std::string author = "") {
  PdfSpec spec;
  spec.pages = std::move(pages);
  if (!title.empty()) spec.info.push_back({"Title", title});
  if (!author.empty()) spec.info.push_back({"Author", author});
  spec.info.push_back({"CreationDate", "D:20240301093000+02'00'"});
  return MakePdf(spec);
}

std::string Mail(const std::string& subject, testing::MimeEntity body) {
  return testing::MakeMessage({{"From", "Ann Example <ann@example.org>"},
                               {"To", "Bob <bob@example.org>"},
                               {"Subject", subject},
                               {"Date", "Tue, 05 Mar 2024 10:15:00 +0100"},
                               {"Message-ID", "<" + subject + "@example.org>"}},
                              std::move(body));
}

// The folder of the issue that started the format plugins: twelve ordinary documents, each
// holding a word of its own, all found at the right path (members at theirs).
TEST_F(FormatsTest, AFolderOfOrdinaryDocumentsIsReadWhole) {
  Start();
  testing::OfficeMetadata meta;
  meta.title = "Annual review";
  meta.authors = {"Jane Doe"};
  meta.created = "2024-03-01T09:30:00Z";
  Write("report.pdf", Pdf({"pdfword alpha", "second page"}, "Annual review", "Jane Doe"));
  Write("letter.docx", testing::MakeDocx({"docxword in a letter", "second paragraph"}, meta));
  Write("budget.xlsx", testing::MakeXlsx({{"Costs", {{"xlsxword", "42"}}}}, meta));
  Write("notes.odt", testing::MakeOdt({"odtword in notes"}, meta));
  Write("book.epub", testing::MakeEpub({{"Chapter one", {"epubword begins"}}}, meta));
  Write("text.zip", MakeArchive(ArchiveFormat::kZip, {{"inside.txt", "zipword inside\n"}}));
  Write("bundle.tar.gz",
        MakeArchive(ArchiveFormat::kTarGz, {{"a.txt", "targzword here\n"},
                                            {"memo.docx", testing::MakeDocx({"memoword"})}}));
  Write("mail.eml", Mail("quarterly",
                         testing::Multipart(
                             "mixed",
                             {testing::TextPart("plain", "utf-8", "emlword body\n"),
                              testing::Attachment("application/pdf", "a.pdf", Pdf({"attachword"}))},
                             "b2")));
  Write("box.mbox",
        testing::MakeMbox({Mail("m1", testing::TextPart("plain", "utf-8", "mboxone\n")),
                           Mail("m2", testing::TextPart("plain", "utf-8", "mboxtwo\n")),
                           Mail("m3", testing::TextPart("plain", "utf-8", "mboxthree\n"))}));
  const pb::IngestSummary s = Ingest(corpus_);
  EXPECT_EQ(s.files_failed(), 0u) << s.DebugString();
  EXPECT_EQ(s.plugin_errors(), 0u) << s.DebugString();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"pdfword", "report.pdf"},
      {"docxword", "letter.docx"},
      {"xlsxword", "budget.xlsx"},
      {"odtword", "notes.odt"},
      {"epubword", "book.epub"},
      {"zipword", "text.zip!/inside.txt"},
      {"targzword", "bundle.tar.gz!/a.txt"},
      {"memoword", "bundle.tar.gz!/memo.docx"},
      {"emlword", "mail.eml"},
      {"attachword", "mail.eml!/a.pdf"},
      {"mboxone", "box.mbox!/message-1.eml"},
      {"mboxtwo", "box.mbox!/message-2.eml"},
      {"mboxthree", "box.mbox!/message-3.eml"},
  };
  for (const auto& [word, path] : expected) EXPECT_EQ(Q(word), (Paths{path})) << word;
  for (const char* doc : {"report.pdf", "letter.docx", "notes.odt", "book.epub"}) {
    const pb::Document d = Get(doc);
    EXPECT_EQ(Value(d, "title"), "Annual review") << doc;
    EXPECT_EQ(Value(d, "author"), "Jane Doe") << doc;
  }
  EXPECT_EQ(Value(Get("budget.xlsx"), "sheets"), "1");
  EXPECT_EQ(Value(Get("report.pdf"), "pages"), "2");
  EXPECT_EQ(Value(Get("letter.docx"), "created"), "2024-03-01T09:30:00Z");

  // The metadata fields of the query language, over whichever plugin read the file.
  EXPECT_EQ(Q("title:\"annual review\" ext:pdf"), (Paths{"report.pdf"}));
  const Paths by_doe = Q("author:doe");
  for (const char* doc : {"report.pdf", "letter.docx", "notes.odt", "book.epub"}) {
    EXPECT_EQ(by_doe.count(doc), 1u) << doc;
  }
  EXPECT_EQ(Q("pages>1 ext:pdf"), (Paths{"report.pdf"}));
  EXPECT_EQ(Q("from:ann subject:quarterly"), (Paths{"mail.eml"}));
  EXPECT_EQ(Q("created>2024-02-01 created<2024-03-02 ext:docx"), (Paths{"letter.docx"}));
}

TEST_F(FormatsTest, ArchiveMembersAreDocumentsFoundOnceAtTheirPath) {
  Start();
  const std::string inner = MakeArchive(
      ArchiveFormat::kTarGz, {{"deep/note.txt", "the nested wombat sleeps\n"},
                              {"report.pdf", Pdf({"quarterly numbat figures"}, "Numbat report")}});
  Write("pack.zip", MakeArchive(ArchiveFormat::kZip, {{"readme.txt", "a lonely quokka in a zip\n"},
                                                      {"dir/", "", true},
                                                      {"dir/inner.tar.gz", inner}}));
  const pb::IngestSummary s = Ingest(corpus_);
  EXPECT_EQ(s.files_failed(), 0u);

  // A member's words find the member, not its containers.
  EXPECT_EQ(Q("quokka"), (Paths{"pack.zip!/readme.txt"}));
  EXPECT_EQ(Q("wombat"), (Paths{"pack.zip!/dir/inner.tar.gz!/deep/note.txt"}));
  EXPECT_EQ(Q("numbat"), (Paths{"pack.zip!/dir/inner.tar.gz!/report.pdf"}));

  const pb::Document zip = Get("pack.zip");
  EXPECT_EQ(zip.mime(), "application/zip");
  EXPECT_EQ(Value(zip, "members"), "2");
  const pb::Document member = Get("pack.zip!/dir/inner.tar.gz");
  EXPECT_EQ(member.parent(), (corpus_ / "pack.zip").string());
  EXPECT_EQ(Value(member, "modified"), "2023-11-14T22:13:20Z");
  const pb::Document pdf = Get("pack.zip!/dir/inner.tar.gz!/report.pdf");
  EXPECT_EQ(pdf.mime(), "application/pdf");
  EXPECT_EQ(Value(pdf, "title"), "Numbat report");
  EXPECT_EQ(Value(pdf, "pages"), "1");
}

TEST_F(FormatsTest, HostileMemberNamesAreCatalogedSafelyAndNothingIsWritten) {
  Start();
  const std::string escape = "archivum-escape-" + std::to_string(::getpid());
  const std::string long_name = std::string(3000, 'L') + ".txt";
  Write("names.zip",
        MakeArchive(ArchiveFormat::kZip, {{"../../../tmp/" + escape, "escaping dingo\n"},
                                          {"/etc/" + escape, "absolute dingo\n"},
                                          {long_name, "long named dingo\n"}}));
  Ingest(corpus_);
  EXPECT_EQ(Q("dingo"), (Paths{"names.zip!/tmp/" + escape, "names.zip!/etc/" + escape,
                               "names.zip!/" + long_name}));
  EXPECT_FALSE(fs::exists("/tmp/" + escape));
  EXPECT_FALSE(fs::exists("/etc/" + escape));
  EXPECT_FALSE(fs::exists(corpus_ / "tmp"));
}

// The peak resident memory (VmHWM) of `pid` in bytes, or 0.
uint64_t PeakRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// The daemon and its worker processes (children whose parent is the daemon).
std::vector<pid_t> DaemonAndWorkers(pid_t daemon) {
  std::vector<pid_t> out{daemon};
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("PPid:", 0) == 0) {
        if (std::stol(line.substr(5)) == daemon) out.push_back(std::stoi(name));
        break;
      }
    }
  }
  return out;
}

TEST_F(FormatsTest, AZipBombMemberIsALimitAndTheOtherMembersAreCataloged) {
  // 2.5 GiB of zeros in one member; the expanded-size budget is lowered so the test spools less,
  // the behaviour is the same as with the default 1G.
  Start("  max_expanded_size: 64M\n");
  Write("bomb.zip", testing::MakeArchiveWithZeros(ArchiveFormat::kZip, "zeros.bin", 2560ull << 20,
                                                  {{"after.txt", "survivor echidna\n"}}));
  Write("ok.txt", "plain echidna\n");
  Ingest(corpus_);
  EXPECT_EQ(Q("echidna"), (Paths{"bomb.zip!/after.txt", "ok.txt"}));
  const pb::Document bomb = Get("bomb.zip");
  const std::string limit = Value(bomb, "limit");
  EXPECT_NE(limit.find("ingest.max_expanded_size"), std::string::npos) << limit;
  uint64_t peak = 0;
  for (pid_t pid : DaemonAndWorkers(daemon_->pid())) peak = std::max(peak, PeakRss(pid));
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, 300ull << 20) << "peak RSS of the daemon or a worker";
  // The daemon serves throughout.
  EXPECT_EQ(Q("survivor"), (Paths{"bomb.zip!/after.txt"}));
}

TEST_F(FormatsTest, DamagedDocumentsGetAnErrorAndTheDaemonServes) {
  Start();
  std::string noise(4096, '\0');
  uint32_t x = 12345;
  for (char& c : noise) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  Write("random.pdf", noise);
  Write("random.docx", noise);
  const std::string pdf = Pdf({"a truncated kangaroo"});
  Write("cut.pdf", pdf.substr(0, pdf.size() / 2));
  Write("fine.txt", "a healthy kangaroo\n");
  Ingest(corpus_);
  EXPECT_EQ(Q("kangaroo"), (Paths{"fine.txt"}));
  for (const char* name : {"random.pdf", "cut.pdf"}) {
    const pb::Document doc = Get(name);
    EXPECT_NE(Value(doc, "error").find("not a readable PDF"), std::string::npos)
        << name << ": " << Value(doc, "error");
  }
  EXPECT_NE(Value(Get("random.docx"), "error"), "<none>");
}

TEST_F(FormatsTest, AnUnchangedContainerIsNotExpandedAgainAndAChangedOneReplacesItsMembers) {
  Start();
  Write("box.tar", MakeArchive(ArchiveFormat::kTar,
                               {{"a.txt", "first platypus\n"}, {"b.txt", "second platypus\n"}}));
  Ingest(corpus_);
  EXPECT_EQ(Q("platypus"), (Paths{"box.tar!/a.txt", "box.tar!/b.txt"}));
  const int64_t ingested_at = Get("box.tar!/a.txt").ingested_at_ns();

  // Unchanged: skipped whole, its members untouched.
  const pb::IngestSummary again = Ingest(corpus_);
  EXPECT_EQ(again.files_unchanged(), 1u) << again.DebugString();
  EXPECT_EQ(again.files_ingested(), 0u) << again.DebugString();
  EXPECT_EQ(Get("box.tar!/a.txt").ingested_at_ns(), ingested_at);

  // Changed: its members are replaced.
  Write("box.tar", MakeArchive(ArchiveFormat::kTar, {{"c.txt", "third platypus\n"}}));
  Ingest(corpus_);
  EXPECT_EQ(Q("platypus"), (Paths{"box.tar!/c.txt"}));

  // Deleted: its members go with it.
  fs::remove(corpus_ / "box.tar");
  Ingest(corpus_);
  EXPECT_EQ(Q("platypus"), Paths{});
}

TEST_F(FormatsTest, TextInLegacyCharsetsIsFoundByItsWords) {
  Start();
  Write("ru-cp1251.txt", testing::EncodeText("Привет, мир! Съешь же ещё этих мягких французских "
                                             "булок да выпей чаю. Кремль вдалеке.\n",
                                             "windows-1251"));
  Write("ru-koi8.txt", testing::EncodeText("Широкая электрификация южных губерний даст мощный "
                                           "толчок подъёму сельского хозяйства.\n",
                                           "KOI8-R"));
  Write("de-latin1.txt", testing::EncodeText("Die Straße nach München ist schön.\n", "ISO-8859-1"));
  Ingest(corpus_);
  EXPECT_EQ(Q("булок"), (Paths{"ru-cp1251.txt"}));
  EXPECT_EQ(Q("губерний"), (Paths{"ru-koi8.txt"}));
  EXPECT_EQ(Q("München"), (Paths{"de-latin1.txt"}));
  EXPECT_EQ(Value(Get("ru-cp1251.txt"), "charset"), "windows-1251");
  EXPECT_EQ(Q("strasse muenchen OR munchen"), (Paths{"de-latin1.txt"})) << "folded like Straße";
  EXPECT_EQ(Value(Get("ru-koi8.txt"), "charset"), "koi8-r");
}

TEST_F(FormatsTest, CjkTextInAnyCharsetIsFoundByItsWords) {
  Start();
  using testing::Language;
  Write("ja-sjis.txt", testing::EncodeText(testing::SampleText(Language::kJapanese), "Shift_JIS"));
  Write("ja-eucjp.txt",
        testing::EncodeText("東京都の図書館で古い地図を見つけました。\n", "EUC-JP"));
  Write("zh-gb18030.txt",
        testing::EncodeText(testing::SampleText(Language::kChineseSimplified), "GB18030"));
  Write("zh-big5.txt",
        testing::EncodeText(testing::SampleText(Language::kChineseTraditional), "Big5"));
  Write("ko-euckr.txt", testing::EncodeText(testing::SampleText(Language::kKorean), "EUC-KR"));
  Write("ja-utf8.txt", "新しい研究所は京都大学の近くにあります。\n");
  Ingest(corpus_);
  // 公園 (park) is written so in Japanese and in Traditional Chinese; 公园 in Simplified.
  EXPECT_EQ(Q("公園"), (Paths{"ja-sjis.txt", "zh-big5.txt"}));
  EXPECT_EQ(Q("地図"), (Paths{"ja-eucjp.txt"}));
  EXPECT_EQ(Q("东京"), Paths{});
  EXPECT_EQ(Q("东京 OR 東京"), (Paths{"ja-eucjp.txt"}));
  EXPECT_EQ(Q("公园"), (Paths{"zh-gb18030.txt"}));
  EXPECT_EQ(Q("樹葉"), (Paths{"zh-big5.txt"}));
  EXPECT_EQ(Q("공원을"), (Paths{"ko-euckr.txt"}));
  // CJK is indexed as overlapping bigrams: 京都 (Kyoto) is also inside 東京都 (Tokyo Metropolis).
  EXPECT_EQ(Q("京都"), (Paths{"ja-utf8.txt", "ja-eucjp.txt"}));
  EXPECT_EQ(Q("研究所"), (Paths{"ja-utf8.txt"}));
  EXPECT_EQ(Value(Get("ja-sjis.txt"), "charset"), "shift_jis");
}

TEST_F(FormatsTest, MailHeadersBodiesAttachmentsAndMboxMessages) {
  Start();
  const std::string pdf = Pdf({"the attached cassowary budget"}, "Cassowary budget", "Ann");
  Write(
      "with-pdf.eml",
      Mail("budget", testing::Multipart("mixed",
                                        {testing::TextPart("plain", "utf-8", "see the emu below\n"),
                                         testing::Attachment("application/pdf", "budget.pdf", pdf)},
                                        "b1")));
  Write(
      "inbox.mbox",
      testing::MakeMbox(
          {Mail("one", testing::TextPart("plain", "utf-8", "first wallaby\n")),
           Mail("two",
                testing::TextPart("plain", "koi8-r", testing::Recode("второй кенгуру\n", "KOI8-R"),
                                  "quoted-printable")),
           Mail("three", testing::TextPart("html", "utf-8", "<p>third &amp; <b>bilby</b></p>"))}));
  Ingest(corpus_);
  EXPECT_EQ(Q("emu"), (Paths{"with-pdf.eml"}));
  EXPECT_EQ(Q("cassowary"), (Paths{"with-pdf.eml!/budget.pdf"}));
  EXPECT_EQ(Q("wallaby"), (Paths{"inbox.mbox!/message-1.eml"}));
  EXPECT_EQ(Q("кенгуру"), (Paths{"inbox.mbox!/message-2.eml"}));
  EXPECT_EQ(Q("bilby"), (Paths{"inbox.mbox!/message-3.eml"}));

  const pb::Document mail = Get("with-pdf.eml");
  EXPECT_EQ(Value(mail, "from"), "Ann Example <ann@example.org>");
  EXPECT_EQ(Value(mail, "to"), "Bob <bob@example.org>");
  EXPECT_EQ(Value(mail, "subject"), "budget");
  EXPECT_EQ(Value(mail, "date"), "2024-03-05T09:15:00Z");
  EXPECT_EQ(Value(mail, "message_id"), "budget@example.org");
  const pb::Document attachment = Get("with-pdf.eml!/budget.pdf");
  EXPECT_EQ(attachment.mime(), "application/pdf");
  EXPECT_EQ(Value(attachment, "title"), "Cassowary budget");
  EXPECT_EQ(Value(Get("inbox.mbox"), "messages"), "3");
  EXPECT_EQ(Value(Get("inbox.mbox!/message-3.eml"), "subject"), "three");
}

}  // namespace
}  // namespace archivum
