// The mail plugin's building blocks: recognizing mail typed text/plain, child names, the text
// output, the mbox message bytes and the parse guard's limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/mail_sniff.h"
#include "mail/child_names.h"
#include "mail/mbox_reader.h"
#include "mail/parse_guard.h"
#include "mail/text_output.h"
#include "plugins_bundled/mail_test_util.h"
#include "support/documents/mail_writer.h"

namespace archivum::bundled::mail::testing {
namespace {

using ::testing::HasSubstr;

TEST(MailSniffTest, MboxNeedsAFromLineWithADate) {
  EXPECT_TRUE(LooksLikeMbox("From alice@example.org Mon Jan  1 00:00:00 2024\nX: y\n"));
  EXPECT_TRUE(LooksLikeMbox("From - Tue Mar 05 10:15:00 2024\r\n"));
  EXPECT_TRUE(LooksLikeMbox("From MAILER-DAEMON  Sun Dec 31 23:59:59 2023"));
  EXPECT_FALSE(LooksLikeMbox("From: alice@example.org\n"));
  EXPECT_FALSE(LooksLikeMbox("From here on, we sail.\n"));
  EXPECT_FALSE(LooksLikeMbox("From alice@example.org\n"));
  EXPECT_FALSE(LooksLikeMbox("Hello\nFrom a Mon Jan  1 00:00:00 2024\n"));
  EXPECT_FALSE(LooksLikeMbox(""));
}

TEST(MailSniffTest, MessageNeedsAHeaderBlockOfMailFields) {
  EXPECT_TRUE(LooksLikeMessage("MIME-Version: 1.0\nContent-Type: text/plain\n\nbody"));
  EXPECT_TRUE(LooksLikeMessage("Message-ID: <a@b>\r\nSubject: x\r\n  folded\r\n\r\nbody"));
  EXPECT_TRUE(LooksLikeMessage("X-Mozilla-Status: 0001\nX-Custom: 1\nFrom: a@b.c\n"));
  EXPECT_TRUE(LooksLikeMessage("Subject : spaced\nTo: a@b.c\n\n"));
  EXPECT_FALSE(LooksLikeMessage("Subject: only one field\n\nbody"));
  EXPECT_FALSE(LooksLikeMessage("title: x\nauthor: y\ndate: z\n\n"));
  EXPECT_FALSE(LooksLikeMessage("From: a@b.c\nnot a field\nSubject: x\n\n"));
  EXPECT_FALSE(LooksLikeMessage(" From: a@b.c\nSubject: x\n\n"));
  EXPECT_FALSE(LooksLikeMessage("Just text.\n"));
  EXPECT_FALSE(LooksLikeMessage(""));
  // A header block must end within the first 64 KiB.
  const std::string long_block = "From: a@b.c\nSubject: x\n" + std::string(70000, 'X') + ": y\n\n";
  EXPECT_FALSE(LooksLikeMessage(long_block));
}

TEST(MailChildNamesTest, ExtensionsOfCommonTypes) {
  EXPECT_EQ(ExtensionFor("application/pdf"), ".pdf");
  EXPECT_EQ(ExtensionFor("IMAGE/JPEG"), ".jpg");
  EXPECT_EQ(ExtensionFor("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ".docx");
  EXPECT_EQ(ExtensionFor("message/rfc822"), ".eml");
  EXPECT_EQ(ExtensionFor("Message/Global"), ".eml");
  EXPECT_EQ(ExtensionFor("message/delivery-status"), ".txt");
  EXPECT_EQ(ExtensionFor("message/partial"), "");
  EXPECT_EQ(ExtensionFor("text/calendar"), ".ics");
  EXPECT_EQ(ExtensionFor("application/octet-stream"), "");
  EXPECT_EQ(ExtensionFor("nonsense"), "");
}

TEST(MailChildNamesTest, NamesAreSanitizedNumberedAndUnique) {
  ChildNamer namer;
  EXPECT_EQ(namer.Next("report.pdf", "application/pdf"), "report.pdf");
  EXPECT_EQ(namer.Next("", "image/png"), "part-2.png");
  EXPECT_EQ(namer.Next("report.pdf", "application/pdf"), "report-2.pdf");
  EXPECT_EQ(namer.Next("report.pdf", "application/pdf"), "report-3.pdf");
  EXPECT_EQ(namer.Next(" a/b\\c\td ", "text/plain"), "a_b_c_d");
  EXPECT_EQ(namer.Next("bad\xFF.txt", "text/plain"), "bad\xEF\xBF\xBD.txt");
  EXPECT_EQ(namer.Next(". .", "message/rfc822"), "message-7.eml");
  EXPECT_EQ(namer.Next("README", "text/plain"), "README");
  EXPECT_EQ(namer.Next("README", "text/plain"), "README-2");
  EXPECT_EQ(namer.Next("", "message/delivery-status"), "part-10.txt");
  const std::string longest =
      namer.Next(std::string(150, 'x') + "ü" + std::string(150, 'y'), "text/plain");
  EXPECT_EQ(longest, std::string(150, 'x') + "ü" + std::string(48, 'y'));
  EXPECT_LE(longest.size(), ChildNamer::kMaxNameBytes);
}

TEST(MailTextOutputTest, SequencesSplitAcrossAppendsAreJoined) {
  RecordingSink sink;
  sdk::Sink s(sink.get());
  TextOutput out(s, 1000);
  const std::string text = "añb€c";  // ñ: 2 bytes, €: 3 bytes
  for (char c : text) out.Append(std::string(1, c));
  out.EndRun();
  out.Append("\xE2\x82");  // an incomplete sequence at the end of a run
  out.EndRun();
  out.Append("\xFFz");
  out.Flush();
  EXPECT_EQ(sink.text, "añb€c\xEF\xBF\xBD\xEF\xBF\xBDz");
  EXPECT_FALSE(out.truncated());
}

TEST(MailTextOutputTest, BudgetCutsAtACharacterBoundary) {
  RecordingSink sink;
  sdk::Sink s(sink.get());
  TextOutput out(s, 4);
  EXPECT_TRUE(out.Append("ab"));
  EXPECT_FALSE(out.Append("€€"));  // 3 bytes do not fit in the 2 left
  EXPECT_FALSE(out.Append("more"));
  out.Flush();
  EXPECT_EQ(sink.text, "ab");
  EXPECT_TRUE(out.truncated());
}

TEST(MailMboxBytesTest, QuotingAndSeparatorAreUndone) {
  const std::string mbox = "From x\nA: b\n\n>From one\n>>From two\n> From three\n>Fromage\n\n";
  std::string out;
  const auto collect = [&out](std::string_view piece) {
    out.append(piece);
    return true;
  };
  ASSERT_TRUE(MboxMessageBytes(mbox, 7, mbox.size(), 4, collect));
  EXPECT_EQ(out, "A: b\n\nFrom one\n>From two\n> From three\n>Fromage\n");
  out.clear();
  ASSERT_TRUE(MboxMessageBytes("x\r\n\r\n", 0, 5, 100, collect));
  EXPECT_EQ(out, "x\r\n");
  int calls = 0;
  EXPECT_FALSE(MboxMessageBytes(std::string(100, 'a'), 0, 100, 10,
                                [&calls](std::string_view) { return ++calls < 3; }));
  EXPECT_EQ(calls, 3);
}

TEST(MailMboxBytesTest, NextFromLineFindsLineStartsOnly) {
  const std::string mbox = "From a\nx From b\nFrom c\n";
  EXPECT_EQ(NextFromLine(mbox, 0), 0u);
  EXPECT_EQ(NextFromLine(mbox, 7), 16u);
  EXPECT_EQ(NextFromLine(mbox, 23), mbox.size());
}

// Feeds `bytes` to a guard the way InputFile does, 4 KiB at a time.
ParseGuard Guarded(const std::string& bytes, bool mbox, GuardLimits limits = {}) {
  ParseGuard guard(bytes, mbox, limits);
  for (size_t offset = 4096; !guard.tripped(); offset += 4096) {
    guard.Advance(offset);
    if (offset >= bytes.size()) break;
  }
  return guard;
}

TEST(MailParseGuardTest, CountsOnlyDeclaredBoundaries) {
  // A patch mailed inline: many lines start with "--" but none is a declared boundary.
  std::string patch = "From: a@b.c\nContent-Type: multipart/mixed; boundary=\"=_b\"\n\n--=_b\n\n";
  for (int i = 0; i < 20000; ++i) patch += "--- a/file" + std::to_string(i) + "\n-- removed\n";
  patch += "--=_b--\n";
  GuardLimits limits;
  limits.max_parts = 10;
  EXPECT_FALSE(Guarded(patch, false, limits).tripped());

  std::string parts = "Content-Type: multipart/mixed; boundary=\"b b \"\n\n";
  for (int i = 0; i < 11; ++i) parts += i % 2 ? "--b b \t\n\n" : "--b b--\n\n";
  const ParseGuard guard = Guarded(parts, false, limits);
  ASSERT_TRUE(guard.tripped());
  EXPECT_EQ(guard.reason(), "more than 10 MIME parts");
  EXPECT_EQ(guard.trip_offset(), parts.rfind("--b b--"));
}

TEST(MailParseGuardTest, BoundsHeaderFields) {
  GuardLimits limits;
  limits.max_header_field_bytes = 1000;
  limits.max_header_fields = 50;
  limits.max_header_bytes = 5000;

  std::string folded = "From: a@b.c\nX-Long: start\n";
  for (int i = 0; i < 100; ++i) folded += " continued line of the long field\n";
  folded += "\nbody\n";
  const ParseGuard long_field = Guarded(folded, false, limits);
  ASSERT_TRUE(long_field.tripped());
  EXPECT_EQ(long_field.reason(), "a header field longer than 1000 bytes");

  std::string many;
  for (int i = 0; i < 60; ++i) many += "X-" + std::to_string(i) + ": v\n";
  const ParseGuard many_fields = Guarded(many + "\nbody\n", false, limits);
  ASSERT_TRUE(many_fields.tripped());
  EXPECT_EQ(many_fields.reason(), "more than 50 header fields");

  // Long lines in a body are no header fields.
  const std::string body_line = "From: a@b.c\n\n" + std::string(100000, 'A') + "\n";
  EXPECT_FALSE(Guarded(body_line, false, limits).tripped());

  // The body of an attached message is a header block again; base64 content is not.
  const std::string nested =
      "Content-Type: message/rfc822\n\nX-Long: " + std::string(2000, 'n') + "\n\nbody\n";
  EXPECT_TRUE(Guarded(nested, false, limits).tripped());
  const std::string encoded =
      "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" +
      std::string(2000, 'n') + "\n";
  EXPECT_FALSE(Guarded(encoded, false, limits).tripped());
  // A part of a multipart/digest without Content-Type is a message too.
  const std::string digest =
      "Content-Type: multipart/digest; boundary=d\n\n--d\n\nX-Long: " + std::string(2000, 'n') +
      "\n\n--d--\n";
  EXPECT_TRUE(Guarded(digest, false, limits).tripped());
}

TEST(MailParseGuardTest, MboxCountsPerMessageAndRestarts) {
  GuardLimits limits;
  limits.max_header_fields = 3;
  const std::string mbox =
      "From a Mon Jan  1 00:00:00 2024\nA: 1\nB: 2\n\nbody\n"
      "From b Mon Jan  1 00:00:00 2024\nA: 1\nB: 2\nC: 3\nD: 4\n\nbody\n"
      "From c Mon Jan  1 00:00:00 2024\nA: 1\n\nbody\n";
  ParseGuard guard = Guarded(mbox, true, limits);
  ASSERT_TRUE(guard.tripped());
  const size_t second = mbox.find("From b");
  EXPECT_EQ(guard.trip_message(), second);
  EXPECT_EQ(guard.trip_offset(), mbox.find("D: 4"));
  guard.Restart(mbox.find("From c"));
  guard.Advance(mbox.size());
  EXPECT_FALSE(guard.tripped());
}

TEST(MailParseGuardTest, HostileMessagesAreRefusedWithTheLimit) {
  // Two folded lines of 600 KB: GMime grows its header buffer per line (copying it under
  // sanitizers), so many short lines would only make the test slow.
  const std::string header = "From: a@b.c\nX-Big: x\n " + std::string(600000, 'f') + "\n " +
                             std::string(600000, 'g') + "\n\nbody\n";
  RecordingSink sink;
  const MailRun run = RunMail(sink, header);
  EXPECT_EQ(run.rc, ARCHIVUM_RESOURCE_EXHAUSTED);
  EXPECT_EQ(run.error,
            "the message is beyond the mail plugin's limits: a header field longer than 1 MiB");
  EXPECT_TRUE(sink.finding_list.empty());
}

}  // namespace
}  // namespace archivum::bundled::mail::testing
