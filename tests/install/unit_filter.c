// unit_filter: runs a command under the system-call side of config/archivumd.service, for hosts
// where systemd is not PID 1 (containers, CI) and `systemd-run -p ...` is not available. It
// installs, as systemd does for the unit, one seccomp filter with:
//   SystemCallFilter=      the system calls named in ALLOWED (one per line: the unit's list as
//                          `systemd-analyze syscall-filter` expands it); every other call fails
//                          with EPERM (SystemCallErrorNumber=EPERM)
//   MemoryDenyWriteExecute mmap with PROT_WRITE|PROT_EXEC, mprotect/pkey_mprotect with
//                          PROT_EXEC and shmat with SHM_EXEC fail with EPERM
//   RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6: socket() of any other family fails with
//                          EAFNOSUPPORT
//   RestrictNamespaces=yes unshare, setns and clone with a CLONE_NEW* flag fail with EPERM
//   RestrictRealtime=yes   sched_setscheduler/sched_setattr to a realtime policy fail with EPERM
//   LockPersonality=yes    personality() other than reading it fails with EPERM
// then sets no_new_privs (NoNewPrivileges=yes) and executes the command. The rest of the unit
// (users, capabilities, mounts) is not emulated here: run it under setpriv for those
// (tests/install/run_under_unit.sh does both).
//
// Usage: unit_filter ALLOWED_FILE COMMAND [ARGS...]
// ALLOWED_FILE's directory is scratch space that unit_filter removes before it executes COMMAND
// (run_under_unit.sh puts the list and this program there): the command then replaces this
// process (same pid, signals reach it directly) and leaves nothing behind.
// Build: cc -O1 -o unit_filter unit_filter.c -lseccomp
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLONE_NEW_ANY                                                                        \
  (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
   CLONE_NEWCGROUP)

static void die(const char* what, int rc) {
  fprintf(stderr, "unit_filter: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
  exit(125);
}

// Adds a rule for `name` if this libseccomp knows it; a call it cannot name cannot be filtered.
static void rule(scmp_filter_ctx ctx, uint32_t action, const char* name, unsigned int count,
                 const struct scmp_arg_cmp* args) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return;
  int rc = seccomp_rule_add_array(ctx, action, nr, count, args);
  if (rc < 0) die(name, rc);
}

// The calls whose arguments decide (below); the others in ALLOWED are allowed outright.
static const char* const kArgumentChecked[] = {
    "mmap",  "mmap2", "mprotect", "pkey_mprotect",      "shmat",      "socket", "unshare",
    "setns", "clone", "clone3",   "sched_setscheduler", "personality"};
enum { kCount = sizeof kArgumentChecked / sizeof *kArgumentChecked };

static int Listed(const int* listed, const char* name) {
  for (int i = 0; i < kCount; ++i) {
    if (strcmp(kArgumentChecked[i], name) == 0) return listed[i];
  }
  return 0;
}

// Allows `name` when argument `arg`, masked with `mask`, equals `value`.
static void AllowMasked(scmp_filter_ctx ctx, const char* name, unsigned int arg, uint64_t mask,
                        uint64_t value) {
  const struct scmp_arg_cmp cmp = {arg, SCMP_CMP_MASKED_EQ, mask, value};
  rule(ctx, SCMP_ACT_ALLOW, name, 1, &cmp);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: unit_filter ALLOWED_FILE COMMAND [ARGS...]\n");
    return 125;
  }
  // SystemCallErrorNumber=EPERM: whatever no rule allows.
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (ctx == NULL) die("seccomp_init", ENOMEM);

  int listed[kCount] = {0};
  FILE* list = fopen(argv[1], "r");
  if (list == NULL) die(argv[1], errno);
  char line[128];
  while (fgets(line, sizeof line, list) != NULL) {
    line[strcspn(line, " \t\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#') continue;
    int checked = 0;
    for (int i = 0; i < kCount; ++i) {
      if (strcmp(line, kArgumentChecked[i]) == 0) listed[i] = checked = 1;
    }
    if (!checked) rule(ctx, SCMP_ACT_ALLOW, line, 0, NULL);
  }
  fclose(list);
  // The scratch directory: the list, this program (already mapped, so it keeps running) and the
  // directory itself.
  char self[4096];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (length > 0) {
    self[length] = '\0';
    unlink(self);
  }
  unlink(argv[1]);
  char scratch[4096];
  snprintf(scratch, sizeof scratch, "%s", argv[1]);
  rmdir(dirname(scratch));

  // MemoryDenyWriteExecute=yes: never writable and executable at once, never made executable.
  const uint64_t wx = PROT_WRITE | PROT_EXEC;
  for (const char* const* name = (const char* const[]){"mmap", "mmap2", NULL}; *name; ++name) {
    if (!Listed(listed, *name)) continue;
    AllowMasked(ctx, *name, 2, wx, 0);
    AllowMasked(ctx, *name, 2, wx, PROT_WRITE);
    AllowMasked(ctx, *name, 2, wx, PROT_EXEC);
  }
  for (const char* const* name = (const char* const[]){"mprotect", "pkey_mprotect", NULL}; *name;
       ++name) {
    if (Listed(listed, *name)) AllowMasked(ctx, *name, 2, PROT_EXEC, 0);
  }
  if (Listed(listed, "shmat")) AllowMasked(ctx, "shmat", 2, SHM_EXEC, 0);
  // RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 (another family: EPERM here, EAFNOSUPPORT
  // under systemd; callers treat both as "not available").
  if (Listed(listed, "socket")) {
    for (const int* family = (const int[]){AF_UNIX, AF_INET, AF_INET6, -1}; *family >= 0;
         ++family) {
      AllowMasked(ctx, "socket", 0, 0xffffffffu, (uint64_t)*family);
    }
  }
  // RestrictNamespaces=yes: threads and plain processes only; unshare and setns stay denied.
  if (Listed(listed, "clone")) AllowMasked(ctx, "clone", 0, CLONE_NEW_ANY, 0);
  // clone3's flags are out of a filter's reach: ENOSYS, so that the C library falls back to
  // clone (systemd does the same).
  if (Listed(listed, "clone3")) rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
  // RestrictRealtime=yes: SCHED_OTHER, SCHED_BATCH and SCHED_IDLE (with or without
  // SCHED_RESET_ON_FORK) only.
  if (Listed(listed, "sched_setscheduler")) {
    for (const int* policy = (const int[]){SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, -1}; *policy >= 0;
         ++policy) {
      AllowMasked(ctx, "sched_setscheduler", 1, 0xff, (uint64_t)*policy);
    }
  }
  // LockPersonality=yes: reading the personality (0xffffffff) or setting the current one
  // (PER_LINUX).
  if (Listed(listed, "personality")) {
    AllowMasked(ctx, "personality", 0, 0xffffffffu, 0xffffffffu);
    AllowMasked(ctx, "personality", 0, 0xffffffffu, 0);
  }

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", errno);
  int rc = seccomp_load(ctx);
  if (rc < 0) die("seccomp_load", rc);
  seccomp_release(ctx);
  execvp(argv[2], argv + 2);
  die(argv[2], errno);
  return 125;
}
