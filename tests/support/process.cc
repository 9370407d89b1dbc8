#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "support/temp_dir.h"

extern char** environ;

namespace archivum::testing {
namespace {

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// posix_spawn_file_actions_t with RAII.
class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// "NAME=value" strings: the test's environment with `options`' changes.
std::vector<std::string> ChildEnvironment(const ProcessOptions& options) {
  std::map<std::string, std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view pair(*entry);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    env[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
  }
  for (const std::string& name : options.unset_env) env.erase(name);
  for (const auto& [name, value] : options.set_env) env[name] = value;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Waits up to `timeout` for `pid` to exit (without reaping it); false if it is still running.
// Waits without a limit when the kernel cannot give a pidfd.
bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool exited = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{pidfd, POLLIN, 0};
    const int n = ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n < 0 && errno == EINTR) continue;
    exited = n > 0;
    break;
  }
  ::close(pidfd);
  return exited;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "RunProcess: no program given";
    return result;
  }
  const TempDir capture;
  const std::string out_path = (capture.path() / "stdout").string();
  const std::string err_path = (capture.path() / "stderr").string();

  SpawnFileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (options.merge_stderr) {
    // One open file description for both: their writes interleave in order.
    posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  const std::string cwd = options.cwd.string();
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(actions.get(), cwd.c_str());

  std::vector<std::string> args = argv;
  std::vector<std::string> env = ChildEnvironment(options);
  std::vector<char*> arg_ptrs = Pointers(args);
  std::vector<char*> env_ptrs = Pointers(env);
  pid_t pid = 0;
  // posix_spawnp reports a program that cannot be executed (not found, not executable) here.
  const int rc = ::posix_spawnp(&pid, args[0].c_str(), actions.get(), nullptr, arg_ptrs.data(),
                                env_ptrs.data());
  if (rc != 0) {
    result.exit_code = 127;
    (options.merge_stderr ? result.out : result.err) =
        "cannot start " + args[0] + ": " + std::strerror(rc);
    return result;
  }

  if (options.timeout.count() > 0 && !WaitForExit(pid, options.timeout)) {
    // Not reaped yet, so the pid cannot have been reused.
    ::kill(pid, SIGKILL);
    result.timed_out = true;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = DecodeWaitStatus(status);
  result.out = ReadWholeFile(out_path);
  if (!options.merge_stderr) result.err = ReadWholeFile(err_path);
  return result;
}

int RunProcess(const std::vector<std::string>& argv, std::string* output) {
  ProcessOptions options;
  options.merge_stderr = true;
  ProcessResult result = RunProcess(argv, options);
  *output = std::move(result.out);
  return result.exit_code;
}

}  // namespace archivum::testing
