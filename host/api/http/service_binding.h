// The one place the gateway names FileManager's C++ methods: a table from RPC method name to a
// type-erased invoker over google::protobuf::Message. Everything else in the gateway (routing,
// JSON, query parameters, streaming) works from descriptors, so a new RPC needs only a line here
// to be served; until then its routes answer 501 UNIMPLEMENTED naming it.
//
// Thread safety: a Bindings table is immutable once built; invokers are as thread-safe as the
// FileManager they call (safe for concurrent use).
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/call_context.h"
#include "common/status.h"
#include "core/file_manager.h"

namespace archivum::api::gateway {

using google::protobuf::Message;

// One RPC, callable with messages of its descriptor's input/output types. Exactly one member is
// set, matching the method's streaming kind. Invokers check the dynamic message types and answer
// INTERNAL on a mismatch rather than casting blindly.
struct Invoker {
  // Unary: fills `response`.
  std::function<Status(const Message& request, const CallContext& ctx, Message* response)> unary;
  // Server streaming: calls `emit` once per streamed message; `emit` returns false to stop.
  std::function<Status(const Message& request, const CallContext& ctx,
                       const std::function<bool(const Message&)>& emit)>
      server_stream;
  // Client streaming: the core pulls UploadChunk messages from `reader`; fills `response`.
  std::function<Status(core::UploadReader& reader, const CallContext& ctx, Message* response)>
      client_stream;
  // Unary only, may be empty (never short): true if the call for `request` is short enough to
  // run on an I/O thread (see FileManager::AnalyzeMayRunOnIoThread). Never throws.
  std::function<bool(const Message& request)> may_run_on_io_thread;
};

// Keyed by the method's simple name ("Analyze").
using Bindings = std::map<std::string, Invoker, std::less<>>;

// The invokers of every FileManager method. `core` must outlive the table.
Bindings BindFileManager(core::FileManager* core);

// A fresh, empty message of `type` (from the generated pool's factory). Never null for types
// compiled into the binary.
std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type);

}  // namespace archivum::api::gateway
