#include "os/sandbox.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string_view>

#include "os/unique_fd.h"

namespace archivum::os {
namespace {

namespace fs = std::filesystem;

// The sanitizer runtimes whose shadow memory reserves more address space than any RLIMIT_AS a
// worker would get: with the limit, the runtime's own mappings fail and the process dies.
#if defined(__SANITIZE_ADDRESS__)
constexpr const char* kShadowSanitizer = "AddressSanitizer";
#elif defined(__SANITIZE_THREAD__)
constexpr const char* kShadowSanitizer = "ThreadSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr const char* kShadowSanitizer = "AddressSanitizer";
#elif __has_feature(thread_sanitizer)
constexpr const char* kShadowSanitizer = "ThreadSanitizer";
#elif __has_feature(memory_sanitizer)
constexpr const char* kShadowSanitizer = "MemorySanitizer";
#else
constexpr const char* kShadowSanitizer = nullptr;
#endif
#else
constexpr const char* kShadowSanitizer = nullptr;
#endif

std::string ErrnoText(int error) {
  const char* name = strerrorname_np(error);
  return std::string(std::strerror(error)) + " (" + (name != nullptr ? name : "?") + ")";
}

// The number of threads of the calling process; 0 if /proc does not say.
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    constexpr std::string_view kKey = "Threads:";
    if (line.compare(0, kKey.size(), kKey) == 0) return std::atoi(line.c_str() + kKey.size());
  }
  return 0;
}

// ---- Landlock --------------------------------------------------------------------------------
// The kernel's interface (include/uapi/linux/landlock.h), spelled out here: the build's kernel
// headers may predate the rights of later ABIs, and the running kernel decides which are used.

constexpr uint64_t kFsExecute = 1ULL << 0;
constexpr uint64_t kFsWriteFile = 1ULL << 1;
constexpr uint64_t kFsReadFile = 1ULL << 2;
constexpr uint64_t kFsReadDir = 1ULL << 3;
constexpr uint64_t kFsMakeSym = 1ULL << 12;   // the last right of ABI 1
constexpr uint64_t kFsRefer = 1ULL << 13;     // ABI 2
constexpr uint64_t kFsTruncate = 1ULL << 14;  // ABI 3
constexpr uint64_t kFsIoctlDev = 1ULL << 15;  // ABI 5
constexpr uint64_t kNetBindTcp = 1ULL << 0;   // ABI 4
constexpr uint64_t kNetConnectTcp = 1ULL << 1;
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;
constexpr uint32_t kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;

// The ABI 6 layout. Older kernels accept it as long as the fields they do not know are zero.
struct LandlockRulesetAttr {
  uint64_t handled_access_fs = 0;
  uint64_t handled_access_net = 0;
  uint64_t scoped = 0;
};

struct __attribute__((packed)) LandlockPathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

// A rule on a file (rather than a directory) may grant only these.
constexpr uint64_t kFsFileRights =
    kFsExecute | kFsWriteFile | kFsReadFile | kFsTruncate | kFsIoctlDev;
constexpr uint64_t kFsReadOnlyRights = kFsExecute | kFsReadFile | kFsReadDir;

// Every filesystem right that Landlock ABI `abi` knows.
uint64_t LandlockFsRights(long abi) {
  uint64_t rights = (kFsMakeSym << 1) - 1;
  if (abi >= 2) rights |= kFsRefer;
  if (abi >= 3) rights |= kFsTruncate;
  if (abi >= 5) rights |= kFsIoctlDev;
  return rights;
}

// Grants `rights` (within `handled`, and only its file rights when `path` is a file) beneath
// `path`. A missing path is skipped.
Status AddLandlockPathRule(int ruleset_fd, const fs::path& path, uint64_t rights,
                           uint64_t handled) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    return Internal("landlock: cannot open " + path.string() + ": " + ErrnoText(errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    return Internal("landlock: cannot stat " + path.string() + ": " + ErrnoText(errno));
  }
  LandlockPathBeneathAttr rule{rights & handled, fd.get()};
  if (!S_ISDIR(st.st_mode)) rule.allowed_access &= kFsFileRights;
  if (::syscall(SYS_landlock_add_rule, ruleset_fd, kRulePathBeneath, &rule, 0) != 0) {
    return Internal("landlock: cannot add the rule for " + path.string() + ": " + ErrnoText(errno));
  }
  // A rule holds the inode. procfs makes a new inode for a path once the kernel drops the old
  // one's directory entry from its cache, and the rule would no longer match it; an open
  // descriptor keeps that entry.
  struct statfs fs_info;
  if (::fstatfs(fd.get(), &fs_info) == 0 && fs_info.f_type == PROC_SUPER_MAGIC) fd.Release();
  return Status::Ok();
}

