// Per-call protobuf arenas for typed gRPC callback unary methods (grpc::MessageAllocator); the
// health service uses it. (FileManager's methods are raw and own their arenas: raw_unary_call.h.)
//
// Without an allocator, grpc++ builds each call's request and response on its own call arena,
// but every sub-message and repeated field of the response is a heap allocation of its own,
// freed one by one when the call is done. With this allocator the request and response live on
// an InlineArena in the holder (inline_arena.h), and the whole call is freed at once.
//
// With a CallTracker, each holder also holds a ticket: gRPC creates the holder before the
// handler runs and releases it once the call is done, so the tracker counts the call for exactly
// its lifetime (and the release runs inline, with no extra thread hop).
//
// Register with Service::SetMessageAllocatorFor_<Method>(&allocator); the allocator (and its
// tracker) must outlive the server. Thread safety: AllocateMessages is safe from any thread; a
// holder belongs to its call.
#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <cstddef>
#include <utility>

#include "api/grpc/call_tracker.h"
#include "api/grpc/inline_arena.h"

namespace archivum::api {

template <typename Request, typename Response, size_t kInitialBlockBytes = 8192>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  // `tracker` may be null (nothing counted).
  explicit ArenaMessageAllocator(CallTracker* tracker = nullptr) : tracker_(tracker) {}

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder(CallTracker::EnterIfAny(tracker_));
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    explicit Holder(CallTracker::Ticket ticket) : ticket_(std::move(ticket)) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(arena_.get()));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(arena_.get()));
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;

    // Called by gRPC once the call is done with both messages.
    void Release() override { delete this; }

   private:
    // Destroyed last: the call counts until its messages are gone.
    CallTracker::Ticket ticket_;
    InlineArena<kInitialBlockBytes> arena_;
  };

  CallTracker* const tracker_;
};

}  // namespace archivum::api
