#include "mail/gmime_util.h"

#include <gmime/gmime.h>

#include <mutex>

namespace archivum::bundled::mail {

void EnsureGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace archivum::bundled::mail
