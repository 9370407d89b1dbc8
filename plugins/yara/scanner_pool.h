// ScannerPool: YR_SCANNERs of one rule set, kept for the next call once a call is done with one.
//
// A scanner holds per-scan state sized to the rule set (match lists per string, the externals'
// objects); making one per file costs about a tenth of scanning a small file with a few hundred
// rules, so the scanners that scans finish with cleanly are reused, as the yara command line
// reuses one per thread. A lease hands its scanner back on destruction only if Keep() was called
// (after a scan that ended cleanly); any other scanner is destroyed, as it is not trusted again.
// At most kMaxIdle scanners are kept.
//
// Thread safety: Acquire and the leases' destructors are safe to call concurrently; a lease
// (and its scanner) belongs to one call. Ownership: the pool owns the idle scanners and destroys
// them with itself; every lease must be gone by then. The rules must outlive the pool.
#pragma once

#include <yara.h>

#include <cstddef>
#include <mutex>
#include <vector>

namespace archivum::bundled::yara {

class ScannerPool {
 public:
  static constexpr size_t kMaxIdle = 64;

  class Lease {
   public:
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    YR_SCANNER* get() const { return scanner_; }
    // Hands the scanner back to the pool on destruction, instead of destroying it.
    void Keep() { keep_ = true; }

   private:
    friend class ScannerPool;
    Lease(ScannerPool* pool, YR_SCANNER* scanner) : pool_(pool), scanner_(scanner) {}
    ScannerPool* pool_;
    YR_SCANNER* scanner_;
    bool keep_ = false;
  };

  explicit ScannerPool(YR_RULES* rules) : rules_(rules) {}
  ScannerPool(const ScannerPool&) = delete;
  ScannerPool& operator=(const ScannerPool&) = delete;
  ~ScannerPool();

  // An idle scanner, or a new one. Throws sdk::Error(ARCHIVUM_ERROR) if libyara cannot make one.
  // Its flags, callback, timeout and externals are as the last call left them: set them all.
  Lease Acquire();

 private:
  void Return(YR_SCANNER* scanner);

  YR_RULES* const rules_;
  std::mutex mu_;
  std::vector<YR_SCANNER*> idle_;  // guarded by mu_
};

}  // namespace archivum::bundled::yara
