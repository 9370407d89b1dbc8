// The gateway's JSON conventions, grpc-gateway's: proto3 JSON mapping for messages and
// google.rpc.Status bodies for errors, with the standard gRPC-code → HTTP-status mapping.
//
// All functions are pure and reentrant; none throws.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::api::gateway {

// The HTTP status grpc-gateway answers for a gRPC code (runtime.HTTPStatusFromCode):
// OK 200, CANCELLED 499, INVALID_ARGUMENT/FAILED_PRECONDITION/OUT_OF_RANGE 400,
// DEADLINE_EXCEEDED 504, NOT_FOUND 404, ALREADY_EXISTS/ABORTED 409, PERMISSION_DENIED 403,
// UNAUTHENTICATED 401, RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501, UNAVAILABLE 503,
// everything else (UNKNOWN, INTERNAL, DATA_LOSS) 500.
unsigned HttpStatusFromCode(StatusCode code);

// google.rpc.Status as JSON: {"code":5,"message":"...","details":[]}. The message is escaped, so
// any text (including invalid UTF-8, replaced) is safe to pass.
std::string ErrorJson(const Status& status);

// True for "application/json", case-insensitive, with optional parameters where a charset, if
// given, is utf-8 (RFC 8259 JSON is UTF-8).
bool IsJsonContentType(std::string_view content_type);

// Merges a JSON request body into `message` (proto3 mapping): accepts both the JSON (camelCase)
// and the proto field names, ignores unknown fields. An empty or all-whitespace body is the empty
// message. Errors: INVALID_ARGUMENT naming what is malformed, or an enum field and the name given
// for it that is none of its values (protobuf alone would drop such a value silently).
// AnalyzeRequest bodies of the usual shape take a direct parser (analyze_json.h) with the same
// result.
Status ParseJsonBody(std::string_view body, google::protobuf::Message* message);

// Prints `message` in the proto3 mapping: camelCase names, unpopulated scalar and repeated
// fields emitted (0, "", false, []), enums by name, 64-bit integers as strings. Unset singular
// sub-messages and oneof members are omitted (protobuf's printer has no option for them).
// AnalyzeResponse is usually written directly (analyze_json.h), byte-for-byte the same.
// Errors: INTERNAL if the message cannot be printed.
StatusOr<std::string> PrintJson(const google::protobuf::Message& message);
// PrintJson appending to `out`, which keeps what it held before; on error, `out` is unspecified.
Status AppendJson(const google::protobuf::Message& message, std::string* out);

}  // namespace archivum::api::gateway
