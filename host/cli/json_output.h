// JSON output of `--json`: the response message in protobuf's canonical JSON mapping, the same
// shape the HTTP gateway returns, so scripts can switch between the two.
#pragma once

#include <google/protobuf/message.h>

#include <optional>
#include <string>

#include "cli/command.h"

namespace archivum::cli {

// `message` as one line of JSON (no trailing newline) with lowerCamelCase names and every field
// present, zero values included, so scripts need not know proto3's default-value rules. 64-bit
// integers are JSON strings, as the mapping requires. nullopt only if protobuf refuses the
// message, which a message we decoded does not trigger.
std::optional<std::string> ToJson(const google::protobuf::Message& message);

// Writes ToJson(message) and a newline to io.out and returns kExitOk; if conversion fails,
// reports "error: INTERNAL: ..." on io.err and returns kExitServerError.
int PrintJson(const google::protobuf::Message& message, const Streams& io);

}  // namespace archivum::cli
