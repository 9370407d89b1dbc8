// Unary gRPC calls on raw bytes: the request parsed here, the response serialized here.
//
// gRPC's typed callback handlers (1.51) answer a request they cannot parse with UNIMPLEMENTED and
// no message, before the service sees it. With raw methods the service gets the bytes and
// answers such a request INVALID_ARGUMENT, naming the message type (ParseMessage).
//
// A RawUnaryCall is the call's reactor and owns everything the call needs until gRPC is done
// with it: the request and response messages, on an InlineArena (inline_arena.h), and the
// CallTracker ticket, which counts the call until OnDone. Create one per call with new; it deletes
// itself in OnDone.
//
// Thread safety: a call belongs to one handler at a time; Complete may run on any thread, once.
#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <cstddef>
#include <string>
#include <utility>

#include "api/grpc/call_tracker.h"
#include "api/grpc/inline_arena.h"
#include "api/grpc/status_convert.h"
#include "common/status.h"

namespace archivum::api {

// Parses `raw` into `out`. INVALID_ARGUMENT naming the message type if the bytes are not a valid
// `Message` (malformed, truncated, or a proto3 string field that is not UTF-8).
template <typename Message>
Status ParseMessage(const grpc::ByteBuffer& raw, Message* out) {
  grpc::ByteBuffer bytes(raw);  // shares the slices; the reader consumes its own copy
  grpc::ProtoBufferReader reader(&bytes);
  if (reader.status().ok() && out->ParseFromZeroCopyStream(&reader)) return Status::Ok();
  return InvalidArgument("the request is not a valid " + out->GetTypeName() +
                         " message (malformed protobuf, or a string field that is not UTF-8)");
}

// Serializes `message` into `out` (replacing its contents).
template <typename Message>
grpc::Status SerializeMessage(const Message& message, grpc::ByteBuffer* out) {
  bool own_buffer = false;
  return grpc::SerializationTraits<Message>::Serialize(message, out, &own_buffer);
}

template <typename Request, typename Response, size_t kInitialBlockBytes = 8192>
class RawUnaryCall final : public grpc::ServerUnaryReactor {
 public:
  // `raw_response` is gRPC's response buffer for this call; it outlives the call.
  RawUnaryCall(CallTracker::Ticket ticket, grpc::ByteBuffer* raw_response)
      : ticket_(std::move(ticket)),
        raw_response_(raw_response),
        request_(google::protobuf::Arena::CreateMessage<Request>(arena_.get())),
        response_(google::protobuf::Arena::CreateMessage<Response>(arena_.get())) {}
  RawUnaryCall(const RawUnaryCall&) = delete;
  RawUnaryCall& operator=(const RawUnaryCall&) = delete;

  Request* request() { return request_; }
  Response* response() { return response_; }

  // Finishes the call with `status`, and on success with the response's bytes.
  void Complete(const Status& status) {
    grpc::Status result = ToGrpc(status);
    if (result.ok()) result = SerializeMessage(*response_, raw_response_);
    Finish(std::move(result));
  }

  void OnDone() override { delete this; }
  // OnDone only frees the call, so gRPC may run it on the thread that completes the call, as it
  // does for its own DefaultReactor, instead of handing it to its executor thread: one thread
  // wake-up less per call. (A virtual of grpc::internal::ServerReactor that gRPC marks "not
  // API"; present in 1.51, which Debian 12 ships.)
  bool InternalInlineable() override { return true; }

 private:
  // Destroyed last: the call counts until its messages are gone.
  CallTracker::Ticket ticket_;
  grpc::ByteBuffer* const raw_response_;
  InlineArena<kInitialBlockBytes> arena_;  // before the messages it holds
  Request* const request_;
  Response* const response_;
};

}  // namespace archivum::api
