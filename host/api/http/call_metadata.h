// What an HTTP request tells the service core, as gRPC metadata would: the `Authorization`
// header, `Grpc-Metadata-<Key>` headers (grpc-gateway's prefix, forwarded as `<key>`) and the
// `Grpc-Timeout` deadline.
//
// Pure functions; reentrant; none throws.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <functional>
#include <string_view>

#include "common/call_context.h"
#include "common/status.h"

namespace archivum::api::gateway {

// Parses a gRPC timeout ("5S", "100m", "2H", "30u", "1n"): 1 to 8 ASCII digits then a unit,
// H hours, M minutes, S seconds, m milliseconds, u microseconds, n nanoseconds. Saturates at
// nanoseconds::max() rather than overflowing. Errors: INVALID_ARGUMENT quoting the value.
StatusOr<std::chrono::nanoseconds> ParseGrpcTimeout(std::string_view value);

// Builds the core's CallContext for a request with `headers`, received at `now`; `cancelled` is
// stored as is (may be empty). Metadata keys are lower-cased. Errors: INVALID_ARGUMENT for a
// malformed Grpc-Timeout.
StatusOr<CallContext> MakeCallContext(const boost::beast::http::fields& headers,
                                      std::function<bool()> cancelled,
                                      std::chrono::system_clock::time_point now);

}  // namespace archivum::api::gateway
