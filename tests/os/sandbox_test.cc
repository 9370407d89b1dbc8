// os::ApplySandbox: each test forks a child that confines itself, tries what a hostile plugin
// would (or what a worker must still do), and reports each outcome over a pipe; the parent
// checks the report. The sandbox is irreversible, hence the child; the child never calls gtest
// and leaves with _exit, so no destructor or exit handler of the test program runs in it.
// Loads no plugin: the hostile fixture plugins (tests/plugins/fixtures/hostile_*) are for the
// worker's tests.
#include "os/sandbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace archivum::os::sandbox_test {
namespace {

namespace fs = std::filesystem;

// "EPERM" for EPERM; "?" for a number without a name.
std::string ErrnoName(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "?";
}

// The first expectation a child found broken, as text for the parent; empty while all held.
class ChildChecks {
 public:
  void Expect(bool held, const std::string& what) {
    if (!held && failure_.empty()) failure_ = what;
  }
  // Expects `result` to be -1 with errno `error` (read before anything else can change it).
  void ExpectErrno(long result, int error, const char* what) {
    const int actual = errno;
    if (result == -1 && actual == error) return;
    Expect(false, std::string(what) + ": expected " + ErrnoName(error) + ", got " +
                      (result == -1 ? ErrnoName(actual) : "success"));
  }
  // Expects `result` not to be -1.
  void ExpectSuccess(long result, const char* what) {
    const int actual = errno;
    if (result != -1) return;
    Expect(false, std::string(what) + ": failed with " + ErrnoName(actual));
  }
  const std::string& failure() const { return failure_; }

 private:
  std::string failure_;
};

// What a child does once confined: checks, with the report ApplySandbox returned.
using ChildBody = std::function<void(const SandboxReport&, ChildChecks&)>;

// What the parent learned from a child.
struct ChildRun {
  int wait_status = 0;
  bool applied = false;     // ApplySandbox succeeded
  std::string apply_error;  // its error otherwise
  SandboxReport report;
  std::string failure;    // the child's first failed expectation
  bool finished = false;  // the child reached its end (rather than being replaced or killed)

  bool passed() const {
    return applied && finished && failure.empty() && WIFEXITED(wait_status) &&
           WEXITSTATUS(wait_status) == 0;
  }
  std::string Describe() const {
    std::string text = "wait status " + std::to_string(wait_status);
    if (WIFSIGNALED(wait_status)) text += " (signal " + std::to_string(WTERMSIG(wait_status)) + ")";
    if (!apply_error.empty()) text += "; ApplySandbox: " + apply_error;
    if (!failure.empty()) text += "; failed: " + failure;
    if (!finished) text += "; the child did not reach its end";
    return text;
  }
};

void SendLine(int fd, const std::string& line) {
  const std::string data = line + "\n";
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void RunChild(int fd, const SandboxPolicy& policy, const ChildBody& body) {
  StatusOr<SandboxReport> report = ApplySandbox(policy);
  if (!report.ok()) {
    SendLine(fd, "apply_error " + report.status().ToString());
    ::_exit(2);
  }
  SendLine(fd, "applied");
  SendLine(fd, "no_new_privs " + std::to_string(report->no_new_privs));
  SendLine(fd, "seccomp " + std::to_string(report->seccomp));
  SendLine(fd, "landlock_abi " + std::to_string(report->landlock_abi));
  for (const std::string& warning : report->warnings) SendLine(fd, "warning " + warning);
  ChildChecks checks;
  body(*report, checks);
  if (!checks.failure().empty()) SendLine(fd, "failed " + checks.failure());
  SendLine(fd, "finished");
  ::_exit(checks.failure().empty() ? 0 : 1);
}

// Forks a child that applies `policy` and runs `body`; waits for it.
ChildRun RunSandboxed(const SandboxPolicy& policy, const ChildBody& body) {
  ChildRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.apply_error = std::string("pipe2: ") + std::strerror(errno);
    return run;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    RunChild(fds[1], policy, body);
  }
  ::close(fds[1]);
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (pid < 0) {
    run.apply_error = std::string("fork: ") + std::strerror(errno);
    return run;
  }
  while (::waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "applied") run.applied = true;
    if (key == "apply_error") run.apply_error = value;
    if (key == "no_new_privs") run.report.no_new_privs = value == "1";
    if (key == "seccomp") run.report.seccomp = value == "1";
    if (key == "landlock_abi") run.report.landlock_abi = std::atoi(value.c_str());
    if (key == "warning") run.report.warnings.push_back(value);
    if (key == "failed") run.failure = value;
    if (key == "finished") run.finished = true;
  }
  return run;
}

