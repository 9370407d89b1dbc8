// A pool of initialized tesseract engines (tesseract::TessBaseAPI) for one set of languages.
//
// Why a pool: an engine must not be used by two threads at once, and initializing one (loading
// the trained data) takes 0.2 to 0.5 s, longer than recognizing a short page. So each call takes
// an engine for itself and gives it back when done; engines are made on demand, up to a bound,
// and kept for the next calls. An engine's memory is mostly its language model (about 24 MB
// for Debian's "eng", measured by bench/run's OCR section), plus its working memory while it
// recognizes a page (some 40 MB for an A4 page at 300 dpi).
//
// Engines are made one at a time across the process (tesseract's initialization touches
// process-wide parameter and cache state), outside the pool's lock, so that calls holding an
// engine are never held up.
//
// Thread safety: Acquire() and Lease destruction may run concurrently from any threads. The pool
// must outlive its leases.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tesseract {
class TessBaseAPI;
}

namespace archivum::bundled::ocr {

class TesseractPool {
 public:
  struct Settings {
    std::string tessdata;   // the directory of the .traineddata files
    std::string languages;  // joined with '+', e.g. "eng+deu"
    int page_segmentation;  // tesseract::PageSegMode (3..13)
    int max_engines;        // >= 1
  };

  // Makes the first engine, so that a language tesseract cannot load fails here, at create().
  // Throws sdk::Error(ARCHIVUM_ERROR) naming the languages and the directory if tesseract cannot
  // initialize.
  explicit TesseractPool(Settings settings);
  ~TesseractPool();
  TesseractPool(const TesseractPool&) = delete;
  TesseractPool& operator=(const TesseractPool&) = delete;

  // One engine, for the holder's exclusive use until it is destroyed, which clears the engine's
  // image and results and gives it back to the pool.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;  // gives back the engine held so far
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    tesseract::TessBaseAPI& engine() const { return *engine_; }

   private:
    friend class TesseractPool;
    Lease(TesseractPool* pool, std::unique_ptr<tesseract::TessBaseAPI> engine);
    TesseractPool* pool_;
    std::unique_ptr<tesseract::TessBaseAPI> engine_;
  };

  // An idle engine; else a new one while fewer than max_engines exist; else the first one given
  // back. While it waits it asks `stop` every 20 ms and returns std::nullopt once `stop` says
  // true. Throws sdk::Error(ARCHIVUM_ERROR) if a new engine cannot be initialized.
  std::optional<Lease> Acquire(const std::function<bool()>& stop);

  // Engines made so far (idle or leased).
  int engines() const;

 private:
  std::unique_ptr<tesseract::TessBaseAPI> NewEngine() const;
  void GiveBack(std::unique_ptr<tesseract::TessBaseAPI> engine) noexcept;

  const Settings settings_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<tesseract::TessBaseAPI>> idle_;  // GUARDED_BY(mu_)
  int engines_ = 0;                                            // GUARDED_BY(mu_)
};

}  // namespace archivum::bundled::ocr
