// URL query strings onto request messages, generically over the message's descriptor
// (grpc-gateway's convention for GET): `?query=foo&limit=5` sets `query` and `limit`.
//
// A key names a field by its proto name or its JSON (camelCase) name; a dotted key
// (`header.name`) walks into singular sub-messages. Scalars convert by the field's type with
// proto3 JSON rules (so range and syntax errors are the JSON parser's); a repeated field takes
// every occurrence in order; enums take a name or a number; bools take true/false/1/0; bytes
// take base64. Unknown keys are ignored, like unknown JSON fields.
//
// Pure functions; reentrant; none throws.
#pragma once

#include <google/protobuf/message.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace archivum::api::gateway {

// Sets the fields named by `query` (the part after '?', without it) on `message`.
// Errors: INVALID_ARGUMENT for a malformed escape, a value that does not convert, a singular
// field given twice, or a key naming a message or map field.
Status MergeQueryParams(std::string_view query, google::protobuf::Message* message);

// Decodes one query component: %XX escapes and '+' as space. nullopt if an escape is malformed.
std::optional<std::string> DecodeQueryComponent(std::string_view text);

// The decoded value of the first `key` in `query`; nullopt if absent or malformed.
std::optional<std::string> FindQueryParam(std::string_view query, std::string_view key);

}  // namespace archivum::api::gateway