// What every test's worker needs besides its own paths: its /proc/self, which sanitizer runtimes
// read.
SandboxPolicy BasePolicy() {
  SandboxPolicy policy;
  policy.read_only.push_back("/proc/self");
  return policy;
}

bool HasWarningContaining(const SandboxReport& report, const std::string& text) {
  for (const std::string& warning : report.warnings) {
    if (warning.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string ReadAll(int fd) {
  std::string content;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
    content.append(buffer, static_cast<size_t>(n));
  return content;
}

// The calling process's virtual memory size in bytes.
uint64_t VirtualMemorySize() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

TEST(SandboxTest, ReportsEveryLayerAndSetsTheLimits) {
  SandboxPolicy policy = BasePolicy();
  policy.cpu_seconds = 3600;
  policy.file_size = uint64_t{1} << 30;
  policy.open_files = 64;
  const ChildRun run = RunSandboxed(policy, [](const SandboxReport& report, ChildChecks& c) {
    c.Expect(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "no_new_privs is set");
    if (report.seccomp) c.Expect(::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2, "a seccomp filter");
    rlimit limit{};
    ::getrlimit(RLIMIT_CPU, &limit);
    c.Expect(limit.rlim_cur == 3600 && limit.rlim_max == 3600, "RLIMIT_CPU is 3600");
    ::getrlimit(RLIMIT_FSIZE, &limit);
    c.Expect(limit.rlim_cur == (rlim_t{1} << 30) && limit.rlim_max == (rlim_t{1} << 30),
             "RLIMIT_FSIZE is 1 GiB");
    ::getrlimit(RLIMIT_NOFILE, &limit);
    c.Expect(limit.rlim_cur == 64 && limit.rlim_max == 64, "RLIMIT_NOFILE is 64");
    struct sigaction action {};
    ::sigaction(SIGXFSZ, nullptr, &action);
    c.Expect(action.sa_handler == SIG_IGN, "SIGXFSZ is ignored");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  EXPECT_TRUE(run.report.no_new_privs);
  // A layer this kernel lacks is not an error, but it is named.
  if (!run.report.seccomp) {
    EXPECT_TRUE(HasWarningContaining(run.report, "seccomp unavailable"));
  }
  if (run.report.landlock_abi == 0) {
    EXPECT_TRUE(HasWarningContaining(run.report, "landlock unavailable"));
  }
  for (const std::string& warning : run.report.warnings) {
    EXPECT_TRUE(warning.starts_with("seccomp unavailable") || warning.starts_with("landlock "))
        << warning;
  }
}

TEST(SandboxTest, SocketsOtherThanUnixAreDenied) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport& report, ChildChecks& c) {
    if (!report.seccomp) return;
    c.ExpectErrno(::socket(AF_INET, SOCK_STREAM, 0), EPERM, "socket(AF_INET, SOCK_STREAM)");
    c.ExpectErrno(::socket(AF_INET, SOCK_DGRAM, 0), EPERM, "socket(AF_INET, SOCK_DGRAM)");
    c.ExpectErrno(::socket(AF_INET6, SOCK_STREAM, 0), EPERM, "socket(AF_INET6)");
    c.ExpectErrno(::socket(AF_NETLINK, SOCK_RAW, 0), EPERM, "socket(AF_NETLINK)");
    c.ExpectErrno(::socket(AF_PACKET, SOCK_RAW, 0), EPERM, "socket(AF_PACKET)");
    int pair[2];
    c.ExpectErrno(::socketpair(AF_INET, SOCK_STREAM, 0, pair), EPERM, "socketpair(AF_INET)");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (!run.report.seccomp) GTEST_SKIP() << "seccomp is not in force on this kernel";
}

TEST(SandboxTest, UnixSocketsAndAnInheritedChannelKeepWorking) {
  archivum::testing::TempDir tmp;
  // A file outside the policy, which reaches the child only as a descriptor over the channel,
  // as files reach a worker.
  const fs::path outside = tmp.Write("outside.txt", "handed over");
  int channel[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel), 0);
  const int file = ::open(outside.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  {
    char byte = 'f';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &file, sizeof(int));
    ASSERT_EQ(::sendmsg(channel[0], &message, 0), 1);
  }
  ::close(file);

  const int worker_end = channel[1];
  const ChildRun run =
      RunSandboxed(BasePolicy(), [worker_end](const SandboxReport&, ChildChecks& c) {
        char byte = 0;
        iovec iov{&byte, 1};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        c.ExpectSuccess(::recvmsg(worker_end, &message, 0), "recvmsg on the channel");
        const cmsghdr* header = CMSG_FIRSTHDR(&message);
        c.Expect(header != nullptr && header->cmsg_type == SCM_RIGHTS, "a descriptor arrived");
        if (header != nullptr) {
          int received = -1;
          std::memcpy(&received, CMSG_DATA(header), sizeof(int));
          c.Expect(ReadAll(received) == "handed over", "the handed-over file reads back");
        }
        const char reply[] = "ok";
        iovec reply_iov{const_cast<char*>(reply), 2};
        msghdr reply_message{};
        reply_message.msg_iov = &reply_iov;
        reply_message.msg_iovlen = 1;
        c.ExpectSuccess(::sendmsg(worker_end, &reply_message, 0), "sendmsg on the channel");
        c.ExpectSuccess(::send(worker_end, "!", 1, 0), "send on the channel");
        const int fresh = ::socket(AF_UNIX, SOCK_STREAM, 0);
        c.ExpectSuccess(fresh, "socket(AF_UNIX)");
        int pair[2];
        c.ExpectSuccess(::socketpair(AF_UNIX, SOCK_DGRAM, 0, pair), "socketpair(AF_UNIX)");
      });
  ASSERT_TRUE(run.passed()) << run.Describe();
  // The child has exited: whatever it sent is in the socket.
  std::string reply;
  char buffer[8];
  ssize_t n;
  while ((n = ::recv(channel[0], buffer, sizeof buffer, MSG_DONTWAIT)) > 0) {
    reply.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(reply, "ok!");
  ::close(channel[0]);
  ::close(channel[1]);
}

TEST(SandboxTest, ConnectBindListenAndAcceptAreDenied) {
  // A listening TCP socket and an unconnected one, both inherited; nonblocking, so that an
  // accept the filter failed to deny returns at once instead of waiting.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(client, 0);

  const ChildRun run = RunSandboxed(BasePolicy(), [listener, client, address](
                                                      const SandboxReport& report, ChildChecks& c) {
    if (!report.seccomp) return;
    c.ExpectErrno(::connect(client, reinterpret_cast<const sockaddr*>(&address), sizeof address),
                  EPERM, "connect over an inherited TCP socket");
    c.ExpectErrno(::accept(listener, nullptr, nullptr), EPERM, "accept");
    c.ExpectErrno(::accept4(listener, nullptr, nullptr, 0), EPERM, "accept4");
    const int unix_socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr unix_address{};
    unix_address.sa_family = AF_UNIX;
    c.ExpectErrno(::bind(unix_socket, &unix_address, sizeof(sa_family_t)), EPERM,
                  "bind (autobind of an AF_UNIX socket)");
    c.ExpectErrno(::listen(unix_socket, 1), EPERM, "listen");
    c.ExpectErrno(::connect(unix_socket, &unix_address, sizeof(sa_family_t)), EPERM,
                  "connect over AF_UNIX");
  });
  ::close(listener);
  ::close(client);
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (!run.report.seccomp) GTEST_SKIP() << "seccomp is not in force on this kernel";
}

TEST(SandboxTest, ProgramsCannotBeExecuted) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport& report, ChildChecks& c) {
    if (!report.seccomp) return;
    char* const argv[] = {const_cast<char*>("true"), nullptr};
    char* const envp[] = {nullptr};
    // Were it allowed, /bin/true would replace the child, which would never report "finished".
    c.ExpectErrno(::execve("/bin/true", argv, envp), EPERM, "execve");
    c.ExpectErrno(::syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0), EPERM, "execveat");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (!run.report.seccomp) GTEST_SKIP() << "seccomp is not in force on this kernel";
}

TEST(SandboxTest, NoNewProcessCanBeMade) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport& report, ChildChecks& c) {
    if (!report.seccomp) return;
    // A process that did get made leaves at once, without reporting.
    const pid_t forked = ::fork();
    if (forked == 0) ::_exit(0);
    c.ExpectErrno(forked, EPERM, "fork");
    const long cloned = ::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0);
    if (cloned == 0) ::_exit(0);
    c.ExpectErrno(cloned, EPERM, "clone without CLONE_THREAD");
    // clone3 answers ENOSYS whatever its arguments, so that the C library falls back to clone.
    c.ExpectErrno(::syscall(SYS_clone3, nullptr, 0), ENOSYS, "clone3");
    pid_t spawned = 0;
    char* const argv[] = {const_cast<char*>("true"), nullptr};
    char* const envp[] = {nullptr};
    c.Expect(::posix_spawn(&spawned, "/bin/true", nullptr, nullptr, argv, envp) != 0,
             "posix_spawn fails");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (!run.report.seccomp) GTEST_SKIP() << "seccomp is not in force on this kernel";
}

