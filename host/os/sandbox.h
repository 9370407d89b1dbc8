// Confining a process for good: what a plugin worker does to itself after it starts and before it
// loads untrusted code. Four layers, each one the kernel enforces on its own:
//
//   no_new_privs  prctl(PR_SET_NO_NEW_PRIVS): no set-user-ID or file-capability gains; needed
//                 for the two below without privileges.
//   Landlock      files: read_only trees may be read (files, directory listings) and executed;
//                 read_write trees may also be written, created in, truncated, deleted from, and
//                 renamed and linked within (across directories from ABI 2); every other path is
//                 denied (EACCES, or EXDEV for a rename or link across the boundary). Network
//                 (ABI >= 4): TCP bind and connect are denied. Scopes (ABI >= 6): no signals to,
//                 and no abstract UNIX sockets of, processes outside the sandbox. Every access
//                 right of the running kernel's ABI (up to ABI 7) is handled: whatever the kernel
//                 can confine is denied unless a rule grants it.
//   seccomp-bpf   a denylist (everything else allowed) answering EPERM, so that a plugin gets a
//                 clean error rather than a crash: sockets of every family but AF_UNIX; connect,
//                 bind, listen, accept (an inherited, already connected AF_UNIX socket keeps
//                 working with send/recv/sendmsg/recvmsg); execve(at); new processes (fork,
//                 vfork, clone without CLONE_THREAD; clone3 answers ENOSYS so that the C library
//                 falls back to clone, whose flags a filter can read; threads keep working);
//                 signals to other processes (kill, tkill, tgkill, rt_(tg)sigqueueinfo to another
//                 pid; pidfd_open, pidfd_send_signal, pidfd_getfd); io_uring (its operations
//                 bypass system-call filters); ptrace and cross-process memory; mounts and
//                 namespaces; modules, kexec, reboot, swap, bpf, perf events, keyrings, the
//                 clock, host and domain names, I/O ports, handle-based opens, userfaultfd,
//                 accounting, the kernel log, and personality changes (reading it stays allowed).
//   rlimits       address space, CPU seconds (then SIGKILL), file size (writes past it fail with
//                 EFBIG: SIGXFSZ is ignored) and open descriptors, soft and hard alike. They come
//                 last so that they bound the plugin, not the set-up of the layers above.
//
// What is NOT implied: nothing outside the two path lists is readable once Landlock is in force,
// so a worker's policy lists what the process itself still opens after ApplySandbox: the
// libraries it will load (/usr, /lib...), /dev/null, /etc files the C library reads (locale,
// time zone), and /proc/self when a sanitizer runtime is present (it reads /proc/self/maps). Open
// descriptors are never affected: the IPC socket, stdout and stderr, and files opened before
// ApplySandbox keep working. Landlock does not cover stat-like metadata reads, and up to ABI 8
// it does not cover sending datagrams to pathname UNIX sockets. Under LeakSanitizer, a confined
// process leaves with _exit (or runs with detect_leaks=0): the leak check at exit stops the
// world with a new process and ptrace, which the filter denies, and reports a fatal error.
//
// Thread safety: ApplySandbox confines the calling process, but Landlock and no_new_privs act on
// the calling thread only, so it must run while the process has a single thread (it refuses
// when /proc/self/status shows more). Call it at most once per process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace archivum::os {

struct SandboxPolicy {
  // Trees the process may read (files and directory listings), map and execute from. A path
  // that does not exist is skipped; a path may also name a single file. Symbolic links are
  // resolved when ApplySandbox runs, in the calling process: "/proc/self" grants the caller's
  // own /proc/<pid>. (For a procfs path, ApplySandbox keeps a descriptor open for the life of
  // the process: procfs gives a path a new inode, which the rule would not cover, once the
  // kernel drops the old directory entry from its cache.)
  std::vector<std::filesystem::path> read_only;
  // Trees the process may read, create, write, truncate, rename within and delete in (a
  // plugin's data directory). A path that does not exist is skipped.
  std::vector<std::filesystem::path> read_write;
  // RLIMIT_AS in bytes; 0 leaves it. Not applied under AddressSanitizer or ThreadSanitizer,
  // whose shadow memory reserves terabytes of address space (a warning says so).
  uint64_t address_space = 0;
  // RLIMIT_DATA in bytes: the process's private writable memory (heap, anonymous mappings,
  // thread stacks), but not its read-only mappings of files, so a worker can map a file of any
  // size; 0 leaves it. Not applied under the sanitizers either (a warning says so).
  uint64_t data_size = 0;
  // RLIMIT_CPU in seconds; 0 leaves it. The kernel sends SIGKILL once it is used up.
  uint64_t cpu_seconds = 0;
  // RLIMIT_FSIZE in bytes; 0 leaves it. Writes beyond it fail with EFBIG (SIGXFSZ is ignored).
  uint64_t file_size = 0;
  // RLIMIT_NOFILE; 0 leaves it. Descriptors already open above it stay open.
  uint64_t open_files = 0;
};

// What is in force after a successful ApplySandbox.
struct SandboxReport {
  bool no_new_privs = false;
  bool seccomp = false;
  // The Landlock ABI version the rules were built for; 0: Landlock is not in force.
  int landlock_abi = 0;
  // Protection that is missing, one line each, for operators (PluginDescription's
  // sandbox_warnings), e.g. "landlock unavailable: kernel lacks it (ENOSYS); files are not
  // confined". Empty when every layer is in force as asked.
  std::vector<std::string> warnings;
};

// Confines the calling process, irreversibly, as `policy` says (see the top of this file). A
// layer the running kernel lacks is reported in the warnings, never an error. Errors:
// FAILED_PRECONDITION if the process has more than one thread; INTERNAL naming the layer (and
// the path, for a Landlock rule) when the kernel has a layer but refuses to apply it. After an
// error the process may be partly confined and should exit rather than load a plugin.
StatusOr<SandboxReport> ApplySandbox(const SandboxPolicy& policy);

}  // namespace archivum::os
