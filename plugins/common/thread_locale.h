// ThreadUtf8Locale: makes the calling thread's LC_CTYPE C.UTF-8 for the object's lifetime, for
// libraries that convert text through the thread's locale (libarchive converts member names
// between an archive's charset and the locale; in the C locale it cannot convert any non-ASCII
// name: 7z names come out empty). If C.UTF-8 cannot be loaded (a sandbox without the locale
// files) the locale stays as it was. Header-only, so that test support can use it too.
//
// Thread safety: acts on the calling thread only; create and destroy it on the same thread.
#pragma once

#include <locale.h>

#include <clocale>

namespace archivum::bundled {

class ThreadUtf8Locale {
 public:
  ThreadUtf8Locale() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
    if (utf8_ != nullptr) previous_ = uselocale(utf8_);
  }
  ~ThreadUtf8Locale() {
    if (utf8_ == nullptr) return;
    uselocale(previous_);
    freelocale(utf8_);
  }
  ThreadUtf8Locale(const ThreadUtf8Locale&) = delete;
  ThreadUtf8Locale& operator=(const ThreadUtf8Locale&) = delete;

 private:
  locale_t utf8_;
  locale_t previous_ = nullptr;
};

}  // namespace archivum::bundled
