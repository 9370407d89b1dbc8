// Temporary directories and files for tests. Dependency-free (the standard library and POSIX
// only), so every test executable can use it, bundled_plugins_test included.
//
// Thread safety: a TempDir is used by one thread at a time; WriteFile is reentrant.
#pragma once

#include <filesystem>
#include <string_view>

namespace archivum::testing {

// A fresh directory under $TMPDIR (canonical: no symlink in its path), removed with everything
// in it on destruction, also entries a test made unreadable or unwritable. Aborts the test
// program if the directory cannot be created: nothing a test does afterwards would be hermetic.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to path() / `relative` (creating parent directories); returns that path.
  std::filesystem::path Write(std::string_view relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path`, replacing what was there and creating parent directories.
void WriteFile(const std::filesystem::path& path, std::string_view content);

}  // namespace archivum::testing
