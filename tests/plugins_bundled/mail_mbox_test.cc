// The mail plugin on mbox mailboxes: one streamed child per message, the "messages" count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins_bundled/mail_test_util.h"
#include "support/documents/mail_writer.h"

namespace archivum::bundled::mail::testing {
namespace {

using archivum::testing::MakeMbox;
using archivum::testing::MakeMessage;
using archivum::testing::TextPart;
using ::testing::HasSubstr;
using MboxNames = std::vector<std::string>;

std::string Note(const std::string& subject, const std::string& body) {
  return MakeMessage({{"From", "Ann <ann@example.org>"}, {"Subject", subject}},
                     TextPart("plain", "utf-8", body));
}

// Three messages; the second quotes "From " lines as an mbox must.
std::vector<std::string> ThreeMessages() {
  return {Note("First", "Hello.\n"),
          Note("Second", "From here on, quoting.\n>From the archive.\nEnd.\n"),
          Note("Third", "Bye.\n")};
}

TEST(MailMboxTest, EachMessageIsAStreamedChild) {
  const std::vector<std::string> messages = ThreeMessages();
  const std::string mbox = MakeMbox(messages);
  ASSERT_THAT(mbox, HasSubstr("\n>From here on"));  // quoted by the mbox
  ASSERT_THAT(mbox, HasSubstr("\n>>From the archive"));
  RecordingSink sink;
  const MailRun run = RunMail(sink, mbox, "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(ChildNames(sink), (MboxNames{"message-1.eml", "message-2.eml", "message-3.eml"}));
  for (size_t i = 0; i < messages.size(); ++i) {
    // The message as it was before it went into the mbox: no "From " line, quoting undone.
    EXPECT_EQ(sink.children[i].bytes, messages[i]) << i;
    EXPECT_TRUE(sink.children[i].streamed);
  }
  EXPECT_EQ(sink.finding_list,
            (std::vector<std::pair<std::string, std::string>>{{"messages", "3"}}));
  EXPECT_EQ(sink.text, "");

  // The host reads each child with this plugin in turn.
  RecordingSink second;
  ASSERT_EQ(RunMail(second, sink.children[1].bytes).rc, ARCHIVUM_OK);
  EXPECT_EQ(second.text, "Second\nFrom here on, quoting.\n>From the archive.\nEnd.\n");
}

TEST(MailMboxTest, MboxTypedAsPlainTextIsRecognized) {
  // file 5.44 calls an mbox "ASCII text".
  RecordingSink sink;
  const MailRun run = RunMail(sink, MakeMbox(ThreeMessages()), "text/plain; charset=us-ascii");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(sink.children.size(), 3u);
  EXPECT_EQ(sink.findings["messages"], "3");
}

TEST(MailMboxTest, CrlfMboxKeepsItsLineEnds) {
  const std::string message = "From: a@example.org\r\nSubject: CRLF\r\n\r\nBody.\r\n";
  const std::string mbox = "From a@example.org Mon Jan  1 00:00:00 2024\r\n" + message + "\r\n" +
                           "From b@example.org Mon Jan  1 00:00:00 2024\r\n" + message;
  RecordingSink sink;
  const MailRun run = RunMail(sink, mbox, "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(sink.children.size(), 2u);
  EXPECT_EQ(sink.children[0].bytes, message);
  EXPECT_EQ(sink.children[1].bytes, message);
}

TEST(MailMboxTest, HostChildLimitsAreHonoured) {
  RecordingSink sink;
  sink.max_children = 2;
  MailRun run = RunMail(sink, MakeMbox(ThreeMessages()), "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  EXPECT_EQ(ChildNames(sink), (MboxNames{"message-1.eml", "message-2.eml"}));
  EXPECT_EQ(sink.refused_children, 1);
  EXPECT_EQ(sink.findings["messages"], "3");  // the count covers every message

  const std::vector<std::string> messages = {Note("Big", std::string(300000, 'b') + "\n"),
                                             Note("Small", "s\n")};
  RecordingSink sized;
  sized.max_child_bytes = 1000;
  run = RunMail(sized, MakeMbox(messages), "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(sized.children.size(), 2u);
  EXPECT_TRUE(sized.children[0].dropped);
  EXPECT_EQ(sized.children[1].bytes, messages[1]);
}

TEST(MailMboxTest, MessageGmimeCannotReadIsStillHandedOver) {
  // The middle message has more MIME parts than the parser's limit, the next one a header block
  // GMime refuses (its first line is no field); both are handed over whole and fail on their own
  // when the host reads them.
  std::string hostile = "From: x@example.org\nContent-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 6000; ++i) hostile += "--b\n\nx\n";
  hostile += "--b--\n";
  const std::string broken = "not a header line\n\nbody\n";
  const std::vector<std::string> messages = {Note("One", "1\n"), hostile, broken,
                                             Note("Four", "4\n")};
  RecordingSink sink;
  const MailRun run = RunMail(sink, MakeMbox(messages), "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(sink.children.size(), 4u);
  for (size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(sink.children[i].bytes, messages[i]) << i;
  EXPECT_EQ(sink.findings["messages"], "4");

  RecordingSink child;
  const MailRun refused = RunMail(child, sink.children[1].bytes);
  EXPECT_EQ(refused.rc, ARCHIVUM_RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error, HasSubstr("more than 5000 MIME parts"));
}

TEST(MailMboxTest, UnquotedFromLineInABodyStartsAMessage) {
  // GMime's reading of an mbox (and every mbox reader's): any line that starts with "From " is
  // a message separator, so an unquoted one splits the message.
  const std::string mbox =
      "From a Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\nFrom the start.\n\n"
      "From b Mon Jan  1 00:00:00 2024\nSubject: two\n\nlast\n";
  RecordingSink sink;
  const MailRun run = RunMail(sink, mbox, "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(sink.children.size(), 3u);
  EXPECT_EQ(sink.children[0].bytes, "Subject: one\n\nbody\n");
  EXPECT_EQ(sink.children[1].bytes, "");
  EXPECT_EQ(sink.children[2].bytes, "Subject: two\n\nlast\n");
}

TEST(MailMboxTest, LeadingTextBeforeTheFirstMessageIsSkipped) {
  const std::string mbox = "garbage line\n" + MakeMbox({Note("Only", "x\n")});
  RecordingSink sink;
  const MailRun run = RunMail(sink, mbox, "application/mbox");
  ASSERT_EQ(run.rc, ARCHIVUM_OK) << run.error;
  ASSERT_EQ(sink.children.size(), 1u);
  EXPECT_EQ(sink.children[0].bytes, Note("Only", "x\n"));
}

TEST(MailMboxTest, FileWithoutMessagesIsAnError) {
  for (const std::string& bytes :
       {std::string("Subject: not an mbox\n\nbody\n"), std::string("\x00\x01\x02", 3)}) {
    RecordingSink sink;
    const MailRun run = RunMail(sink, bytes, "application/mbox");
    EXPECT_EQ(run.rc, ARCHIVUM_ERROR);
    EXPECT_EQ(run.error, "not an mbox: no line starts with \"From \"");
    EXPECT_TRUE(sink.children.empty());
  }
  RecordingSink empty;
  EXPECT_EQ(RunMail(empty, "", "application/mbox").error, "not an mbox: the file is empty");
}

TEST(MailMboxTest, CancellationStopsTheRead) {
  std::vector<std::string> messages;
  for (int i = 0; i < 50; ++i) messages.push_back(Note("n" + std::to_string(i), "body\n"));
  RecordingSink sink;
  const MailRun run = RunMail(sink, MakeMbox(messages), "application/mbox", {}, 5);
  EXPECT_EQ(run.rc, ARCHIVUM_CANCELLED) << run.error;
  EXPECT_LT(sink.children.size(), 50u);
}

}  // namespace
}  // namespace archivum::bundled::mail::testing
