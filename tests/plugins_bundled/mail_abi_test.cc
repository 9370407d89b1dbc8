// The built mail module through the C ABI, as the host uses it: dlopen, the entry symbol, the
// descriptor, create() with a config, process() into a sink (also from several threads at once,
// as its thread-safe flag allows), last_error() and destroy().
#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/mail_writer.h"

namespace archivum::bundled::mail::testing {
namespace {

using bundled::testing::RecordingSink;
using bundled::testing::TestFile;
using ::testing::HasSubstr;

std::string AbiString(archivum_str s) {
  return s.size == 0 ? "" : std::string(s.data, s.size);
}

// The mail module, loaded once per test, and one plugin state after Create().
class MailModule {
 public:
  MailModule() {
    handle_ = dlopen(ARCHIVUM_MAIL_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      error_ = dlerror();
      return;
    }
    const auto entry =
        reinterpret_cast<archivum_plugin_entry_fn>(dlsym(handle_, ARCHIVUM_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) {
      error_ = "no entry symbol";
      return;
    }
    descriptor_ = entry();
    host_.struct_size = sizeof(host_);
    host_.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    host_.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    host_.plugin_name = descriptor_->name;
    host_.log = [](void*, archivum_log_level, archivum_str) {};
  }
  ~MailModule() {
    if (state_ != nullptr) descriptor_->destroy(state_);
    if (handle_ != nullptr) dlclose(handle_);
  }
  MailModule(const MailModule&) = delete;
  MailModule& operator=(const MailModule&) = delete;

  const archivum_plugin_descriptor* descriptor() const { return descriptor_; }
  const std::string& error() const { return error_; }

  archivum_rc Create(std::string_view config) {
    const archivum_rc rc = descriptor_->create({config.data(), config.size()}, &host_, &state_);
    if (rc != ARCHIVUM_OK) error_ = AbiString(descriptor_->last_error(nullptr));
    return rc;
  }
  // Thread-safe for the module (it says so); `error` receives last_error on failure.
  archivum_rc Process(const TestFile& file, RecordingSink& sink, std::string* error) const {
    const archivum_rc rc = descriptor_->process(state_, file.get(), sink.get());
    if (rc != ARCHIVUM_OK && error != nullptr) *error = AbiString(descriptor_->last_error(state_));
    return rc;
  }

 private:
  void* handle_ = nullptr;
  const archivum_plugin_descriptor* descriptor_ = nullptr;
  archivum_host_api host_{};
  archivum_plugin_state* state_ = nullptr;
  std::string error_;
};

TEST(MailAbiTest, DescriptorDeclaresAThreadSafeExtractPlugin) {
  MailModule module;
  ASSERT_NE(module.descriptor(), nullptr) << module.error();
  const archivum_plugin_descriptor& d = *module.descriptor();
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
  MailModule module;
  ASSERT_NE(module.descriptor(), nullptr) << module.error();
  ASSERT_EQ(module.Create("{\"max_text\": \"1M\"}"), ARCHIVUM_OK) << module.error();
  TestFile file("/mail/sample.eml", archivum::testing::SampleMessage(), "message/rfc822");
  RecordingSink sink;
  std::string error;
  ASSERT_EQ(module.Process(file, sink, &error), ARCHIVUM_OK) << error;
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
  MailModule module;
  ASSERT_NE(module.descriptor(), nullptr) << module.error();
  EXPECT_EQ(module.Create("{\"max_txt\": 1}"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_THAT(module.error(), HasSubstr("max_txt"));

  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();
  TestFile garbage("/mail/garbage.eml",
                   std::string("\x7f"
                               "ELF\x02\x01",
                               6),
                   "message/rfc822");
  RecordingSink sink;
  std::string error;
  EXPECT_EQ(module.Process(garbage, sink, &error), ARCHIVUM_ERROR);
  EXPECT_THAT(error, HasSubstr("not an e-mail message"));

  TestFile text("/notes.txt", "Just notes.\n", "text/plain");
  RecordingSink other;
  EXPECT_EQ(module.Process(text, other, nullptr), ARCHIVUM_UNSUPPORTED);

  TestFile cancelled("/mail/sample.eml", archivum::testing::SampleMessage(), "message/rfc822");
  cancelled.CancelAfter(0);
  RecordingSink stopped;
  EXPECT_EQ(module.Process(cancelled, stopped, nullptr), ARCHIVUM_CANCELLED);
}

TEST(MailAbiTest, ConcurrentCallsOnOneStateAgree) {
  MailModule module;
  ASSERT_NE(module.descriptor(), nullptr) << module.error();
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
        if (module.Process(file, sink, &error) != ARCHIVUM_OK) {
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
