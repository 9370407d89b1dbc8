// One thread per recognition: Debian's libtesseract is built with OpenMP, and its LSTM
// recognizer opens parallel regions of up to four threads. The daemon already processes files
// in parallel, one per core, so those threads only compete with the other files' calls (measured
// on one line of text: 0.23 s with them, 0.09 s without). OMP_THREAD_LIMIT=1 would turn them off,
// but libgomp reads it once, when it is loaded, which happens with this module and is too late
// for a setting made in create(). So before each recognition the calling thread sets its own
// max-active-levels to 0 (omp_set_max_active_levels; libgomp keeps it per thread), which makes
// every parallel region it opens run on that thread alone.
//
// libgomp is reached through the handle of the copy tesseract loaded (dlopen RTLD_NOLOAD), so the
// module does not link OpenMP itself, and a tesseract built without OpenMP makes this a no-op.
//
// Thread safety: safe to call from any thread; it affects only the calling thread.
#pragma once

namespace archivum::bundled::ocr {

// Makes the OpenMP parallel regions that the calling thread opens from now on run on it alone.
void LimitOpenMpToThisThread();

// Whether libgomp is loaded in this process (i.e. tesseract uses OpenMP), for the plugin's log.
bool OpenMpLoaded();

}  // namespace archivum::bundled::ocr