Status ApplyLandlock(const SandboxPolicy& policy, SandboxReport& report) {
  const long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  if (abi < 0) {
    const int error = errno;
    if (error == ENOSYS || error == EOPNOTSUPP) {
      report.warnings.push_back(std::string("landlock unavailable: kernel lacks it (") +
                                (error == ENOSYS ? "ENOSYS" : "EOPNOTSUPP: disabled at boot") +
                                "); files are not confined");
      return Status::Ok();
    }
    return Internal("landlock: cannot read its ABI version: " + ErrnoText(error));
  }

  LandlockRulesetAttr attr;
  attr.handled_access_fs = LandlockFsRights(abi);
  if (abi >= 4) attr.handled_access_net = kNetBindTcp | kNetConnectTcp;  // no rule: all denied
  if (abi >= 6) attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0)));
  if (ruleset.get() < 0) {
    return Internal("landlock: cannot create a ruleset (ABI " + std::to_string(abi) +
                    "): " + ErrnoText(errno));
  }
  for (const fs::path& path : policy.read_only) {
    Status status =
        AddLandlockPathRule(ruleset.get(), path, kFsReadOnlyRights, attr.handled_access_fs);
    if (!status.ok()) return status;
  }
  for (const fs::path& path : policy.read_write) {
    Status status =
        AddLandlockPathRule(ruleset.get(), path, attr.handled_access_fs, attr.handled_access_fs);
    if (!status.ok()) return status;
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0) {
    return Internal("landlock: cannot restrict the process: " + ErrnoText(errno));
  }
  report.landlock_abi = static_cast<int>(abi);
  if (abi < 3) {
    report.warnings.push_back("landlock ABI " + std::to_string(abi) +
                              " lacks truncation control; files outside read_write can be "
                              "truncated");
  }
  return Status::Ok();
}

// ---- seccomp ---------------------------------------------------------------------------------

struct SeccompRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using SeccompFilter = std::unique_ptr<void, SeccompRelease>;

scmp_arg_cmp Arg(unsigned int index, scmp_compare op, uint64_t a, uint64_t b = 0) {
  return scmp_arg_cmp{index, op, a, b};
}

// Makes system call `name` answer `action` when every comparison in `args` holds. A name this
// libseccomp does not know is skipped: each such call needs privileges a worker lacks anyway.
Status AddSeccompRule(const SeccompFilter& filter, uint32_t action, const char* name,
                      std::initializer_list<scmp_arg_cmp> args = {}) {
  const int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return Status::Ok();
  const int rc = seccomp_rule_add_array(filter.get(), action, nr,
                                        static_cast<unsigned int>(args.size()), args.begin());
  if (rc < 0) {
    return Internal(std::string("seccomp: cannot add the rule for ") + name + ": " +
                    ErrnoText(-rc));
  }
  return Status::Ok();
}

// Denied outright: none has a use in a process that only analyzes bytes it is handed.
constexpr const char* kDeniedSyscalls[] = {
    // Networking beyond the inherited, connected channel (socket creation is filtered below).
    "connect", "bind", "listen", "accept", "accept4",
    // Other programs and new processes (clone is filtered below).
    "execve", "execveat", "fork", "vfork",
    // Other processes: their signals, descriptors and memory.
    "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "ptrace", "process_vm_readv",
    "process_vm_writev",
    // io_uring performs operations (socket, connect, openat...) that system-call filters never
    // see.
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    // Mounts and namespaces.
    "mount", "umount2", "pivot_root", "chroot", "mount_setattr", "move_mount", "open_tree",
    "fsopen", "fsmount", "fspick", "unshare", "setns",
    // The kernel and the machine.
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "acct",
    "settimeofday", "clock_settime", "sethostname", "setdomainname", "iopl", "ioperm", "syslog",
    // Files by handle (bypassing paths, hence Landlock) and page-fault handling.
    "open_by_handle_at", "name_to_handle_at", "userfaultfd"};

// The argument of clone() that holds its flags: the first, except on s390, where the stack
// pointer comes first.
unsigned int CloneFlagsArgument() {
  const uint32_t arch = seccomp_arch_native();
  return (arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X) ? 1 : 0;
}

