#include "support/daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

namespace archivum::testing {
namespace fs = std::filesystem;

fs::path BinaryDir() {
  return fs::path(ARCHIVUM_BIN_DIR);
}

namespace {

std::string YamlQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string YamlList(const std::vector<fs::path>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += YamlQuote(items[i].string());
  }
  return out + "]";
}

// The "HOST:PORT" following `marker` on its line, or empty.
std::string AddressAfter(const std::string& log, const std::string& marker) {
  const size_t at = log.find(marker);
  if (at == std::string::npos) return "";
  const size_t begin = at + marker.size();
  const size_t end = log.find_first_of("\r\n", begin);
  if (end == std::string::npos) return "";
  return log.substr(begin, end - begin);
}

[[noreturn]] void ExecOrDie(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::execvpe(args[0], args.data(), envp.data());
  std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
  ::_exit(127);
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The config file Start writes into `dir` for `options`.
std::string ConfigYaml(const fs::path& dir, const DaemonOptions& options) {
  std::vector<fs::path> roots = options.roots.empty() ? std::vector<fs::path>{dir} : options.roots;
  std::vector<fs::path> plugin_dirs = options.plugin_dirs;
  if (plugin_dirs.empty()) {
    fs::create_directories(dir / "no-plugins");
    plugin_dirs.push_back(dir / "no-plugins");
  }
  std::ostringstream yaml;
  yaml << "server:\n"
       << "  grpc:\n    listen: 127.0.0.1:0\n"
       << options.grpc_yaml << "  http:\n    enabled: " << (options.http ? "true" : "false")
       << "\n    listen: 127.0.0.1:0\n"
       << options.http_yaml << "  shutdown_deadline: " << options.shutdown_deadline << "\n"
       << options.server_yaml << "store:\n  path: store\n"
       << "plugins:\n  directories: " << YamlList(plugin_dirs) << "\n"
       << options.plugins_yaml << "ingest:\n  roots: " << YamlList(roots) << "\n"
       << options.ingest_yaml << "log:\n  level: " << options.log_level << "\n"
       << options.extra_yaml;
  return yaml.str();
}

}  // namespace

std::unique_ptr<Daemon> Daemon::Start(const DaemonOptions& options, std::string* error) {
  std::unique_ptr<Daemon> d(new Daemon());
  const fs::path& dir = d->dir_.path();
  WriteFile(dir / "archivum.yaml", ConfigYaml(dir, options));

  std::vector<std::string> argv;
  if (options.without_dac_override && ::geteuid() == 0) {
    argv = {"setpriv", "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search", "--"};
  }
  argv.push_back((BinaryDir() / "archivumd").string());
  argv.push_back("--config");
  argv.push_back((dir / "archivum.yaml").string());
  for (const auto& a : options.extra_args) argv.push_back(a);

  // The test's environment with options.env over it, made before fork.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [n, v] : options.env) replaced = replaced || n == name;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [name, value] : options.env) env.push_back(name + "=" + value);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    // If the test dies without stopping the daemon (a ctest timeout, a closed output pipe), the
    // daemon is killed too rather than left running. Linux ties this to the forking thread: the
    // test's own, which outlives the Daemon.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDERR_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ExecOrDie(argv, env);
  }
  ::close(fds[1]);
  d->pid_ = pid;
  d->reader_ = std::thread([raw = d.get(), fd = fds[0]] { raw->DrainStderr(fd); });

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::unique_lock lock(d->mu_);
  d->cv_.wait_until(lock, deadline, [&] {
    const bool grpc = !AddressAfter(d->log_, "gRPC listening on ").empty();
    const bool http = !options.http || !AddressAfter(d->log_, "HTTP listening on ").empty();
    return (grpc && http) || d->eof_;
  });
  d->grpc_address_ = AddressAfter(d->log_, "gRPC listening on ");
  if (options.http) d->http_address_ = AddressAfter(d->log_, "HTTP listening on ");
  if (d->grpc_address_.empty() || (options.http && d->http_address_.empty())) {
    *error =
        std::string(d->eof_ ? "daemon exited before serving" : "daemon did not serve within 60 s") +
        "; log:\n" + d->log_;
    return nullptr;  // the destructor kills and reaps the process
  }
  return d;
}

void Daemon::DrainStderr(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (n <= 0) {
      eof_ = true;
      cv_.notify_all();
      break;
    }
    log_.append(buf, static_cast<size_t>(n));
    cv_.notify_all();
  }
  ::close(fd);
}

Daemon::~Daemon() {
  if (pid_ > 0) Stop(SIGKILL);
  if (reader_.joinable()) reader_.join();
}

std::shared_ptr<grpc::Channel> Daemon::channel() const {
  return grpc::CreateChannel(grpc_address_, grpc::InsecureChannelCredentials());
}

std::shared_ptr<grpc::Channel> Daemon::channel(
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) const {
  return grpc::CreateChannel(grpc_address_, credentials);
}

std::string Daemon::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

bool Daemon::WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return log_.find(needle) != std::string::npos || eof_;
  }) && log_.find(needle) != std::string::npos;
}

void Daemon::RewriteConfig(const DaemonOptions& options) {
  RewriteConfig(ConfigYaml(dir_.path(), options));
}

void Daemon::RewriteConfig(const std::string& yaml) {
  // Written beside and renamed over, as an editor or a deployment tool would: the daemon never
  // reads half a file.
  const fs::path next = dir_.path() / "archivum.yaml.next";
  WriteFile(next, yaml);
  fs::rename(next, config_file());
}

void Daemon::Reload() const {
  if (pid_ > 0) ::kill(pid_, SIGHUP);
}

size_t Daemon::CountInLog(const std::string& needle) const {
  std::lock_guard lock(mu_);
  size_t count = 0;
  for (size_t at = log_.find(needle); at != std::string::npos; at = log_.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

bool Daemon::WaitForLogCount(const std::string& needle, size_t count,
                             std::chrono::milliseconds timeout) const {
  const auto more = [&] {
    size_t n = 0;
    for (size_t at = log_.find(needle); at != std::string::npos; at = log_.find(needle, at + 1)) {
      ++n;
    }
    return n > count;
  };
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return more() || eof_; }) && more();
}

int Daemon::Stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  const int code = DecodeWaitStatus(status);
  // A daemon that did not end cleanly (a sanitizer report, an abort) says why in its log, which
  // the test may not print: its end goes to the test's output.
  if (code != 0 && code != 128 + SIGKILL) {
    const std::string text = log();
    std::cerr << "archivumd exited with " << code << "; the end of its log:\n"
              << text.substr(text.size() > 8000 ? text.size() - 8000 : 0) << "\n";
  }
  return code;
}

bool WaitForAnyFile(const fs::path& dir, std::chrono::seconds timeout) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const int fd = ::inotify_init1(IN_CLOEXEC);
  if (fd < 0) return false;
  const bool watching = ::inotify_add_watch(fd, dir.c_str(), IN_CREATE | IN_MOVED_TO) >= 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool found = false;
  // Checked after the watch is set, so a file created before it is not missed.
  while (watching && !(found = !fs::is_empty(dir, ec))) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char events[4096];
    (void)!::read(fd, events, sizeof events);
  }
  ::close(fd);
  return found;
}

}  // namespace archivum::testing
