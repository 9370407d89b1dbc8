// The fixture of the FileManagerImpl tests: the service in process over a temporary catalog and
// the quarantine it holds, with the plugins a test asks for and one ingest root (files()), and an
// Upload stream held in memory.
//
// Thread safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/file_manager_impl.h"
#include "plugins/test_util.h"
#include "support/temp_dir.h"
#include "support/test_catalog.h"

namespace archivum::core {

// An Upload stream held in memory: its messages in order, then the end of the stream, which
// error() explains (OK: the client finished; not OK: a malformed message ended it).
class MemoryUpload final : public UploadReader {
 public:
  explicit MemoryUpload(std::vector<pb::UploadChunk> chunks, Status end = Status::Ok())
      : chunks_(std::move(chunks)), end_(std::move(end)) {}
  // A header naming `name`, then `data` in one message.
  MemoryUpload(std::string name, std::string data) {
    chunks_.emplace_back().mutable_header()->set_name(std::move(name));
    chunks_.emplace_back().set_data(std::move(data));
  }
  bool Next(pb::UploadChunk* chunk) override {
    if (next_ == chunks_.size()) return false;
    *chunk = chunks_[next_++];
    return true;
  }
  Status error() const override { return next_ == chunks_.size() ? end_ : Status::Ok(); }

  // The messages of an upload of `name` declaring `size` bytes, with `data` split into pieces of
  // at most `piece` bytes.
  static std::vector<pb::UploadChunk> Chunks(const std::string& name, uint64_t size,
                                             const std::string& data, size_t piece = 1 << 20) {
    std::vector<pb::UploadChunk> chunks(1);
    chunks[0].mutable_header()->set_name(name);
    chunks[0].mutable_header()->set_size(size);
    for (size_t at = 0; at < data.size(); at += piece) {
      chunks.emplace_back().set_data(data.substr(at, piece));
    }
    return chunks;
  }

 private:
  std::vector<pb::UploadChunk> chunks_;
  Status end_;
  size_t next_ = 0;
};

class FileManagerTest : public ::testing::Test {
 protected:
  // A service over a fresh catalog, with the plugins of `plugin_dirs` and `settings`, files() as
  // its one ingest root and ingest_ as its ingest settings.
  void Start(std::vector<std::filesystem::path> plugin_dirs,
             std::map<std::string, config::PluginSettings> settings = {}) {
    std::filesystem::create_directories(files());
    auto catalog = archivum::testing::OpenTestCatalog(tmp_.path() / "store");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    registry_ = plugins::testing::LoadDirs(std::move(plugin_dirs), std::move(settings),
                                           tmp_.path() / "store" / "plugins");
    ingest_.roots = {files()};
    auto quarantine = pipeline::Quarantine::Open(catalog_.get());
    ASSERT_TRUE(quarantine.ok()) << quarantine.status().ToString();
    quarantine_ = std::move(*quarantine);
    service_ =
        std::make_unique<FileManagerImpl>(catalog_.get(), registry_.get(), ingest_, spool_dir(),
                                          config::Server{}.max_query_bytes, quarantine_.get());
  }

  std::filesystem::path files() const { return tmp_.path() / "files"; }
  std::filesystem::path spool_dir() const { return tmp_.path() / "store" / "spool"; }
  // The path of `relative` under files(), as the catalog records it.
  std::string P(const std::string& relative) const { return (files() / relative).string(); }

  pb::IngestSummary Ingest(const std::filesystem::path& path) {
    pb::IngestRequest request;
    request.set_path(path.string());
    pb::IngestSummary summary;
    const Status st = service_->Ingest(request, CallContext{}, &summary);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return summary;
  }

  pb::IngestSummary Upload(std::string name, std::string data) {
    MemoryUpload reader(std::move(name), std::move(data));
    pb::IngestSummary summary;
    const Status st = service_->Upload(reader, CallContext{}, &summary);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return summary;
  }

  // The status of an upload of `chunks` that must fail.
  Status FailedUpload(std::vector<pb::UploadChunk> chunks) {
    MemoryUpload reader(std::move(chunks));
    pb::IngestSummary summary;
    return service_->Upload(reader, CallContext{}, &summary);
  }

  Status Analyze(const std::string& query, pb::AnalyzeResponse* response, uint32_t limit = 100,
                 uint32_t offset = 0) {
    pb::AnalyzeRequest request;
    request.set_query(query);
    request.set_limit(limit);
    request.set_offset(offset);
    response->Clear();
    return service_->Analyze(request, CallContext{}, response);
  }

  Status GetDocument(const std::string& path, pb::Document* document) {
    pb::GetDocumentRequest request;
    request.set_path(path);
    document->Clear();
    return service_->GetDocument(request, CallContext{}, document);
  }

  store::DocumentRecord Cataloged(const std::string& path) {
    auto found = catalog_->Find(path);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (!found.ok() || !found->has_value()) {
      ADD_FAILURE() << path << " is not cataloged";
      return {};
    }
    return **found;
  }

  bool IsCataloged(const std::string& path) {
    auto found = catalog_->Find(path);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && found->has_value();
  }

  archivum::testing::TempDir tmp_;
  config::Ingest ingest_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<plugins::PluginRegistry> registry_;
  std::unique_ptr<pipeline::Quarantine> quarantine_;
  std::unique_ptr<FileManagerImpl> service_;
};

}  // namespace archivum::core
