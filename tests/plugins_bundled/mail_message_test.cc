// The mail plugin on single messages: header findings, body text, children, limits, errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins_bundled/mail_test_util.h"
#include "support/documents/mail_writer.h"

namespace archivum::bundled::mail::testing {
namespace {

using archivum::testing::AttachedMessage;
using archivum::testing::Attachment;
using archivum::testing::EncodedWord;
using archivum::testing::MailFields;
using archivum::testing::MakeMessage;
using archivum::testing::MimeEntity;
using archivum::testing::Multipart;
using archivum::testing::PdfLikeBlob;
using archivum::testing::Recode;
using archivum::testing::TextPart;
using ::testing::HasSubstr;
using ::testing::Not;
using Strings = std::vector<std::string>;

const MailFields kHeaders = {
    {"From", "Ann <ann@example.org>"}, {"To", "bob@example.org"}, {"Subject", "Whale song"}};

TEST(MailMessageTest, HeaderFieldsBecomeVocabularyFindings) {
  const std::string message =
      MakeMessage({{"From", "\"Doe, Jane\" <jane@example.org>"},
                   {"To", "Ann Lee <ann@example.org>, " + EncodedWord("utf-8", "Jörg Müller") +
                              " <joerg@example.de>,\n  bob@example.org"},
                   {"Cc", "Team: carl@example.com, Dora <dora@example.com>;"},
                   {"Subject", "Re: " + EncodedWord("utf-8", "Привет мир") + " today"},
                   {"Date", "Tue, 05 Mar 2024 01:15:00 +0300"},
                   {"Message-ID", "<abc.123@example.org>"}},
                  TextPart("plain", "utf-8", "Hello.\n"));
  RecordingSink sink;
  const MailRun run = RunMail(sink, message);
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(Values(sink, "from"), Strings{"Doe, Jane <jane@example.org>"});
  EXPECT_EQ(Values(sink, "to"), (Strings{"Ann Lee <ann@example.org>",
                                         "Jörg Müller <joerg@example.de>", "bob@example.org"}));
  EXPECT_EQ(Values(sink, "cc"), (Strings{"carl@example.com", "Dora <dora@example.com>"}));
  EXPECT_EQ(Values(sink, "subject"), Strings{"Re: Привет мир today"});
  // +0300 at 01:15 is the previous day in UTC.
  EXPECT_EQ(Values(sink, "date"), Strings{"2024-03-04T22:15:00Z"});
  EXPECT_EQ(Values(sink, "message_id"), Strings{"abc.123@example.org"});
  EXPECT_EQ(sink.findings.count("truncated"), 0u);
  EXPECT_EQ(sink.findings.count("title"), 0u);
  EXPECT_TRUE(sink.children.empty());
  EXPECT_TRUE(sink.tags.empty());
}

TEST(MailMessageTest, SubjectIsTheFirstLineOfTheText) {
  RecordingSink sink;
  const MailRun run =
      RunMail(sink, MakeMessage(kHeaders, TextPart("plain", "utf-8", "They sing at night.\n")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nThey sing at night.\n");
}

TEST(MailMessageTest, MessageWithoutSubjectOrBodyStillHasItsFindings) {
  RecordingSink sink;
  const MailRun run = RunMail(sink, "From: a@example.org\nDate: Mon, 1 Jan 2024 00:00:00 GMT\n\n");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(Values(sink, "from"), Strings{"a@example.org"});
  EXPECT_EQ(Values(sink, "date"), Strings{"2024-01-01T00:00:00Z"});
  EXPECT_EQ(sink.findings.count("subject"), 0u);
  EXPECT_EQ(sink.text, "");
}

TEST(MailMessageTest, TransferEncodingsAreUndone) {
  const std::string body =
      "Grüße aus Köln: 50 € = fifty euros, and a line long enough to need a soft line break "
      "in quoted-printable, which wraps at seventy-six characters.\nSecond line.\n";
  for (const char* encoding : {"8bit", "quoted-printable", "base64"}) {
    RecordingSink sink;
    const MailRun run =
        RunMail(sink, MakeMessage(kHeaders, TextPart("plain", "utf-8", body, encoding)));
    ASSERT_EQ(run.rc, ARCHIVUM_OK) << encoding << ": " << run.error;
    EXPECT_EQ(sink.text, "Whale song\n" + body) << encoding;
  }
}

TEST(MailMessageTest, DeclaredCharsetsAreConvertedToUtf8) {
  const std::string russian = "Съешь же ещё этих мягких французских булок.\n";
  for (const char* charset : {"koi8-r", "windows-1251", "KOI8-R"}) {
    RecordingSink sink;
    const MailRun run =
        RunMail(sink, MakeMessage(kHeaders, TextPart("plain", charset, Recode(russian, charset))));
    ASSERT_EQ(run.rc, ARCHIVUM_OK) << charset << ": " << run.error;
    EXPECT_EQ(sink.text, "Whale song\n" + russian) << charset;
  }
  // Mail declared ISO-8859-1 often carries Windows quotes in 0x80-0x9F.
  RecordingSink latin;
  ASSERT_EQ(RunMail(latin, MakeMessage(kHeaders, TextPart("plain", "iso-8859-1",
                                                          "\x93"
                                                          "caf\xE9"
                                                          "\x94\n")))
                .rc,
            ARCHIVUM_OK);
  EXPECT_EQ(latin.text, "Whale song\n“café”\n");
}

TEST(MailMessageTest, UndeclaredOrUnknownCharsetsAreReadAsUtf8) {
  RecordingSink sink;
  const MailRun run = RunMail(
      sink, MakeMessage(kHeaders, TextPart("plain", "x-unknown-charset", "naïve \xFF end\n")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nnaïve \xEF\xBF\xBD end\n");  // the invalid byte: U+FFFD
}

TEST(MailMessageTest, HtmlOnlyBodyIsReducedToText) {
  RecordingSink sink;
  const MailRun run = RunMail(
      sink, MakeMessage(kHeaders, TextPart("html", "utf-8",
                                           "<html><head><style>p{color:red}</style></head><body>"
                                           "<p>Hello <b>whale</b> &amp; friends</p><p>Second</p>"
                                           "<script>var hidden = 1;</script></body></html>\n",
                                           "quoted-printable")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text.rfind("Whale song\n", 0), 0u) << sink.text;
  EXPECT_THAT(sink.text, HasSubstr("Hello whale & friends\nSecond"));
  EXPECT_THAT(sink.text, Not(HasSubstr("<b>")));
  EXPECT_THAT(sink.text, Not(HasSubstr("color")));
  EXPECT_THAT(sink.text, Not(HasSubstr("hidden")));
  EXPECT_TRUE(sink.children.empty());
}

TEST(MailMessageTest, LongHtmlIsCutBeforeItIsReduced) {
  std::string html = "<p>start</p>";
  while (html.size() <= kMaxHtmlBodyBytes) html += "<p>filler words</p>";
  html += "<p>beyond the limit</p>";
  RecordingSink sink;
  const MailRun run =
      RunMail(sink, MakeMessage(kHeaders, TextPart("html", "utf-8", html, "base64")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text.rfind("Whale song\nstart\nfiller words\n", 0), 0u);
  EXPECT_THAT(sink.text, Not(HasSubstr("beyond the limit")));
  EXPECT_EQ(sink.findings["truncated"], "true");
}

TEST(MailMessageTest, AlternativeTakesThePlainPart) {
  RecordingSink sink;
  const MailRun run = RunMail(
      sink,
      MakeMessage(kHeaders, Multipart("alternative",
                                      {TextPart("plain", "utf-8", "plain words\n"),
                                       TextPart("html", "utf-8", "<p>markup only words</p>\n")},
                                      "alt-1")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nplain words");
  EXPECT_TRUE(sink.children.empty());
}

TEST(MailMessageTest, AlternativeWithoutPlainTakesTheRichestPart) {
  // alternative(related(html, inline image)): the HTML is the body, the image a child.
  MimeEntity image = Attachment("image/png", "", "\x89PNG\r\n\x1a\nfake");
  image.fields.push_back({"Content-ID", "<logo@example.org>"});
  RecordingSink sink;
  const MailRun run = RunMail(
      sink,
      MakeMessage(
          kHeaders,
          Multipart("alternative",
                    {Multipart("related",
                               {TextPart("html", "utf-8", "<p>rich <i>words</i></p>\n"), image},
                               "rel-1")},
                    "alt-1")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nrich words");
  ASSERT_EQ(ChildNames(sink), Strings{"part-1.png"});
  EXPECT_EQ(sink.children[0].bytes, "\x89PNG\r\n\x1a\nfake");
}

TEST(MailMessageTest, InlineTextPartsOfAMixedBodyAreAllText) {
  RecordingSink sink;
  const MailRun run =
      RunMail(sink, MakeMessage(kHeaders, Multipart("mixed",
                                                    {TextPart("plain", "utf-8", "first part\n"),
                                                     TextPart("plain", "utf-8", "list footer\n")},
                                                    "mix-1")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nfirst part\nlist footer");
}

TEST(MailMessageTest, AttachmentsAreStreamedChildrenWithTheirBytes) {
  MimeEntity notes = TextPart("plain", "utf-8", "Some notes\n");
  notes.fields.push_back({"Content-Disposition", "attachment; filename=notes.txt"});
  MimeEntity russian = Attachment("application/octet-stream", "", "отчёт");
  russian.fields.push_back(
      {"Content-Disposition", "attachment; filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt"});
  MimeEntity encoded = Attachment("application/octet-stream", "", "x");
  encoded.fields.push_back({"Content-Disposition",
                            "attachment; filename=\"" + EncodedWord("utf-8", "Grüße.bin") + "\""});
  const std::string png = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
  RecordingSink sink;
  const MailRun run = RunMail(
      sink,
      MakeMessage(kHeaders, Multipart("mixed",
                                      {TextPart("plain", "utf-8", "See attached.\n"),
                                       Attachment("application/pdf", "report.pdf", PdfLikeBlob()),
                                       Attachment("image/png", "", png), notes, russian, encoded},
                                      "mix-1")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nSee attached.");
  ASSERT_EQ(ChildNames(sink),
            (Strings{"report.pdf", "part-2.png", "notes.txt", "отчёт.txt", "Grüße.bin"}));
  EXPECT_EQ(sink.children[0].bytes, PdfLikeBlob());
  EXPECT_EQ(sink.children[1].bytes, png);
  EXPECT_EQ(sink.children[2].bytes, "Some notes");  // the last newline belongs to the boundary
  EXPECT_EQ(sink.children[3].bytes, "отчёт");
  for (const auto& child : sink.children) {
    EXPECT_TRUE(child.streamed) << child.name;
    EXPECT_FALSE(child.dropped) << child.name;
  }
}

TEST(MailMessageTest, ChildNamesAreSingleUniqueComponents) {
  RecordingSink sink;
  const MailRun run = RunMail(
      sink, MakeMessage(kHeaders, Multipart("mixed",
                                            {Attachment("application/pdf", "a.pdf", "1"),
                                             Attachment("application/pdf", "a.pdf", "2"),
                                             Attachment("text/plain", "../../etc/passwd", "3"),
                                             Attachment("application/pdf", "..", "4"),
                                             Attachment("application/x-unknown", "", "5")},
                                            "mix-1")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(ChildNames(sink),
            (Strings{"a.pdf", "a-2.pdf", ".._.._etc_passwd", "part-4.pdf", "part-5"}));
}

TEST(MailMessageTest, AttachedMessageIsOneChildWithItsBytes) {
  const std::string inner =
      MakeMessage({{"From", "Krill Watch <krill@example.net>"}, {"Subject", "Inner report"}},
                  Multipart("mixed",
                            {TextPart("plain", "utf-8", "Krill swarms.\n"),
                             Attachment("application/pdf", "inner.pdf", PdfLikeBlob())},
                            "inner-1"));
  RecordingSink sink;
  const MailRun run = RunMail(
      sink,
      MakeMessage(kHeaders, Multipart("mixed",
                                      {TextPart("plain", "utf-8", "Forwarding.\n"),
                                       AttachedMessage(inner), AttachedMessage(inner, "fwd.eml")},
                                      "outer-1")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  // The attached message's text and attachments belong to it, not to this message.
  EXPECT_EQ(sink.text, "Whale song\nForwarding.");
  ASSERT_EQ(ChildNames(sink), (Strings{"message-1.eml", "fwd.eml"}));
  // GMime writes the attached message back as it read it: its header fields as they were, its
  // parts as they were encoded, here byte for byte the message that was attached.
  EXPECT_EQ(sink.children[0].bytes, inner);
  EXPECT_EQ(sink.children[1].bytes, inner);

  // The host reads the child with this plugin in turn.
  RecordingSink child;
  const MailRun nested = RunMail(child, sink.children[0].bytes);
  ASSERT_EQ(nested.rc, ARCHIVUM_OK) << nested.error;
  EXPECT_EQ(Values(child, "subject"), Strings{"Inner report"});
  EXPECT_EQ(child.text, "Inner report\nKrill swarms.");
  ASSERT_EQ(ChildNames(child), Strings{"inner.pdf"});
  EXPECT_EQ(child.children[0].bytes, PdfLikeBlob());
}

TEST(MailMessageTest, MessageOfCrlfLinesIsReadAlike) {
  RecordingSink sink;
  const MailRun run =
      RunMail(sink, MakeMessage({{"From", "Ann <ann@example.org>"},
                                 {"Subject", "Folded\n subject"},
                                 {"Date", "Mon, 01 Jan 2024 12:00:00 +0000"}},
                                Multipart("mixed",
                                          {TextPart("plain", "utf-8", "Line one.\nLine two.\n"),
                                           Attachment("application/pdf", "r.pdf", PdfLikeBlob())},
                                          "crlf-1"),
                                /*crlf=*/true));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(Values(sink, "subject"), Strings{"Folded subject"});
  EXPECT_EQ(Values(sink, "date"), Strings{"2024-01-01T12:00:00Z"});
  EXPECT_EQ(sink.text, "Folded subject\nLine one.\nLine two.");
  ASSERT_EQ(ChildNames(sink), Strings{"r.pdf"});
  EXPECT_EQ(sink.children[0].bytes, PdfLikeBlob());
}

TEST(MailMessageTest, SignedContentIsReadAndTheSignatureIsNoChild) {
  MimeEntity signature;
  signature.fields = {{"Content-Type", "application/pgp-signature; name=signature.asc"}};
  signature.body = "-----BEGIN PGP SIGNATURE-----\niQEz\n-----END PGP SIGNATURE-----\n";
  MimeEntity signed_part =
      Multipart("signed", {TextPart("plain", "utf-8", "signed words\n"), signature}, "sig-1");
  signed_part.fields[0].second += "; protocol=\"application/pgp-signature\"; micalg=pgp-sha256";
  RecordingSink sink;
  const MailRun run = RunMail(sink, MakeMessage(kHeaders, signed_part));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nsigned words");
  EXPECT_TRUE(sink.children.empty());
  EXPECT_TRUE(sink.tags.empty());
}

TEST(MailMessageTest, EncryptedContentIsTaggedNotExtracted) {
  MimeEntity control;
  control.fields = {{"Content-Type", "application/pgp-encrypted"}};
  control.body = "Version: 1\n";
  MimeEntity data;
  data.fields = {{"Content-Type", "application/octet-stream; name=encrypted.asc"}};
  data.body = "-----BEGIN PGP MESSAGE-----\nhQEMA\n-----END PGP MESSAGE-----\n";
  MimeEntity pgp = Multipart("encrypted", {control, data}, "enc-1");
  pgp.fields[0].second += "; protocol=\"application/pgp-encrypted\"";
  RecordingSink sink;
  MailRun run = RunMail(sink, MakeMessage(kHeaders, pgp));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.tags, Strings{"encrypted"});
  EXPECT_TRUE(sink.children.empty());
  EXPECT_EQ(sink.text, "Whale song\n");

  MimeEntity smime = Attachment("application/pkcs7-mime; smime-type=enveloped-data", "smime.p7m",
                                "\x30\x80\x06\x09");
  RecordingSink enveloped;
  run = RunMail(enveloped, MakeMessage(kHeaders, smime));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(enveloped.tags, Strings{"encrypted"});
  EXPECT_TRUE(enveloped.children.empty());

  RecordingSink armored;
  run = RunMail(armored, MakeMessage(kHeaders, TextPart("plain", "us-ascii",
                                                        "-----BEGIN PGP MESSAGE-----\n\nhQEMA\n"
                                                        "-----END PGP MESSAGE-----\n")));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(armored.tags, Strings{"encrypted"});
}

TEST(MailMessageTest, HostChildLimitsAreHonoured) {
  const std::string big(200000, 'B');
  const std::string message = MakeMessage(
      kHeaders, Multipart("mixed",
                          {TextPart("plain", "utf-8", "Body words.\n"),
                           Attachment("application/octet-stream", "big.bin", big),
                           Attachment("application/octet-stream", "small.bin", "small"),
                           Attachment("application/octet-stream", "third.bin", "third")},
                          "mix-1"));
  // Count: the host takes one child and refuses the others; the text is complete.
  RecordingSink one;
  one.max_children = 1;
  MailRun run = RunMail(one, message);
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(ChildNames(one), Strings{"big.bin"});
  EXPECT_EQ(one.children[0].bytes, big);
  EXPECT_EQ(one.refused_children, 1);  // BeginChild refused once; not asked again
  EXPECT_EQ(one.text, "Whale song\nBody words.");

  // Size: the big child is dropped part-way, the smaller ones still come.
  RecordingSink sized;
  sized.max_child_bytes = 1000;
  run = RunMail(sized, message);
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(ChildNames(sized), (Strings{"big.bin", "small.bin", "third.bin"}));
  EXPECT_TRUE(sized.children[0].dropped);
  EXPECT_LT(sized.child_writes, 10);  // the plugin stopped writing the dropped child
  EXPECT_FALSE(sized.children[1].dropped);
  EXPECT_EQ(sized.children[1].bytes, "small");
  EXPECT_EQ(sized.children[2].bytes, "third");
}

TEST(MailMessageTest, TextBudgetCutsTheTextShort) {
  MessageOptions options;
  options.max_text = 40;
  RecordingSink sink;
  const MailRun run = RunMail(
      sink, MakeMessage(kHeaders, TextPart("plain", "utf-8", std::string(1000, 'w') + "\n")),
      "message/rfc822", options);
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\n" + std::string(29, 'w'));
  EXPECT_EQ(sink.findings["truncated"], "true");

  // The host's own text limit is honoured as well.
  RecordingSink host_limited;
  host_limited.text_budget = 64 << 10;
  const MailRun limited =
      RunMail(host_limited,
              MakeMessage(kHeaders, TextPart("plain", "utf-8", std::string(300000, 'x') + "\n")));
  ASSERT_EQ(limited.rc, ARCHIVUM_OK) << limited.error;
  EXPECT_LE(host_limited.text.size(), size_t{64} << 10);
  EXPECT_EQ(host_limited.findings["truncated"], "true");
}

TEST(MailMessageTest, TextReachesTheHostInBoundedPieces) {
  RecordingSink sink;
  const std::string body = std::string(500000, 'z') + "\n";
  const MailRun run = RunMail(sink, MakeMessage(kHeaders, TextPart("plain", "utf-8", body)));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\n" + body);
  EXPECT_GE(sink.text_calls, 8);  // 64 KiB pieces
}

TEST(MailMessageTest, InputThatIsNoMessageIsAnError) {
  for (const std::string& garbage :
       {std::string("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 16), std::string("hello world\n"),
        std::string("no colon here at all"), std::string(" continuation first: x\n\nbody")}) {
    RecordingSink sink;
    const MailRun run = RunMail(sink, garbage);
    EXPECT_EQ(run.rc, ARCHIVUM_ERROR) << garbage;
    EXPECT_THAT(run.error, HasSubstr("not an e-mail message")) << garbage;
  }
  RecordingSink empty;
  const MailRun run = RunMail(empty, "");
  EXPECT_EQ(run.rc, ARCHIVUM_ERROR);
  EXPECT_EQ(run.error, "not an e-mail message: the file is empty");
}

TEST(MailMessageTest, TruncatedMessageKeepsWhatIsThere) {
  const std::string full = MakeMessage(
      kHeaders, Multipart("mixed",
                          {TextPart("plain", "utf-8", "Body.\n"),
                           Attachment("application/pdf", "r.pdf", std::string(3000, 'p'))},
                          "mix-1"));
  RecordingSink sink;
  const MailRun run = RunMail(sink, full.substr(0, full.size() / 2));
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.text, "Whale song\nBody.");
  ASSERT_EQ(ChildNames(sink), Strings{"r.pdf"});
  EXPECT_LT(sink.children[0].bytes.size(), 3000u);
  EXPECT_EQ(sink.children[0].bytes, std::string(sink.children[0].bytes.size(), 'p'));
}

TEST(MailMessageTest, CancellationStopsTheRead) {
  const std::string message = MakeMessage(
      kHeaders, Multipart("mixed",
                          {TextPart("plain", "utf-8", "Body.\n"),
                           Attachment("application/pdf", "r.pdf", std::string(300000, 'p')),
                           Attachment("application/pdf", "s.pdf", "s")},
                          "mix-1"));
  for (int after : {0, 1, 3}) {
    RecordingSink sink;
    const MailRun run = RunMail(sink, message, "message/rfc822", {}, after);
    EXPECT_EQ(run.rc, ARCHIVUM_CANCELLED) << after << ": " << run.error;
  }
}

TEST(MailMessageTest, MessagesTypedAsPlainTextAreRecognized) {
  // file 5.44 calls a message that starts with MIME-Version or Message-ID text/plain.
  const std::string message =
      MakeMessage({{"Message-ID", "<x@example.org>"}, {"Subject", "Typed as text"}},
                  TextPart("plain", "utf-8", "Body.\n"));
  RecordingSink sink;
  MailRun run = RunMail(sink, message, "text/plain; charset=us-ascii");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(Values(sink, "subject"), Strings{"Typed as text"});

  for (const std::string& text : {std::string("Just some notes.\nNothing more.\n"),
                                  std::string("title: x\ndate: y\n\n"), std::string("")}) {
    RecordingSink other;
    run = RunMail(other, text, "text/plain");
    EXPECT_EQ(run.rc, ARCHIVUM_UNSUPPORTED) << text;
    EXPECT_TRUE(other.finding_list.empty());
  }
}

}  // namespace
}  // namespace archivum::bundled::mail::testing
