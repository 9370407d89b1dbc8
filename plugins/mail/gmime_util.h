// Small helpers around GMime 3 for the mail plugin: one-time library initialization and owning
// pointers for GObject references and g_malloc'ed strings.
//
// Thread safety: EnsureGMime may be called from any thread, any number of times. GMime's objects
// are not thread-safe ("Objects subclassing GObject are not", GMime FAQ, "How do I use GMime with
// threads?"), while gmime-charset, gmime-iconv and gmime-utils are; every caller in this plugin
// builds its own objects, so calls on different files may run concurrently.
#pragma once

#include <glib-object.h>
#include <glib.h>

#include <memory>

namespace archivum::bundled::mail {

// Calls g_mime_init() once per process (std::call_once: g_mime_init itself keeps an unguarded
// counter). GMime is never shut down: another thread may still be using it, and the plugin
// module stays loaded for the life of the process (see CMakeLists.txt).
void EnsureGMime();

// Releases a GObject reference.
struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
// Owns one reference to a GObject (GMimeParser, GMimeStream, GMimeMessage, ...).
template <class T>
using GRef = std::unique_ptr<T, GObjectUnref>;

// Frees a g_malloc'ed buffer.
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GChars = std::unique_ptr<char, GFree>;

}  // namespace archivum::bundled::mail
