// The built pdf plugin module through the C ABI, as the host uses it: dlopen, the entry symbol,
// create() with a config, process() into a sink, last_error() and destroy().
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archivum/plugin.h"
#include "plugins_bundled/test_util.h"
#include "support/documents/pdf_writer.h"

namespace archivum::bundled {
namespace {

using archivum::testing::MakePdf;
using archivum::testing::PdfFixture;
using archivum::testing::ReadPdfFixture;
using testing::RecordingSink;
using testing::TestFile;

std::string PdfAbiView(archivum_str s) {
  return s.size == 0 ? "" : std::string(s.data, s.size);
}

// The pdf module, loaded and (after Create) with one plugin state.
class PdfModule {
 public:
  PdfModule() {
    handle_ = dlopen(ARCHIVUM_PDF_PLUGIN, RTLD_NOW | RTLD_LOCAL);
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
  ~PdfModule() {
    if (state_ != nullptr) descriptor_->destroy(state_);
    if (handle_ != nullptr) dlclose(handle_);
  }
  PdfModule(const PdfModule&) = delete;
  PdfModule& operator=(const PdfModule&) = delete;

  bool loaded() const { return descriptor_ != nullptr; }
  const std::string& error() const { return error_; }
  const archivum_plugin_descriptor& descriptor() const { return *descriptor_; }

  archivum_rc Create(std::string_view config) {
    const archivum_rc rc = descriptor_->create({config.data(), config.size()}, &host_, &state_);
    if (rc != ARCHIVUM_OK) error_ = PdfAbiView(descriptor_->last_error(nullptr));
    return rc;
  }
  archivum_rc Process(const TestFile& file, RecordingSink& sink) {
    const archivum_rc rc = descriptor_->process(state_, file.get(), sink.get());
    error_ = rc == ARCHIVUM_OK ? "" : PdfAbiView(descriptor_->last_error(state_));
    return rc;
  }

 private:
  void* handle_ = nullptr;
  const archivum_plugin_descriptor* descriptor_ = nullptr;
  archivum_host_api host_{};
  archivum_plugin_state* state_ = nullptr;
  std::string error_;
};

TEST(PdfAbiTest, DescriptorDeclaresAThreadSafeExtractorOfPdf) {
  PdfModule module;
  ASSERT_TRUE(module.loaded()) << module.error();
  const archivum_plugin_descriptor& d = module.descriptor();
  EXPECT_EQ(PdfAbiView(d.name), "pdf");
  EXPECT_EQ(d.abi_major, ARCHIVUM_ABI_VERSION_MAJOR);
  EXPECT_EQ(d.abi_minor, ARCHIVUM_ABI_VERSION_MINOR);
  EXPECT_EQ(d.struct_size, sizeof(archivum_plugin_descriptor));
  EXPECT_EQ(d.stage, ARCHIVUM_STAGE_EXTRACT);
  EXPECT_EQ(d.flags, ARCHIVUM_FLAG_THREAD_SAFE);
  ASSERT_EQ(d.accept_count, 1u);
  EXPECT_EQ(PdfAbiView(d.accept[0]), "application/pdf");
  EXPECT_EQ(d.query, nullptr);
  EXPECT_EQ(d.flush, nullptr);
  EXPECT_EQ(d.max_file_size, 0u) << "a file too large for poppler gets an error, not silence";
}

TEST(PdfAbiTest, AnySettingIsRefused) {
  PdfModule module;
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.Create(R"({"max_pages": 10})"), ARCHIVUM_INVALID_ARGUMENT);
  EXPECT_NE(module.error().find("config"), std::string::npos) << module.error();
}

TEST(PdfAbiTest, ProcessesDocumentsThroughTheAbi) {
  PdfModule module;
  ASSERT_TRUE(module.loaded()) << module.error();
  ASSERT_EQ(module.Create("{}"), ARCHIVUM_OK) << module.error();

  TestFile pdf("/docs/report.pdf",
               MakePdf({.pages = {"Hello from page one", "and page two"},
                        .info = {{"Title", "Report"}, {"CreationDate", "D:20240301093000Z"}}}),
               "application/pdf");
  RecordingSink sink;
  ASSERT_EQ(module.Process(pdf, sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(sink.text, "Hello from page one\n\f\nand page two");
  EXPECT_EQ(sink.findings["pages"], "2");
  EXPECT_EQ(sink.findings["title"], "Report");
  EXPECT_EQ(sink.findings["created"], "2024-03-01T09:30:00Z");

  TestFile locked("/docs/locked.pdf", ReadPdfFixture(PdfFixture::kUserPassword), "application/pdf");
  RecordingSink locked_sink;
  ASSERT_EQ(module.Process(locked, locked_sink), ARCHIVUM_OK) << module.error();
  EXPECT_EQ(locked_sink.tags, std::vector<std::string>{"encrypted"});

  TestFile garbage("/docs/fake.pdf", std::string(4096, '\x7f'), "application/pdf");
  RecordingSink garbage_sink;
  EXPECT_EQ(module.Process(garbage, garbage_sink), ARCHIVUM_ERROR);
  EXPECT_EQ(module.error().rfind("not a readable PDF: ", 0), 0u) << module.error();

  TestFile cancelled("/docs/report.pdf", MakePdf({.pages = {"x"}}), "application/pdf");
  cancelled.CancelAfter(0);
  RecordingSink cancelled_sink;
  EXPECT_EQ(module.Process(cancelled, cancelled_sink), ARCHIVUM_CANCELLED);
}

}  // namespace
}  // namespace archivum::bundled
