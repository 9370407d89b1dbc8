// A built plugin module driven through the raw C ABI, as the host drives it: dlopen, the entry
// symbol, a host API table, then create(), process(), flush(), query(), last_error() and
// destroy(). Shared by the ABI tests of the bundled plugins.
#pragma once

#include <dlfcn.h>

#include <string>
#include <string_view>

#include "archivum/plugin.h"
#include "plugins_bundled/test_util.h"
#include "support/temp_dir.h"

namespace archivum::bundled::testing {

// A copy of an ABI string ("" for an empty one, whose data may be NULL).
inline std::string AbiString(archivum_str s) {
  return s.size == 0 ? "" : std::string(s.data, s.size);
}

// One loaded module and, after a successful Create(), one plugin state.
//
// Contract: if loaded() is false, error() says why (dlopen's message, or the missing entry
// symbol) and nothing else may be called; descriptor() requires loaded(). Create() runs create()
// once; it may run again only after it failed (the ABI creates one state per load). Process(),
// Flush() and Query() require a successful Create(); without one, or for an entry point the
// descriptor leaves NULL, they fail without calling into the module. Every call returns the
// plugin's code unchanged; on a failure error() holds the plugin's reason (last_error()), and on
// success it is empty.
//
// Ownership: owns the library handle (dlclose'd on destruction), the plugin state (destroyed
// before that) and the host API table with the strings it points to. data_dir() is a fresh
// temporary directory, handed to the plugin as its data directory and removed after the state
// is destroyed. The descriptor belongs to the module and stays valid while this object lives.
// Files and sinks are the caller's, borrowed for one call.
//
// Thread safety: Create(), Process(), Flush() and Query() record error() and are for one thread
// at a time. ProcessConcurrently() is const and changes nothing here: several threads may call it
// at once iff the descriptor declares ARCHIVUM_FLAG_THREAD_SAFE, each with its own file, sink and
// error string (last_error() is per state and thread, read on the calling thread).
class LoadedModule {
 public:
  explicit LoadedModule(const char* path) : data_dir_(dir_.path().string()) {
    handle_ = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      error_ = dlerror();
      return;
    }
    const auto entry =
        reinterpret_cast<archivum_plugin_entry_fn>(dlsym(handle_, ARCHIVUM_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) {
      error_ = "no entry symbol";
      return;
    }
    descriptor_ = entry();
    host_.struct_size = sizeof(host_);
    host_.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    host_.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    host_.plugin_name = descriptor_->name;
    host_.data_dir = {data_dir_.data(), data_dir_.size()};
    host_.log = [](void*, archivum_log_level, archivum_str) {};
  }
  ~LoadedModule() {
    if (state_ != nullptr) descriptor_->destroy(state_);
    if (handle_ != nullptr) dlclose(handle_);
  }
  LoadedModule(const LoadedModule&) = delete;
  LoadedModule& operator=(const LoadedModule&) = delete;

  bool loaded() const { return descriptor_ != nullptr; }
  const std::string& error() const { return error_; }
  const archivum_plugin_descriptor& descriptor() const { return *descriptor_; }
  const std::string& data_dir() const { return data_dir_; }

  archivum_rc Create(std::string_view config) {
    const archivum_rc rc = descriptor_->create({config.data(), config.size()}, &host_, &state_);
    error_ = rc == ARCHIVUM_OK ? "" : AbiString(descriptor_->last_error(nullptr));
    return rc;
  }
  archivum_rc Process(const TestFile& file, RecordingSink& sink) {
    return ProcessConcurrently(file, sink, &error_);
  }
  // Process() for calls from several threads at once: `error` (if not null) receives the reason
  // of a failure and is cleared on success.
  archivum_rc ProcessConcurrently(const TestFile& file, RecordingSink& sink,
                                  std::string* error = nullptr) const {
    if (state_ == nullptr) return Refuse("process() before a successful create()", error);
    return Result(descriptor_->process(state_, file.get(), sink.get()), error);
  }
  archivum_rc Flush() {
    if (state_ == nullptr || descriptor_->flush == nullptr) {
      return Refuse("no state, or no flush() in the descriptor", &error_);
    }
    return Result(descriptor_->flush(state_), &error_);
  }
  archivum_rc Query(std::string_view verb, std::string_view argument, RecordingQuerySink& sink) {
    if (state_ == nullptr || descriptor_->query == nullptr) {
      return Refuse("no state, or no query() in the descriptor", &error_);
    }
    return Result(descriptor_->query(state_, {verb.data(), verb.size()},
                                     {argument.data(), argument.size()}, sink.get()),
                  &error_);
  }

 private:
  // Reads last_error() on the calling thread right after a failed call, as the ABI requires.
  archivum_rc Result(archivum_rc rc, std::string* error) const {
    if (error != nullptr) {
      *error = rc == ARCHIVUM_OK ? "" : AbiString(descriptor_->last_error(state_));
    }
    return rc;
  }
  static archivum_rc Refuse(const char* why, std::string* error) {
    if (error != nullptr) *error = why;
    return ARCHIVUM_ERROR;
  }

  // Declared first so that it is removed last, after the state that may keep files in it.
  archivum::testing::TempDir dir_;
  std::string data_dir_;
  void* handle_ = nullptr;
  const archivum_plugin_descriptor* descriptor_ = nullptr;
  archivum_host_api host_{};
  archivum_plugin_state* state_ = nullptr;
  std::string error_;
};

}  // namespace archivum::bundled::testing