TEST(SandboxTest, ThreadsKeepWorking) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport&, ChildChecks& c) {
    std::atomic<int> sum{0};
    std::vector<std::thread> threads;
    for (int i = 1; i <= 4; ++i) threads.emplace_back([&sum, i] { sum += i; });
    for (std::thread& thread : threads) thread.join();
    c.Expect(sum == 10, "four std::threads ran");

    pthread_t thread;
    static int ran = 0;
    const int rc = ::pthread_create(
        &thread, nullptr,
        [](void*) -> void* {
          ran = 1;
          return nullptr;
        },
        nullptr);
    c.Expect(rc == 0, std::string("pthread_create: ") + std::strerror(rc));
    if (rc == 0) ::pthread_join(thread, nullptr);
    c.Expect(ran == 1, "the pthread ran");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
}

volatile sig_atomic_t sandbox_test_signal_count = 0;

TEST(SandboxTest, SignalsReachOnlyTheProcessItself) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport& report, ChildChecks& c) {
    struct sigaction action {};
    action.sa_handler = [](int) { sandbox_test_signal_count = sandbox_test_signal_count + 1; };
    ::sigaction(SIGUSR1, &action, nullptr);
    c.ExpectSuccess(::raise(SIGUSR1) == 0 ? 0 : -1, "raise");
    c.ExpectSuccess(::kill(::getpid(), SIGUSR1), "kill of itself");
    c.Expect(::pthread_kill(::pthread_self(), SIGUSR1) == 0, "pthread_kill of itself");
    c.Expect(sandbox_test_signal_count == 3, "three signals arrived");
    // Signal 0 only checks permission, so a failing check sends nothing.
    if (report.seccomp || report.landlock_abi >= 6) {
      c.ExpectErrno(::kill(::getppid(), 0), EPERM, "kill of the parent");
    }
    if (report.seccomp) {
      c.ExpectErrno(::kill(0, 0), EPERM, "kill of the process group");
      c.ExpectErrno(::kill(-1, 0), EPERM, "kill of every process");
    }
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
}

