#include "yara/rule_set.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "archivum/plugin.hpp"
#include "yara/yara_errors.h"

namespace archivum::bundled::yara {
namespace {

std::mutex& LibraryMutex() {
  static std::mutex mu;
  return mu;
}

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};

// What the compiler callback collects.
struct Diagnostics {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

std::string Located(const char* file, int line, const char* message) {
  std::string out = file != nullptr ? file : "(rules)";
  if (line > 0) out += ":" + std::to_string(line);
  return out + ": " + (message != nullptr ? message : "");
}

void OnCompilerMessage(int level, const char* file, int line, const YR_RULE* /*rule*/,
                       const char* message, void* user_data) {
  auto* diagnostics = static_cast<Diagnostics*>(user_data);
  // No exception may unwind through libyara: a failed allocation here only loses a message.
  try {
    (level == YARA_ERROR_LEVEL_WARNING ? diagnostics->warnings : diagnostics->errors)
        .push_back(Located(file, line, message));
  } catch (...) {
  }
}

[[noreturn]] void Fail(const std::string& message) {
  throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT, message);
}

void Check(int rc, const char* what) {
  if (rc != ERROR_SUCCESS) Fail(std::string(what) + ": " + YaraErrorName(rc));
}

}  // namespace

std::array<std::string, kExternals.size()> FileExternals(std::string_view path,
                                                         std::string_view mime) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  std::string extension;
  if (dot != std::string_view::npos && dot != 0) {
    extension = std::string(name.substr(dot));
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  return {std::string(name), std::string(path), std::move(extension), std::string(mime)};
}

YaraLibrary::YaraLibrary() {
  std::lock_guard lock(LibraryMutex());
  if (const int rc = yr_initialize(); rc != ERROR_SUCCESS) {
    Fail("cannot initialize libyara: " + YaraErrorName(rc));
  }
}

YaraLibrary::~YaraLibrary() {
  std::lock_guard lock(LibraryMutex());
  yr_finalize();
}

RuleSet::RuleSet(const std::vector<std::filesystem::path>& files, const WarningSink& warn) {
  YR_COMPILER* raw = nullptr;
  Check(yr_compiler_create(&raw), "cannot create the YARA compiler");
  std::unique_ptr<YR_COMPILER, CompilerDeleter> compiler(raw);
  Diagnostics diagnostics;
  yr_compiler_set_callback(compiler.get(), &OnCompilerMessage, &diagnostics);
  for (const char* name : kExternals) {
    Check(yr_compiler_define_string_variable(compiler.get(), name, ""),
          "cannot define the external variables");
  }
  for (const std::filesystem::path& file : files) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail(file.string() + ": cannot open: " + std::strerror(errno));
    const int errors = yr_compiler_add_fd(compiler.get(), fd, nullptr, file.c_str());
    ::close(fd);
    if (errors > 0) {
      if (diagnostics.errors.empty())
        diagnostics.errors.push_back(file.string() + ": cannot compile");
      break;  // the compiler refuses further input after an error
    }
  }
  if (warn) {
    for (const std::string& w : diagnostics.warnings) warn(w);
  }
  if (!diagnostics.errors.empty()) {
    std::string message = diagnostics.errors.front();
    if (diagnostics.errors.size() > 1) {
      message += " (and " + std::to_string(diagnostics.errors.size() - 1) + " more)";
    }
    Fail(message);
  }
  Check(yr_compiler_get_rules(compiler.get(), &rules_), "cannot build the compiled rules");
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(rules_, rule) {
    ++rule_count_;
  }
}

RuleSet::~RuleSet() {
  if (rules_ != nullptr) yr_rules_destroy(rules_);
}

}  // namespace archivum::bundled::yara
