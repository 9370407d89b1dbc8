#include "os/truncation_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace archivum::os {
namespace {

// One protected range. `begin` is written last on registration and cleared first on release, so
// a nonzero begin means `end` belongs to the same registration (re-checked by the handler).
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> truncated{false};
  std::atomic<bool> used{false};
};

// Constant-initialized and trivially destructible: usable from a signal handler at any time.
Slot g_slots[kMaxGuarded];
struct sigaction g_previous;  // written once, before the handler can run
uintptr_t g_page_size = 4096;
std::once_flag g_install_once;

// Only async-signal-safe work here: atomics, mmap (a system call) and the previous handler.
void OnSigbus(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& slot : g_slots) {
    const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    if (begin == 0 || addr < begin) continue;
    const uintptr_t end = slot.end.load(std::memory_order_acquire);
    if (addr >= end || slot.begin.load(std::memory_order_acquire) != begin) continue;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): a page address computed from the fault's.
    void* page = reinterpret_cast<void*>(addr & ~(g_page_size - 1));
    if (::mmap(page, g_page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
        MAP_FAILED) {
      slot.truncated.store(true, std::memory_order_release);
      return;  // the faulting read is retried and now sees zeros
    }
    break;
  }
  // Not ours (or the page could not be replaced): as if this handler were not installed.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(sig, info, context);
    return;
  }
  if ((g_previous.sa_flags & SA_SIGINFO) == 0 && g_previous.sa_handler != SIG_DFL &&
      g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: returning re-executes the faulting access, which now terminates the process.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
}

void Install() {
  g_page_size = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  struct sigaction action {};
  action.sa_sigaction = &OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, &g_previous);
}

}  // namespace

int RegisterMapping(const void* data, size_t size) {
  if (data == nullptr || size == 0) return kUnguarded;
  std::call_once(g_install_once, Install);
  for (int i = 0; i < kMaxGuarded; ++i) {
    bool expected = false;
    if (!g_slots[i].used.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      continue;
    }
    Slot& slot = g_slots[i];
    const auto begin = reinterpret_cast<uintptr_t>(data);
    slot.truncated.store(false, std::memory_order_relaxed);
    slot.end.store(begin + size, std::memory_order_release);
    slot.begin.store(begin, std::memory_order_release);
    return i;
  }
  return kUnguarded;
}

void UnregisterMapping(int slot) {
  if (slot < 0 || slot >= kMaxGuarded) return;
  Slot& s = g_slots[slot];
  s.begin.store(0, std::memory_order_release);
  s.end.store(0, std::memory_order_release);
  s.used.store(false, std::memory_order_release);
}

bool MappingTruncated(int slot) {
  if (slot < 0 || slot >= kMaxGuarded) return false;
  return g_slots[slot].truncated.load(std::memory_order_acquire);
}

}  // namespace archivum::os
