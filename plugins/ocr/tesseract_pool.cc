#include "ocr/tesseract_pool.h"

#include <tesseract/baseapi.h>

#include <chrono>

#include "archivum/plugin.hpp"

namespace archivum::bundled::ocr {

TesseractPool::TesseractPool(Settings settings) : settings_(std::move(settings)) {
  // Room for every engine, so that giving one back never allocates (and so never fails).
  idle_.reserve(static_cast<size_t>(settings_.max_engines));
  idle_.push_back(NewEngine());
  engines_ = 1;
}

TesseractPool::~TesseractPool() = default;

std::unique_ptr<tesseract::TessBaseAPI> TesseractPool::NewEngine() const {
  static std::mutex initializing;
  std::lock_guard lock(initializing);
  auto engine = std::make_unique<tesseract::TessBaseAPI>();
  // OEM_DEFAULT: the LSTM recognizer when the trained data has one (Debian's do), as the
  // tesseract command does by default.
  if (engine->Init(settings_.tessdata.c_str(), settings_.languages.c_str(),
                   tesseract::OEM_DEFAULT) != 0) {
    throw sdk::Error(ARCHIVUM_ERROR, "tesseract cannot load the trained data of \"" +
                                         settings_.languages + "\" from " + settings_.tessdata);
  }
  engine->SetPageSegMode(static_cast<tesseract::PageSegMode>(settings_.page_segmentation));
  // tesseract prints its diagnostics ("Estimating resolution as 300" for every image that states
  // no resolution) to stderr, which an isolated worker relays to the daemon's log as warnings.
  // This process-wide setting sends them to /dev/null instead, where the process may open it for
  // writing (a worker whose sandbox allows /dev/null only for reading keeps printing them).
  engine->SetVariable("debug_file", "/dev/null");
  return engine;
}

std::optional<TesseractPool::Lease> TesseractPool::Acquire(const std::function<bool()>& stop) {
  std::unique_lock lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<tesseract::TessBaseAPI> engine = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(engine));
    }
    if (engines_ < settings_.max_engines) {
      ++engines_;  // reserved while it is made, so that no other call makes one past the bound
      lock.unlock();
      try {
        return Lease(this, NewEngine());
      } catch (...) {
        lock.lock();
        --engines_;
        returned_.notify_one();
        throw;
      }
    }
    returned_.wait_for(lock, std::chrono::milliseconds(20));
    if (idle_.empty()) {
      lock.unlock();
      const bool stopped = stop();
      lock.lock();
      if (stopped) return std::nullopt;
    }
  }
}

int TesseractPool::engines() const {
  std::lock_guard lock(mu_);
  return engines_;
}

void TesseractPool::GiveBack(std::unique_ptr<tesseract::TessBaseAPI> engine) noexcept {
  // Frees the page's image and results now rather than when the engine is next used; the
  // trained data stays loaded.
  engine->Clear();
  std::lock_guard lock(mu_);  // idle_ has room for every engine: push_back does not allocate
  idle_.push_back(std::move(engine));
  returned_.notify_one();
}

TesseractPool::Lease::Lease(TesseractPool* pool, std::unique_ptr<tesseract::TessBaseAPI> engine)
    : pool_(pool), engine_(std::move(engine)) {}

TesseractPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), engine_(std::move(other.engine_)) {}

TesseractPool::Lease& TesseractPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (engine_ != nullptr) pool_->GiveBack(std::move(engine_));
    pool_ = other.pool_;
    engine_ = std::move(other.engine_);
  }
  return *this;
}

TesseractPool::Lease::~Lease() {
  if (engine_ == nullptr) return;
  pool_->GiveBack(std::move(engine_));
}

}  // namespace archivum::bundled::ocr
