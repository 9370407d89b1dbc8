// The real `archivum` CLI against the real daemon: the README's tour, as a user types it.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/daemon.h"
#include "support/documents/image_writer.h"
#include "support/process.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;
using testing::RunProcess;

class CliDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::DaemonOptions opts;
    opts.plugin_dirs = {ARCHIVUM_BUNDLED_PLUGINS};
    std::string error;
    daemon_ = testing::Daemon::Start(opts, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    tree_ = daemon_->dir() / "tour";
    testing::WriteFile(tree_ / "notes/ocean.txt", "Whales sing across the ocean.\n");
    testing::WriteFile(tree_ / "notes/forest.md", "Owls hunt in the forest at night.\n");
  }

  int Cli(std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {(testing::BinaryDir() / "archivum").string(), "--server",
                                     daemon_->grpc_address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, out);
  }

  std::unique_ptr<testing::Daemon> daemon_;
  fs::path tree_;
};

TEST_F(CliDaemonTest, IngestAnalyzeGetUploadAndPlugins) {
  std::string out;
  ASSERT_EQ(Cli({"ingest", tree_.string()}, &out), 0) << out;
  EXPECT_NE(out.find("ingested       2"), std::string::npos) << out;

  ASSERT_EQ(Cli({"analyze", "whales"}, &out), 0) << out;
  EXPECT_NE(out.find((tree_ / "notes/ocean.txt").string()), std::string::npos) << out;
  EXPECT_NE(out.find("[Whales]"), std::string::npos) << out;

  ASSERT_EQ(Cli({"get", (tree_ / "notes/forest.md").string()}, &out), 0) << out;
  EXPECT_NE(out.find("sha256"), std::string::npos) << out;

  const fs::path local = daemon_->dir() / "elsewhere.txt";
  testing::WriteFile(local, "A lone narwhal surfaced.\n");
  ASSERT_EQ(Cli({"upload", local.string(), "--name", "field/narwhal.txt"}, &out), 0) << out;
  ASSERT_EQ(Cli({"analyze", "--json", "narwhal"}, &out), 0) << out;
  EXPECT_NE(out.find("upload:field/narwhal.txt"), std::string::npos) << out;

  ASSERT_EQ(Cli({"plugins"}, &out), 0) << out;
  for (const char* name : {"filetype", "hash", "text", "similar"}) {
    EXPECT_NE(out.find(name), std::string::npos) << out;
  }
  EXPECT_EQ(Cli({"analyze", "size>"}, &out), 1) << out;
  EXPECT_NE(out.find("INVALID_ARGUMENT"), std::string::npos) << out;
}

TEST_F(CliDaemonTest, GetShowsTextAndWritesTheThumbnail) {
  testing::ImageSpec photo;
  photo.width = 512;
  photo.height = 256;
  photo.exif.make = "Canon";
  testing::WriteFile(tree_ / "photos/wide.jpg", testing::MakeImage(photo));
  std::string out;
  ASSERT_EQ(Cli({"ingest", tree_.string()}, &out), 0) << out;

  ASSERT_EQ(Cli({"get", "--text", "100", (tree_ / "notes/forest.md").string()}, &out), 0) << out;
  EXPECT_NE(out.find("text (34 of 34 bytes):\nOwls hunt in the forest at night.\n"),
            std::string::npos)
      << out;
  ASSERT_EQ(Cli({"get", "--text", "4", (tree_ / "notes/forest.md").string()}, &out), 0) << out;
  EXPECT_NE(out.find("text (4 of 34 bytes):\nOwls\n"), std::string::npos) << out;

  const fs::path thumb = daemon_->dir() / "thumb.webp";
  ASSERT_EQ(Cli({"get", "--thumbnail", thumb.string(), (tree_ / "photos/wide.jpg").string()}, &out),
            0)
      << out;
  EXPECT_NE(out.find("image/webp"), std::string::npos) << out;
  std::ifstream in(thumb, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GE(bytes.size(), 12u);
  EXPECT_EQ(bytes.substr(0, 4), "RIFF");
  EXPECT_EQ(bytes.substr(8, 4), "WEBP");
  // A text file has none: the server's NOT_FOUND, exit 1, and no file written.
  const fs::path none = daemon_->dir() / "none.webp";
  EXPECT_EQ(Cli({"get", "--thumbnail", none.string(), (tree_ / "notes/forest.md").string()}, &out),
            1);
  EXPECT_NE(out.find("NOT_FOUND"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(none));
}

TEST_F(CliDaemonTest, IngestDrawsAProgressBarOnATerminal) {
  // script(1) gives the CLI a pseudo-terminal, as a person's shell would.
  const std::string cmd = (testing::BinaryDir() / "archivum").string() + " --server " +
                          daemon_->grpc_address() + " ingest " + tree_.string();
  std::string out;
  ASSERT_EQ(RunProcess({"script", "-qec", cmd, "/dev/null"}, &out), 0) << out;
  EXPECT_NE(out.find("files/s"), std::string::npos) << out;
  EXPECT_NE(out.find("2/2 files"), std::string::npos) << out;
  EXPECT_NE(out.find("ingested       2"), std::string::npos) << out;
}

}  // namespace
}  // namespace archivum
