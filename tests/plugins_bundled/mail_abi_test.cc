// The built mail module through the C ABI, as the host uses it: dlopen, the entry symbol, the
// descriptor, create() with a config, process() into a sink (also from several threads at once,
// as its thread-safe flag allows), last_error() and destroy().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/loaded_module.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/mail_writer.h"

namespace archivum::bundled::mail::testing {
namespace {

using bundled::testing::AbiString;
using bundled::testing::LoadedModule;
using bundled::testing::RecordingSink;
using bundled::testing::TestFile;
using ::testing::HasSubstr;

TEST(MailAbiTest, DescriptorDeclaresAThreadSafeExtractPlugin) {
  LoadedModule module(ARCHIVUM_MAIL_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(AbiString(d.name), "mail");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.struct_size, sizeof(archivum_plugin_descriptor));
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE);
  std::vector<std::string> accept;
  for (size_t i = 0; i < d.accept_count; ++i) accept.push_back(AbiString(d.accept[i]));
  EXPECT_EQ(accept, (std::vector<std::string>{"message/rfc822", "application/mbox"}));
  EXPECT_EQ(d.query, nullptr);
  EXPECT_EQ(d.flush, nullptr);
}

TEST(MailAbiTest, ProcessesAMessageThroughTheAbi) {
  LoadedModule module(ARCHIVUM_MAIL_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{\"max_text\": \"1M\"}"), ARCHIVUM_OK) << module.error();
  TestFile file("/mail/sample.eml", archivum::testing::SampleMessage(), "message/rfc822");
  RecordingSink sink;
  ASSERT_EQ(module.Process(file, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.findings["subject"], "Quarterly whales report");
  EXPECT_EQ(sink.findings["date"], "2024-03-05T09:15:00Z");
  EXPECT_EQ(sink.findings["message_id"], "whales-42@example.org");
  EXPECT_EQ(sink.text, "Quarterly whales report\nThe narwhal population grew.");
  ASSERT_EQ(sink.children.size(), 2u);
  EXPECT_EQ(sink.children[0].name, "report.pdf");
  EXPECT_EQ(sink.children[0].bytes, archivum::testing::PdfLikeBlob());
  EXPECT_EQ(sink.children[1].name, "message-2.eml");
  EXPECT_THAT(sink.children[1].bytes, HasSubstr("Subject: Fwd: krill"));
  EXPECT_FALSE(sink.child_open());
}

TEST(MailAbiTest, ErrorsReachLastError) {
  LoadedModule module(ARCHIVUM_MAIL_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create("{\"max_txt\": 1}"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_THAT(module.error(), HasSubstr("max_txt"));

  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  TestFile garbage("/mail/garbage.eml",
                   std::string("\x7f"
                               "ELF\x02\x01",
                               6),
                   "message/rfc822");
  RecordingSink sink;
  EXPECT_EQ(module.Process(garbage, sink), ARCHIVUM_ERROR);
  EXPECT_THAT(module.error(), HasSubstr("not an e-mail message"));

  TestFile text("/notes.txt", "Just notes.\n", "text/plain");
  RecordingSink other;
  EXPECT_EQ(module.Process(text, other), ARCHIVUM_UNSUPPORTED);

  TestFile cancelled("/mail/sample.eml", archivum::testing::SampleMessage(), "message/rfc822");
  cancelled.CancelAfter(0);
  RecordingSink stopped;
  EXPECT_EQ(module.Process(cancelled, stopped), ARCHIVUM_CANCELLED);
}

TEST(MailAbiTest, ConcurrentCallsOnOneStateAgree) {
  LoadedModule module(ARCHIVUM_MAIL_PLUGIN);
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  const std::string message = archivum::testing::SampleMessage();
  const std::string mbox = archivum::testing::MakeMbox({message, message, message});
  constexpr int kThreads = 4;
  std::vector<std::string> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        const bool as_mbox = (t + round) % 2 == 0;
        TestFile file("/mail/x", as_mbox ? mbox : message,
                      as_mbox ? "application/mbox" : "message/rfc822");
        RecordingSink sink;
        std::string error;
        if (module.ProcessConcurrently(file, sink, &error) != ARCHIVUM_OK) {
          results[t] += "error: " + error + ";";
        } else if (as_mbox) {
          results[t] += sink.findings["messages"] + ";";
        } else {
          results[t] += sink.findings["subject"] + "/" + std::to_string(sink.children.size()) + ";";
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    std::string expected;
    for (int round = 0; round < 5; ++round) {
      expected += (t + round) % 2 == 0 ? "3;" : "Quarterly whales report/2;";
    }
    EXPECT_EQ(results[t], expected) << t;
  }
}

}  // namespace
}  // namespace archivum::bundled::mail::testing
