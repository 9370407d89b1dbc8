// A protobuf arena whose first block is part of the object that holds it.
//
// A call's request and response (and, for Analyze, a page of hits: many small messages) are
// carved from the inline block without a heap allocation while they fit, and freed at once with
// the object. Strings keep their heap buffers (protobuf's arena does not own string contents).
//
// Thread safety: as google::protobuf::Arena (allocation is thread-safe). Not copyable or movable:
// the arena points into the object.
#pragma once

#include <google/protobuf/arena.h>

#include <cstddef>

namespace archivum::api {

template <size_t kInitialBlockBytes = 8192>
class InlineArena {
 public:
  InlineArena() : arena_(Options(block_)) {}
  InlineArena(const InlineArena&) = delete;
  InlineArena& operator=(const InlineArena&) = delete;

  google::protobuf::Arena* get() { return &arena_; }

 private:
  static google::protobuf::ArenaOptions Options(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = kInitialBlockBytes;
    return options;
  }

  // Declared before arena_: it exists before the arena uses it and after the arena is gone.
  alignas(std::max_align_t) char block_[kInitialBlockBytes];
  google::protobuf::Arena arena_;
};

}  // namespace archivum::api
