#include "config/config.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <optional>
#include <sstream>
#include <system_error>

#include "config/loader.h"
#include "config/validate.h"
#include "config/yaml_source.h"

namespace archivum::config {
namespace {

namespace fs = std::filesystem;

// A config is a page of YAML; anything this large is a wrong path (a log, an image).
constexpr size_t kMaxFileBytes = size_t{16} << 20;

fs::path AbsoluteBase(const fs::path& base_dir) {
  std::error_code ec;
  fs::path absolute = base_dir.empty() ? fs::current_path(ec) : fs::absolute(base_dir, ec);
  return ec ? base_dir : absolute.lexically_normal();
}

// Closes a descriptor on every path out of LoadConfigFile.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status ReadError(int err, const std::string& name) {
  std::string message = name + ": cannot read config file: " + std::generic_category().message(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR: return NotFound(std::move(message));
    case EACCES:
    case EPERM: return PermissionDenied(std::move(message));
    case EISDIR: return InvalidArgument(std::move(message));
    default: return Unavailable(std::move(message));
  }
}

// Records where each document starts; nothing else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  const YAML::Mark& last() const { return last_; }

 private:
  YAML::Mark last_;
};

// yaml-cpp 0.7 returns an empty document without consuming anything for some stray tokens (a
// ',' at the top level), so YAML::LoadAll would collect empty documents until memory runs out.
// Finds such a spot: a document that starts where the previous one did. May throw what
// yaml-cpp's parser throws.
std::optional<YAML::Mark> FindStuckDocument(std::string_view yaml) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  std::optional<int> previous;
  while (parser.HandleNextDocument(starts)) {
    if (previous && *previous == starts.last().pos) return starts.last();
    previous = starts.last().pos;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Config> ParseConfig(std::string_view yaml, std::string_view source_name,
                             const fs::path& base_dir) {
  YamlSource source(source_name, yaml);
  try {
    if (auto stuck = FindStuckDocument(yaml)) {
      return source.Error(*stuck, "",
                          "expected a YAML document, got a token YAML cannot start "
                          "one with (a stray ',' or flow indicator?)");
    }
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    // A second document would be silently ignored by a reader that takes the first; operators
    // who concatenate files expect both to count.
    for (size_t i = 1; i < documents.size(); ++i) {
      if (!documents[i].IsNull()) {
        return source.Error(documents[i].Mark(), "",
                            "expected a single YAML document, got another one");
      }
    }
    Config config;
    Loader loader(source, AbsoluteBase(base_dir));
    if (!documents.empty()) ARCHIVUM_RETURN_IF_ERROR(loader.Load(documents[0], config));
    if (std::optional<FieldError> error = FindInvalidField(config)) {
      return source.Error(loader.MarkFor(error->path), error->path, error->message);
    }
    return config;
  } catch (const YAML::Exception& e) {
    // ParserException and the rest: msg without yaml-cpp's own "error at line" decoration.
    return source.Error(e.mark, "", e.msg);
  } catch (const std::exception& e) {
    return Internal(std::string(source_name) + ": " + e.what());
  }
}

StatusOr<Config> LoadConfigFile(const fs::path& file) {
  const std::string name = file.string();
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ReadError(errno, name);

  std::string text;
  std::array<char, size_t{64} << 10> buffer{};
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ReadError(errno, name);
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxFileBytes) {
      return InvalidArgument(name + ": expected a config file of at most 16M, got more");
    }
    text.append(buffer.data(), static_cast<size_t>(n));
  }

  auto config = ParseConfig(text, name, file.parent_path());
  if (config.ok()) config->source = file;
  return config;
}

}  // namespace archivum::config
