// LoadConfigFile and the shipped config/archivum.yaml.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "test_util.h"

namespace archivum::config {
namespace {

namespace fs = std::filesystem;
using archivum::testing::TempDir;
using testing::ExpectDefaultsExceptPaths;
using testing::ScopedEnv;

const fs::path kSourceDir = ARCHIVUM_SOURCE_DIR;
const fs::path kShippedConfig = kSourceDir / "config" / "archivum.yaml";

TEST(ConfigFileTest, ShippedConfigParsesToDocumentedDefaults) {
  ScopedEnv home("HOME", "/home/tester");
  StatusOr<Config> config = LoadConfigFile(kShippedConfig);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ExpectDefaultsExceptPaths(*config);
  EXPECT_EQ(config->store.path, (kSourceDir / "var/store").lexically_normal());
  EXPECT_TRUE(config->plugins.directories.empty());
  EXPECT_EQ(config->ingest.roots, (std::vector<fs::path>{"/home/tester", "/tmp"}));
  EXPECT_EQ(config->source, kShippedConfig);
}

// The shipped file is the reference operators read: it must show every key, not just the ones
// whose defaults someone remembered to write down.
TEST(ConfigFileTest, ShippedConfigSpellsOutEveryKey) {
  YAML::Node root = YAML::LoadFile(kShippedConfig.string());
  const std::vector<std::vector<std::string>> kKeys = {
      {"server", "grpc", "listen"},
      {"server", "grpc", "max_receive_message_size"},
      {"server", "grpc", "max_send_message_size"},
      {"server", "grpc", "keepalive", "time"},
      {"server", "grpc", "keepalive", "timeout"},
      {"server", "grpc", "keepalive", "permit_without_calls"},
      {"server", "grpc", "keepalive", "min_ping_interval"},
      {"server", "grpc", "resource_quota", "memory"},
      {"server", "grpc", "resource_quota", "max_threads"},
      {"server", "http", "enabled"},
      {"server", "http", "listen"},
      {"server", "http", "max_body_size"},
      {"server", "http", "max_header_size"},
      {"server", "http", "max_connections"},
      {"server", "http", "idle_timeout"},
      {"server", "http", "header_timeout"},
      {"server", "shutdown_deadline"},
      {"store", "path"},
      {"store", "backend"},
      {"plugins", "directories"},
      {"plugins", "settings"},
      {"ingest", "roots"},
      {"ingest", "workers"},
      {"ingest", "max_file_size"},
      {"ingest", "max_reported_errors"},
      {"ingest", "max_depth"},
      {"ingest", "max_members"},
      {"ingest", "max_expanded_size"},
      {"log", "level"},
      {"log", "format"},
  };
  for (const auto& path : kKeys) {
    YAML::Node node = root;
    std::string joined;
    for (const auto& key : path) {
      joined += (joined.empty() ? "" : ".") + key;
      // Through a const node: operator[] on a mutable one would insert what it looks up.
      node.reset(static_cast<const YAML::Node&>(node)[key]);
      ASSERT_TRUE(node.IsDefined() && !node.IsNull()) << joined << " missing";
    }
  }
}

// Every key with a value has a comment on the line above (or after it), so an operator reading
// the file learns units and what 0 or empty means without opening the source.
TEST(ConfigFileTest, ShippedConfigCommentsEveryKey) {
  std::ifstream in(kShippedConfig);
  std::string line;
  std::string previous;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    size_t first = line.find_first_not_of(' ');
    bool is_comment = first != std::string::npos && line[first] == '#';
    size_t colon = line.find(": ");
    if (first != std::string::npos && !is_comment && colon != std::string::npos) {
      size_t prev_first = previous.find_first_not_of(' ');
      bool commented = (prev_first != std::string::npos && previous[prev_first] == '#') ||
                       line.find(" #", colon) != std::string::npos;
      EXPECT_TRUE(commented) << "line " << number << " has no comment: " << line;
    }
    previous = line;
  }
  EXPECT_GT(number, 0);
}

TEST(ConfigFileTest, RelativePathsResolveAgainstTheFilesDirectory) {
  TempDir dir;
  fs::path file = dir.Write("conf/archivum.yaml", R"(
store:
  path: ../data
plugins:
  directories: [plugins]
ingest:
  roots: [docs/../in, /tmp]
)");
  StatusOr<Config> config = LoadConfigFile(file);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.path, dir.path() / "data");
  EXPECT_EQ(config->plugins.directories, std::vector<fs::path>{dir.path() / "conf/plugins"});
  EXPECT_EQ(config->ingest.roots, (std::vector<fs::path>{dir.path() / "conf/in", "/tmp"}));
  EXPECT_EQ(config->source, file);
}

TEST(ConfigFileTest, EmptyFileGivesDefaults) {
  TempDir dir;
  fs::path file = dir.Write("empty.yaml", "");
  StatusOr<Config> config = LoadConfigFile(file);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ExpectDefaultsExceptPaths(*config);
  EXPECT_EQ(config->source, file);
}

TEST(ConfigFileTest, ErrorsNameTheFileAsGiven) {
  TempDir dir;
  fs::path file = dir.Write("bad.yaml", "log:\n  level: loud\n");
  StatusOr<Config> config = LoadConfigFile(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            file.string() +
                ":2:10: log.level: expected one of trace, debug, info, warn, error, critical, off, "
                "got 'loud'");
}

TEST(ConfigFileTest, MissingFileIsNotFound) {
  TempDir dir;
  fs::path file = dir.path() / "absent.yaml";
  StatusOr<Config> config = LoadConfigFile(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(config.status().message(),
            file.string() + ": cannot read config file: No such file or directory");
}

// Root reads any file regardless of its mode, so as root the load runs in a child process that
// has given up root for "nobody".
TEST(ConfigFileTest, UnreadableFileIsPermissionDenied) {
  TempDir dir;
  fs::path file = dir.Write("secret.yaml", "log: {}\n");
  ASSERT_EQ(::chmod(file.c_str(), 0), 0);
  const std::string expected = file.string() + ": cannot read config file: Permission denied";
  if (::geteuid() != 0) {
    StatusOr<Config> config = LoadConfigFile(file);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(config.status().message(), expected);
    return;
  }
  constexpr uid_t kNobody = 65534;
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) ::_exit(2);
    StatusOr<Config> config = LoadConfigFile(file);
    bool denied = !config.ok() && config.status().code() == StatusCode::kPermissionDenied &&
                  config.status().message() == expected;
    ::_exit(denied ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "cannot drop root to test an unreadable file";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "LoadConfigFile as nobody did not report " << expected;
}

TEST(ConfigFileTest, DirectoryIsInvalidArgument) {
  TempDir dir;
  StatusOr<Config> config = LoadConfigFile(dir.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            dir.path().string() + ": cannot read config file: Is a directory");
}

}  // namespace
}  // namespace archivum::config
