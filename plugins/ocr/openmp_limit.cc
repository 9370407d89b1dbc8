#include "ocr/openmp_limit.h"

#include <dlfcn.h>

namespace archivum::bundled::ocr {
namespace {

using SetMaxActiveLevels = void (*)(int);

// omp_set_max_active_levels of the libgomp already in the process, or null. The handle is kept
// for the life of the process (the module never unloads: -z nodelete).
SetMaxActiveLevels Resolve() {
  void* gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (gomp == nullptr) return nullptr;
  return reinterpret_cast<SetMaxActiveLevels>(dlsym(gomp, "omp_set_max_active_levels"));
}

SetMaxActiveLevels Function() {
  static const SetMaxActiveLevels function = Resolve();
  return function;
}

}  // namespace

void LimitOpenMpToThisThread() {
  if (const SetMaxActiveLevels set = Function(); set != nullptr) set(0);
}

bool OpenMpLoaded() {
  return Function() != nullptr;
}

}  // namespace archivum::bundled::ocr