TEST(SandboxTest, PrivilegedAndCrossProcessCallsAreDenied) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport& report, ChildChecks& c) {
    if (!report.seccomp) return;
    c.ExpectErrno(::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr), EPERM, "ptrace");
    char byte = 0;
    iovec local{&byte, 1};
    iovec remote{&byte, 1};
    c.ExpectErrno(::process_vm_readv(::getppid(), &local, 1, &remote, 1, 0), EPERM,
                  "process_vm_readv");
    c.ExpectErrno(::unshare(CLONE_NEWUSER), EPERM, "unshare");
    c.ExpectErrno(::mount("none", "/tmp", "tmpfs", 0, nullptr), EPERM, "mount");
    c.ExpectErrno(::syscall(SYS_io_uring_setup, 1, nullptr), EPERM, "io_uring_setup");
    c.ExpectErrno(::syscall(SYS_bpf, 0, nullptr, 0), EPERM, "bpf");
    c.ExpectErrno(::syscall(SYS_pidfd_open, ::getppid(), 0), EPERM, "pidfd_open");
    c.ExpectErrno(::personality(PER_LINUX32), EPERM, "personality change");
    c.ExpectSuccess(::personality(0xffffffff), "personality read");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (!run.report.seccomp) GTEST_SKIP() << "seccomp is not in force on this kernel";
}

