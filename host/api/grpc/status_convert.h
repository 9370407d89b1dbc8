// Status ↔ grpc::Status. The codes are numerically identical by design (common/status.h).
#pragma once

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace archivum::api {

inline grpc::Status ToGrpc(const Status& s) {
  return s.ok() ? grpc::Status::OK
                : grpc::Status(static_cast<grpc::StatusCode>(s.code()), s.message());
}

}  // namespace archivum::api
