#include "api/http/service_binding.h"

namespace archivum::api::gateway {
namespace {

namespace pb = ::aichemist_archivum;
using core::FileManager;

template <typename T>
const T* As(const Message& m) {
  return google::protobuf::DynamicCastToGenerated<T>(&m);
}
template <typename T>
T* As(Message* m) {
  return google::protobuf::DynamicCastToGenerated<T>(m);
}

Status TypeMismatch(const Message& m) {
  return Internal("gateway bug: unexpected message type " + m.GetDescriptor()->full_name());
}

template <typename Req, typename Resp>
Invoker Unary(FileManager* core, Status (FileManager::*fn)(const Req&, const CallContext&, Resp*)) {
  Invoker inv;
  inv.unary = [core, fn](const Message& request, const CallContext& ctx, Message* response) {
    const Req* req = As<Req>(request);
    Resp* resp = As<Resp>(response);
    if (req == nullptr) return TypeMismatch(request);
    if (resp == nullptr) return TypeMismatch(*response);
    return (core->*fn)(*req, ctx, resp);
  };
  return inv;
}

}  // namespace

Bindings BindFileManager(FileManager* core) {
  Bindings b;
  b["Ingest"] = Unary(core, &FileManager::Ingest);
  b["Analyze"] = Unary(core, &FileManager::Analyze);
  b["Analyze"].may_run_on_io_thread = [core](const Message& request) {
    const auto* req = As<pb::AnalyzeRequest>(request);
    return req != nullptr && core->AnalyzeMayRunOnIoThread(*req);
  };
  // A catalog read of one document, and the registry's in-memory description.
  b["GetDocument"] = Unary(core, &FileManager::GetDocument);
  b["GetDocument"].may_run_on_io_thread = [](const Message&) { return true; };
  b["GetThumbnail"] = Unary(core, &FileManager::GetThumbnail);
  b["GetThumbnail"].may_run_on_io_thread = [](const Message&) { return true; };
  b["ListPlugins"] = Unary(core, &FileManager::ListPlugins);
  b["ListPlugins"].may_run_on_io_thread = [](const Message&) { return true; };
  // The quarantine's in-memory copy; clearing writes the catalog, so it goes to a worker.
  b["ListQuarantine"] = Unary(core, &FileManager::ListQuarantine);
  b["ListQuarantine"].may_run_on_io_thread = [](const Message&) { return true; };
  b["ClearQuarantine"] = Unary(core, &FileManager::ClearQuarantine);
  // The watcher's in-memory status.
  b["GetWatchStatus"] = Unary(core, &FileManager::GetWatchStatus);
  b["GetWatchStatus"].may_run_on_io_thread = [](const Message&) { return true; };
  b["IngestStream"].server_stream = [core](const Message& request, const CallContext& ctx,
                                           const std::function<bool(const Message&)>& emit) {
    const auto* req = As<pb::IngestRequest>(request);
    if (req == nullptr) return TypeMismatch(request);
    pb::IngestSummary
        summary;  // gRPC does not send it either: the stream ends after the last event
    return core->IngestStream(
        *req, ctx, [&emit](const pb::IngestEvent& ev) { return emit(ev); }, &summary);
  };
  b["GetContent"].server_stream = [core](const Message& request, const CallContext& ctx,
                                         const std::function<bool(const Message&)>& emit) {
    const auto* req = As<pb::GetContentRequest>(request);
    if (req == nullptr) return TypeMismatch(request);
    return core->GetContent(*req, ctx,
                            [&emit](const pb::ContentChunk& chunk) { return emit(chunk); });
  };
  b["Upload"].client_stream = [core](core::UploadReader& reader, const CallContext& ctx,
                                     Message* response) {
    auto* summary = As<pb::IngestSummary>(response);
    if (summary == nullptr) return TypeMismatch(*response);
    return core->Upload(reader, ctx, summary);
  };
  return b;
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<Message>(prototype == nullptr ? nullptr : prototype->New());
}

}  // namespace archivum::api::gateway
