// The gateway's OpenAPI 3.1 document (GET /openapi.json), generated from what the gateway really
// serves, so it cannot drift from the API:
//   - paths: every (method, path) Router::Describe() lists, each described by what Router::Match
//     answers for it (the RPC, request from the query or the body, media reply, the seed's
//     "status":"ok"), plus GET /openapi.json itself;
//   - schemas: every message and enum the service's methods reach, as the gateway's JSON mapping
//     encodes them (json_mapping.h: lowerCamel names, 64-bit integers as strings, enums by name,
//     bytes as base64, at most one member of a oneof), as components with $ref, so recursive
//     messages are fine;
//   - descriptions: the proto file's comments, from a descriptor set with source info that the
//     build embeds (the generated pool keeps none);
//   - errors: google.rpc.Status (components.schemas.Status) for every HTTP status the gateway
//     maps a gRPC code to (HttpStatusFromCode), and for its transport errors (413, 415, 431);
//   - security: the bearer scheme when `policy` has tokens (health routes open per open_health).
//
// Pure function of its arguments; reentrant. Throws only std::bad_alloc.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>

#include "api/http/router.h"
#include "auth/access_policy.h"

namespace archivum::api::gateway {

// The document as JSON text. `service` is the one `router` was built from.
std::string BuildOpenApi(const google::protobuf::ServiceDescriptor* service, const Router& router,
                         const auth::AccessPolicy& policy);

}  // namespace archivum::api::gateway