Status ApplySeccomp(SandboxReport& report) {
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
    report.warnings.push_back(
        "seccomp unavailable: kernel lacks it (EINVAL); system calls are not filtered");
    return Status::Ok();
  }
  SeccompFilter filter(seccomp_init(SCMP_ACT_ALLOW));
  if (filter == nullptr) return Internal("seccomp: cannot create a filter");
  // On every thread, should the process have more than ApplySandbox checked; a kernel without
  // thread synchronization refuses the attribute, and a single thread does not need it.
  (void)seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_TSYNC, 1);

  // The first failure to add a rule; the filter is loaded only if there was none.
  Status added;
  auto add = [&](uint32_t action, const char* name, std::initializer_list<scmp_arg_cmp> args = {}) {
    if (added.ok()) added = AddSeccompRule(filter, action, name, args);
  };
  const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDeniedSyscalls) add(deny, name);
  add(deny, "socket", {Arg(0, SCMP_CMP_NE, AF_UNIX)});
  add(deny, "socketpair", {Arg(0, SCMP_CMP_NE, AF_UNIX)});
  // With CLONE_THREAD, clone makes a thread of this process; without, a new process.
  add(deny, "clone", {Arg(CloneFlagsArgument(), SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)});
  // clone3's flags sit in memory, out of a filter's reach; ENOSYS makes the C library fall back
  // to clone.
  add(SCMP_ACT_ERRNO(ENOSYS), "clone3");
  // Signals to the process itself only (raise, abort, pthread_kill). No new process can exist,
  // so the pid stays this one.
  const uint64_t pid = static_cast<uint64_t>(::getpid());
  for (const char* name : {"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"}) {
    add(deny, name, {Arg(0, SCMP_CMP_NE, pid)});
  }
  // 0xffffffff reads the personality without changing it.
  add(deny, "personality", {Arg(0, SCMP_CMP_NE, 0xffffffffULL)});
  if (!added.ok()) return added;

  const int rc = seccomp_load(filter.get());
  if (rc < 0) return Internal("seccomp: cannot load the filter: " + ErrnoText(-rc));
  report.seccomp = true;
  return Status::Ok();
}

// ---- rlimits ---------------------------------------------------------------------------------

// Sets the soft and hard limit of `resource` to `value`, or to the hard limit in force if that
// is lower (raising it needs a privilege, and would not confine more). 0 leaves the limit.
Status SetLimit(int resource, const char* name, uint64_t value) {
  if (value == 0) return Status::Ok();
  rlimit limit{};
  if (::getrlimit(resource, &limit) != 0) {
    return Internal(std::string("rlimit: cannot read ") + name + ": " + ErrnoText(errno));
  }
  const rlim_t bound = value < limit.rlim_max ? static_cast<rlim_t>(value) : limit.rlim_max;
  limit.rlim_cur = bound;
  limit.rlim_max = bound;
  if (::setrlimit(resource, &limit) != 0) {
    return Internal(std::string("rlimit: cannot set ") + name + " to " + std::to_string(bound) +
                    ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

Status ApplyLimits(const SandboxPolicy& policy, SandboxReport& report) {
  if (policy.address_space != 0 && kShadowSanitizer != nullptr) {
    report.warnings.push_back(std::string("address-space limit not applied under ") +
                              kShadowSanitizer);
  } else {
    Status status = SetLimit(RLIMIT_AS, "RLIMIT_AS", policy.address_space);
    if (!status.ok()) return status;
  }
  // The shadow memory is private writable memory too, so RLIMIT_DATA has the same exception.
  if (policy.data_size != 0 && kShadowSanitizer != nullptr) {
    report.warnings.push_back(std::string("memory limit not applied under ") + kShadowSanitizer);
  } else {
    Status status = SetLimit(RLIMIT_DATA, "RLIMIT_DATA", policy.data_size);
    if (!status.ok()) return status;
  }
  if (policy.file_size != 0) {
    // A write past the limit then fails with EFBIG instead of killing the process.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    if (::sigaction(SIGXFSZ, &ignore, nullptr) != 0) {
      return Internal("rlimit: cannot ignore SIGXFSZ: " + ErrnoText(errno));
    }
  }
  if (Status status = SetLimit(RLIMIT_CPU, "RLIMIT_CPU", policy.cpu_seconds); !status.ok()) {
    return status;
  }
  if (Status status = SetLimit(RLIMIT_FSIZE, "RLIMIT_FSIZE", policy.file_size); !status.ok()) {
    return status;
  }
  return SetLimit(RLIMIT_NOFILE, "RLIMIT_NOFILE", policy.open_files);
}

}  // namespace

StatusOr<SandboxReport> ApplySandbox(const SandboxPolicy& policy) {
  if (const int threads = ThreadCount(); threads > 1) {
    return FailedPrecondition("sandbox: the process runs " + std::to_string(threads) +
                              " threads; it must have one (Landlock confines the calling "
                              "thread only)");
  }
  SandboxReport report;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Internal("no_new_privs: cannot set it: " + ErrnoText(errno));
  }
  report.no_new_privs = true;
  if (Status status = ApplyLandlock(policy, report); !status.ok()) return status;
  if (Status status = ApplySeccomp(report); !status.ok()) return status;
  if (Status status = ApplyLimits(policy, report); !status.ok()) return status;
  return report;
}

}  // namespace archivum::os