TEST(SandboxTest, FilesOutsideThePolicyCannotBeRead) {
  const ChildRun run = RunSandboxed(BasePolicy(), [](const SandboxReport& report, ChildChecks& c) {
    if (report.landlock_abi == 0) return;
    c.ExpectErrno(::open("/etc/passwd", O_RDONLY | O_CLOEXEC), EACCES, "open /etc/passwd");
    c.ExpectErrno(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), EACCES, "list /");
    // /proc/self is in the policy: the process's own maps stay readable.
    const int maps = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    c.ExpectSuccess(maps, "open /proc/self/maps");
    if (maps >= 0) c.Expect(!ReadAll(maps).empty(), "/proc/self/maps has content");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (run.report.landlock_abi == 0) GTEST_SKIP() << "Landlock is not in force on this kernel";
}

TEST(SandboxTest, ReadOnlyTreesCanBeReadButNotChanged) {
  archivum::testing::TempDir tmp;
  const fs::path tree = tmp.path() / "tree";
  const fs::path inside = tmp.Write("tree/sub/inside.txt", "inside");
  const fs::path single = tmp.Write("single.txt", "single");
  const fs::path beside = tmp.Write("beside.txt", "beside");
  SandboxPolicy policy = BasePolicy();
  policy.read_only = {tree, single, "/proc/self"};
  const ChildRun run = RunSandboxed(policy, [&](const SandboxReport& report, ChildChecks& c) {
    const int fd = ::open(inside.c_str(), O_RDONLY | O_CLOEXEC);
    c.ExpectSuccess(fd, "open a file in the tree");
    if (fd >= 0) c.Expect(ReadAll(fd) == "inside", "the file in the tree reads back");
    const int single_fd = ::open(single.c_str(), O_RDONLY | O_CLOEXEC);
    c.ExpectSuccess(single_fd, "open the single file");
    if (single_fd >= 0) c.Expect(ReadAll(single_fd) == "single", "the single file reads back");
    std::error_code ec;
    c.Expect(fs::exists(tree / "sub", ec) &&
                 fs::directory_iterator(tree, ec) != fs::directory_iterator(),
             "the tree lists");
    if (report.landlock_abi == 0) return;
    c.ExpectErrno(::open(inside.c_str(), O_WRONLY | O_CLOEXEC), EACCES, "open for writing");
    c.ExpectErrno(::open((tree / "new").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600), EACCES,
                  "create in the tree");
    c.ExpectErrno(::unlink(inside.c_str()), EACCES, "unlink in the tree");
    c.ExpectErrno(::mkdir((tree / "dir").c_str(), 0700), EACCES, "mkdir in the tree");
    c.ExpectErrno(::open(beside.c_str(), O_RDONLY | O_CLOEXEC), EACCES,
                  "open a file next to the single file");
    if (report.landlock_abi >= 3) {
      c.ExpectErrno(::truncate(inside.c_str(), 0), EACCES, "truncate in the tree");
    }
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
}

TEST(SandboxTest, ReadWriteTreesAllowEveryChange) {
  archivum::testing::TempDir tmp;
  const fs::path data = tmp.path() / "data";
  fs::create_directories(data / "old");
  SandboxPolicy policy = BasePolicy();
  policy.read_write = {data};
  const ChildRun run = RunSandboxed(policy, [&](const SandboxReport&, ChildChecks& c) {
    const fs::path file = data / "index";
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    c.ExpectSuccess(fd, "create a file");
    c.ExpectSuccess(::write(fd, "index data", 10), "write");
    c.ExpectSuccess(::ftruncate(fd, 5), "ftruncate");
    c.ExpectSuccess(::lseek(fd, 0, SEEK_SET), "lseek");
    c.Expect(ReadAll(fd) == "index", "the file reads back");
    c.ExpectSuccess(::truncate(file.c_str(), 2), "truncate");
    c.ExpectSuccess(::mkdir((data / "new").c_str(), 0700), "mkdir");
    c.ExpectSuccess(::rename(file.c_str(), (data / "new" / "index").c_str()),
                    "rename into a subdirectory");
    c.ExpectSuccess(::symlink("index", (data / "new" / "link").c_str()), "symlink");
    c.ExpectSuccess(::unlink((data / "new" / "link").c_str()), "unlink the symlink");
    c.ExpectSuccess(::unlink((data / "new" / "index").c_str()), "unlink");
    c.ExpectSuccess(::rmdir((data / "new").c_str()), "rmdir");
    c.ExpectSuccess(::rmdir((data / "old").c_str()), "rmdir of a directory made before");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  EXPECT_TRUE(fs::is_empty(data));
}

TEST(SandboxTest, NothingCanBeCreatedOutsideTheReadWriteTrees) {
  archivum::testing::TempDir tmp;
  const fs::path data = tmp.path() / "data";
  const fs::path other = tmp.path() / "other";
  fs::create_directories(data);
  const fs::path existing = tmp.Write("other/existing", "keep me");
  const fs::path movable = tmp.Write("data/movable", "stay");
  SandboxPolicy policy = BasePolicy();
  policy.read_write = {data};
  const ChildRun run = RunSandboxed(policy, [&](const SandboxReport& report, ChildChecks& c) {
    if (report.landlock_abi == 0) return;
    c.ExpectErrno(::open((other / "escape").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600), EACCES,
                  "create beside the data directory");
    c.ExpectErrno(::open((tmp.path() / "escape").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600),
                  EACCES, "create in the data directory's parent");
    c.ExpectErrno(::open(existing.c_str(), O_WRONLY | O_CLOEXEC), EACCES,
                  "open an outside file for writing");
    c.ExpectErrno(::unlink(existing.c_str()), EACCES, "unlink outside");
    const int renamed = ::rename(movable.c_str(), (other / "movable").c_str());
    const int error = errno;
    c.Expect(renamed == -1 && (error == EXDEV || error == EACCES),
             "rename out of the data directory fails with EXDEV or EACCES");
    if (report.landlock_abi >= 3) {
      c.ExpectErrno(::truncate(existing.c_str(), 0), EACCES, "truncate outside");
    }
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (run.report.landlock_abi == 0) GTEST_SKIP() << "Landlock is not in force on this kernel";
  EXPECT_FALSE(fs::exists(other / "escape"));
  EXPECT_FALSE(fs::exists(tmp.path() / "escape"));
  EXPECT_TRUE(fs::exists(movable));
  EXPECT_EQ(fs::file_size(existing), 7u);
}

TEST(SandboxTest, MissingPathsInThePolicyAreSkipped) {
  archivum::testing::TempDir tmp;
  const fs::path file = tmp.Write("file", "x");
  SandboxPolicy policy = BasePolicy();
  policy.read_only = {tmp.path() / "missing", file / "below-a-file", "", "/proc/self"};
  policy.read_write = {tmp.path() / "missing-too"};
  const ChildRun run = RunSandboxed(policy, [](const SandboxReport&, ChildChecks&) {});
  EXPECT_TRUE(run.passed()) << run.Describe();
}

TEST(SandboxTest, AddressSpaceLimitMakesLargeAllocationsFail) {
  SandboxPolicy policy = BasePolicy();
  // Room for what the process maps already and for small allocations, not for 1 GiB more.
  policy.address_space = VirtualMemorySize() + (uint64_t{256} << 20);
  const ChildRun run = RunSandboxed(policy, [](const SandboxReport& report, ChildChecks& c) {
    for (const std::string& warning : report.warnings) {
      if (warning.starts_with("address-space limit not applied")) return;
    }
    void* volatile large = std::malloc(size_t{1} << 30);
    c.Expect(large == nullptr, "malloc(1 GiB) fails");
    void* volatile small = std::malloc(size_t{1} << 20);
    c.Expect(small != nullptr, "malloc(1 MiB) works");
    c.Expect(::mmap(nullptr, size_t{1} << 30, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED,
             "mmap of 1 GiB fails");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  if (HasWarningContaining(run.report, "address-space limit not applied")) {
    GTEST_SKIP() << "no address-space limit under this sanitizer";
  }
}

TEST(SandboxTest, FileSizeLimitMakesWritesFailWithEfbig) {
  archivum::testing::TempDir tmp;
  const fs::path data = tmp.path() / "data";
  fs::create_directories(data);
  SandboxPolicy policy = BasePolicy();
  policy.read_write = {data};
  policy.file_size = uint64_t{1} << 20;
  const ChildRun run = RunSandboxed(policy, [&](const SandboxReport&, ChildChecks& c) {
    const int fd = ::open((data / "big").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    c.ExpectSuccess(fd, "create a file");
    const std::string chunk(size_t{256} << 10, 'x');
    uint64_t written = 0;
    ssize_t n = 0;
    for (int i = 0; i < 8; ++i) {
      n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0) break;
      written += static_cast<uint64_t>(n);
    }
    c.ExpectErrno(n, EFBIG, "a write past the limit");
    c.Expect(written == (uint64_t{1} << 20), "exactly 1 MiB was written");
  });
  ASSERT_TRUE(run.passed()) << run.Describe();
  EXPECT_EQ(fs::file_size(data / "big"), uint64_t{1} << 20);
}

TEST(SandboxTest, RefusesAProcessWithSeveralThreads) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    int gate[2];
    if (::pipe(gate) != 0) ::_exit(3);
    std::thread waiter([&gate] {
      char byte;
      while (::read(gate[0], &byte, 1) < 0 && errno == EINTR) {
      }
    });
    StatusOr<SandboxReport> report = ApplySandbox(BasePolicy());
    SendLine(fds[1], report.ok() ? "applied" : report.status().ToString());
    const ssize_t released = ::write(gate[1], "x", 1);
    (void)released;
    waiter.join();
    ::_exit(report.ok() ? 1 : 0);
  }
  ::close(fds[1]);
  ASSERT_GT(pid, 0);
  const std::string said = ReadAll(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << said;
  EXPECT_NE(said.find("FAILED_PRECONDITION"), std::string::npos) << said;
  EXPECT_NE(said.find("threads"), std::string::npos) << said;
}

}  // namespace
}  // namespace archivum::os::sandbox_test
