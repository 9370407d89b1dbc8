// Direct JSON for the gateway's hottest messages: AnalyzeRequest bodies and AnalyzeResponse
// replies, without protobuf's reflection-driven JSON machinery.
//
// Both are fast paths with an exact contract: when they succeed, the result is byte-for-byte
// (printing) or field-for-field (parsing) what protobuf's util::MessageToJsonString (with
// always_print_primitive_fields) and util::JsonStringToMessage (with ignore_unknown_fields)
// give; when the input is outside what they handle (non-ASCII text, escapes other than the
// short ones, unknown keys, non-finite scores, ...) they return false and leave the work to
// protobuf. json_mapping.cc uses them; tests compare them with protobuf.
//
// Pure functions; reentrant; none throws except std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

#include "aichemist_archivum.pb.h"

namespace archivum::api::gateway {

// Appends the proto3 JSON of `response` to `out` and returns true, or returns false (with `out`
// unspecified) when protobuf must print it.
bool PrintAnalyzeResponseJson(const ::aichemist_archivum::AnalyzeResponse& response,
                              std::string* out);

// Merges the JSON object `body` into `request` and returns true, or returns false (with
// `request` unchanged) when protobuf must parse it: anything but an object with at most one
// each of "query" (a string), "limit" and "offset" (non-negative integers in uint32 range),
// "sort" (the name of a value of AnalyzeRequest.Sort) and "facets" (true or false).
bool ParseAnalyzeRequestJson(std::string_view body, ::aichemist_archivum::AnalyzeRequest* request);

}  // namespace archivum::api::gateway
