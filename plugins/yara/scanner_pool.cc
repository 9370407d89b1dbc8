#include "yara/scanner_pool.h"

#include <string>

#include "archivum/plugin.hpp"
#include "yara/yara_errors.h"

namespace archivum::bundled::yara {

ScannerPool::~ScannerPool() {
  for (YR_SCANNER* s : idle_) yr_scanner_destroy(s);
}

ScannerPool::Lease ScannerPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      YR_SCANNER* s = idle_.back();
      idle_.pop_back();
      return Lease(this, s);
    }
  }
  YR_SCANNER* s = nullptr;
  if (const int rc = yr_scanner_create(rules_, &s); rc != ERROR_SUCCESS) {
    throw sdk::Error(ARCHIVUM_ERROR, "libyara: cannot create a scanner: " + YaraErrorName(rc));
  }
  return Lease(this, s);
}

void ScannerPool::Return(YR_SCANNER* scanner) {
  {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(scanner);
      return;
    }
  }
  yr_scanner_destroy(scanner);
}

ScannerPool::Lease::~Lease() {
  if (keep_) {
    pool_->Return(scanner_);
  } else {
    yr_scanner_destroy(scanner_);
  }
}

}  // namespace archivum::bundled::yara
