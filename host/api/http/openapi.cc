#include "api/http/openapi.h"

#include <google/protobuf/descriptor.pb.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <vector>

#include "api/http/embedded_asset.h"
#include "api/http/json_mapping.h"

#ifndef ARCHIVUM_VERSION
#error "ARCHIVUM_VERSION must be defined by the build"
#endif

namespace archivum::api::gateway {
namespace {

namespace http = boost::beast::http;
namespace gp = google::protobuf;
using Json = nlohmann::ordered_json;

constexpr char kErrorRef[] = "#/components/responses/Error";
constexpr char kBearer[] = "bearerAuth";
// Dotted query keys walk into singular sub-messages (query_params.h); this bounds the walk for
// recursive messages.
constexpr int kMaxQueryDepth = 3;

// The proto file's comments, looked up by full name in a pool built from the descriptor set the
// build embeds with source info (kApiDescriptorAssets). Empty when that set is absent or does not
// parse, which only a broken build causes: the document is then complete but undescribed.
class Comments {
 public:
  Comments() {
    for (size_t i = 0; i < kApiDescriptorAssets.count; ++i) {
      const EmbeddedAsset& a = kApiDescriptorAssets.assets[i];
      gp::FileDescriptorSet set;
      if (!set.ParseFromArray(a.data, static_cast<int>(a.size))) continue;
      for (const auto& file : set.file()) pool_.BuildFile(file);
    }
  }

  std::string Of(const gp::Descriptor* d) const {
    return Get(pool_.FindMessageTypeByName(d->full_name()));
  }
  std::string Of(const gp::FieldDescriptor* f) const {
    return Get(f->is_extension() ? nullptr : pool_.FindFieldByName(f->full_name()));
  }
  std::string Of(const gp::EnumDescriptor* e) const {
    return Get(pool_.FindEnumTypeByName(e->full_name()));
  }
  std::string Of(const gp::EnumValueDescriptor* v) const {
    return Get(pool_.FindEnumValueByName(v->full_name()));
  }
  std::string Of(const gp::MethodDescriptor* m) const {
    return Get(pool_.FindMethodByName(m->full_name()));
  }
  std::string Of(const gp::ServiceDescriptor* s) const {
    return Get(pool_.FindServiceByName(s->full_name()));
  }

 private:
  template <typename D>
  static std::string Get(const D* d) {
    gp::SourceLocation loc;
    if (d == nullptr || !d->GetSourceLocation(&loc)) return {};
    return Clean(loc.leading_comments + "\n" + loc.trailing_comments);
  }
  // Comment lines without their leading space, blank lines and surrounding whitespace dropped,
  // joined by newlines (CommonMark reflows them into paragraphs).
  static std::string Clean(std::string_view text) {
    std::string out;
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
        line.remove_suffix(1);
      if (line.empty()) continue;
      if (!out.empty()) out += '\n';
      out += line;
    }
    return out;
  }

  gp::DescriptorPool pool_;
};

std::string SchemaRef(std::string_view full_name) {
  return "#/components/schemas/" + std::string(full_name);
}

void Describe(Json& schema, const std::string& description) {
  if (!description.empty()) schema["description"] = description;
}

class Generator {
 public:
  Generator(const gp::ServiceDescriptor* service, const Router& router,
            const auth::AccessPolicy& policy)
      : service_(service), router_(router), policy_(policy) {}

  Json Build() {
    Json doc;
    doc["openapi"] = "3.1.0";
    Json info;
    info["title"] = "Archivum API";
    info["version"] = ARCHIVUM_VERSION;
    info["description"] =
        Join(comments_.Of(service_),
             "The JSON/HTTP gateway of the `" + service_->full_name() +
                 "` gRPC service. Bodies and replies use the proto3 JSON mapping (lowerCamel "
                 "field names; the proto names are accepted too; 64-bit integers as strings; "
                 "enums by name; bytes as base64). Errors are `google.rpc.Status` objects. "
                 "Server-streaming methods answer newline-delimited JSON: one "
                 "`{\"result\": ...}` object per message, and `{\"error\": ...}` as the last "
                 "line if the call fails.");
    doc["info"] = std::move(info);
    if (policy_.enabled()) doc["security"] = Json::array({Json{{kBearer, Json::array()}}});

    Json paths = Json::object();
    for (const std::string& entry : router_.Describe()) {
      const size_t space = entry.find(' ');
      const std::string verb_name = entry.substr(0, space);
      const std::string path = entry.substr(space + 1);
      const http::verb verb = http::string_to_verb(verb_name);
      const Route route = router_.Match(verb, path);
      Json op = Operation(verb_name, path, route);
      paths[path][Lower(verb_name)] = std::move(op);
    }
    paths["/openapi.json"]["get"] = OpenApiOperation();
    doc["paths"] = std::move(paths);

    Json components;
    // Schemas are added while the operations are built (Ref), then sorted for a stable document.
    Json schemas = Json::object();
    schemas["Status"] = StatusSchema();
    for (auto& [name, schema] : schemas_) schemas[name] = std::move(schema);
    components["schemas"] = std::move(schemas);
    Json error;
    error["description"] =
        "The call failed: a `google.rpc.Status` with the gRPC code, whose HTTP "
        "status follows grpc-gateway's mapping.";
    error["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/Status";
    components["responses"]["Error"] = std::move(error);
    if (policy_.enabled()) {
      Json bearer;
      bearer["type"] = "http";
      bearer["scheme"] = "bearer";
      bearer["description"] =
          "A token from the daemon's token file (auth.tokens_file), sent as "
          "`Authorization: Bearer TOKEN`.";
      components["securitySchemes"][kBearer] = std::move(bearer);
    }
    doc["components"] = std::move(components);
    return doc;
  }

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
  }
  static std::string Join(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return a + "\n\n" + b;
  }
  static std::string OperationId(const std::string& verb, const std::string& path) {
    std::string id = Lower(verb);
    for (char c : path) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (alnum) {
        id += c;
      } else if (id.back() != '_') {
        id += '_';
      }
    }
    while (id.back() == '_') id.pop_back();
    return id;
  }

  static Json StatusSchema() {
    Json s;
    s["type"] = "object";
    s["description"] = "google.rpc.Status: why a call failed.";
    s["properties"]["code"] = {{"type", "integer"},
                               {"format", "int32"},
                               {"description", "The gRPC status code (google.rpc.Code)."}};
    s["properties"]["message"] = {{"type", "string"},
                                  {"description", "What went wrong, for a person to read."}};
    s["properties"]["details"] = {{"type", "array"}, {"items", {{"type", "object"}}}};
    s["required"] = Json::array({"code", "message"});
    return s;
  }

  // Every HTTP status an RPC's error can have: grpc-gateway's mapping of each gRPC code, and the
  // transport's own refusals of a request (body too large, not JSON, head too large).
  Json ErrorResponses(bool has_body) const {
    std::set<unsigned> statuses;
    for (int code = 1; code <= 16; ++code) {
      statuses.insert(HttpStatusFromCode(static_cast<StatusCode>(code)));
    }
    statuses.insert(431);
    if (has_body) {
      statuses.insert(413);
      statuses.insert(415);
    }
    if (!policy_.enabled()) statuses.erase(401);
    Json out;
    for (unsigned s : statuses) out[std::to_string(s)]["$ref"] = kErrorRef;
    return out;
  }

  Json OpenApiOperation() const {
    Json op;
    op["tags"] = Json::array({"Documentation"});
    op["operationId"] = "get_openapi_json";
    op["summary"] = "This document";
    op["description"] =
        "The OpenAPI description of this gateway, generated from the proto "
        "descriptors and the routes the daemon serves. Needs no token.";
    op["security"] = Json::array();
    op["responses"]["200"]["description"] = "The OpenAPI 3.1 document.";
    op["responses"]["200"]["content"]["application/json"]["schema"]["type"] = "object";
    return op;
  }

  Json HealthOperation(const std::string& path, bool ready) const {
    Json op;
    op["tags"] = Json::array({"Health"});
    op["operationId"] = OperationId("get", path);
    op["summary"] = ready ? "Readiness" : "Liveness";
    op["description"] = ready ? "Whether the daemon is ready to answer calls."
                              : "Whether the daemon is serving (NOT_SERVING while it shuts down).";
    if (policy_.enabled() && !policy_.Requires(true)) op["security"] = Json::array();
    Json body;
    body["type"] = "object";
    body["properties"]["status"]["type"] = "string";
    body["properties"]["status"]["enum"] =
        ready ? Json::array({"READY", "NOT_READY"}) : Json::array({"SERVING", "NOT_SERVING"});
    body["required"] = Json::array({"status"});
    op["responses"]["200"]["description"] = ready ? "Ready." : "Serving.";
    op["responses"]["200"]["content"]["application/json"]["schema"] = body;
    op["responses"]["503"]["description"] = ready ? "Not ready." : "Not serving.";
    op["responses"]["503"]["content"]["application/json"]["schema"] = body;
    if (policy_.Requires(true)) op["responses"]["401"]["$ref"] = kErrorRef;
    return op;
  }

  // GET /metrics: authorized like health (AccessPolicy).
  Json MetricsOperation(const std::string& path) const {
    Json op;
    op["tags"] = Json::array({"Health"});
    op["operationId"] = OperationId("get", path);
    op["summary"] = "Prometheus metrics";
    op["description"] =
        "The daemon's metrics in the Prometheus text exposition format (version 0.0.4): "
        "documents, ingests, plugin calls and errors, API call durations and the process's "
        "figures. Open like /healthz when auth.open_health is true; else it needs a token.";
    if (policy_.enabled() && !policy_.Requires(true)) op["security"] = Json::array();
    op["responses"]["200"]["description"] = "The metrics.";
    op["responses"]["200"]["content"]["text/plain; version=0.0.4; charset=utf-8"]["schema"] = {
        {"type", "string"}};
    if (policy_.Requires(true)) op["responses"]["401"]["$ref"] = kErrorRef;
    return op;
  }

  Json Operation(const std::string& verb, const std::string& path, const Route& route) {
    if (route.kind == Route::Kind::kMetrics) return MetricsOperation(path);
    if (route.kind == Route::Kind::kHealthz) return HealthOperation(path, false);
    if (route.kind == Route::Kind::kReadyz) return HealthOperation(path, true);
    const gp::MethodDescriptor* m = route.method;
    Json op;
    op["tags"] = Json::array({m->name()});
    op["operationId"] = OperationId(verb, path);
    op["summary"] = m->name() + (route.from_query ? " (request from the query string)" : "");
    op["description"] = comments_.Of(m);
    if (op["description"].get<std::string>().empty()) op.erase("description");

    bool has_body = false;
    if (m->client_streaming()) {
      has_body = true;
      op["parameters"] = UploadParameters();
      Json body;
      body["required"] = true;
      body["description"] =
          "The document's bytes, streamed to the daemon (not JSON; multipart "
          "is refused).";
      body["content"]["application/octet-stream"]["schema"] = {
          {"type", "string"}, {"contentMediaType", "application/octet-stream"}};
      op["requestBody"] = std::move(body);
    } else if (route.from_query) {
      Json params = Json::array();
      QueryParameters(m->input_type(), "", 0, &params);
      if (!params.empty()) op["parameters"] = std::move(params);
    } else {
      has_body = true;
      Json body;
      body["description"] = "The request message as JSON; an empty body is the empty message.";
      body["content"]["application/json"]["schema"]["$ref"] = Ref(m->input_type());
      op["requestBody"] = std::move(body);
    }

    Json ok;
    if (route.media) {
      ok["description"] =
          "The bytes themselves, served with their own MIME type (never run as "
          "a page: nosniff and a restrictive Content-Security-Policy).";
      ok["content"]["*/*"]["schema"] = {{"type", "string"},
                                        {"contentMediaType", "application/octet-stream"}};
    } else if (m->server_streaming()) {
      ok["description"] = "Newline-delimited JSON: one `{\"result\": " + m->output_type()->name() +
                          "}` line per message; a failure after the first line ends the stream "
                          "with an `{\"error\": Status}` line.";
      Json result;
      result["type"] = "object";
      result["properties"]["result"]["$ref"] = Ref(m->output_type());
      result["required"] = Json::array({"result"});
      Json error;
      error["type"] = "object";
      error["properties"]["error"]["$ref"] = "#/components/schemas/Status";
      error["required"] = Json::array({"error"});
      ok["content"]["application/x-ndjson"]["schema"]["oneOf"] = Json::array({result, error});
    } else {
      ok["description"] = m->output_type()->name();
      Json& schema = ok["content"]["application/json"]["schema"];
      if (route.seed_status) {
        Json status;
        status["type"] = "object";
        status["properties"]["status"] = {{"const", "ok"}};
        schema["allOf"] = Json::array({Json{{"$ref", Ref(m->output_type())}}, status});
      } else {
        schema["$ref"] = Ref(m->output_type());
      }
    }
    op["responses"]["200"] = std::move(ok);
    const Json errors = ErrorResponses(has_body);
    for (const auto& [status, response] : errors.items()) op["responses"][status] = response;
    return op;
  }

  static Json UploadParameters() {
    Json name_query;
    name_query["name"] = "name";
    name_query["in"] = "query";
    name_query["description"] = "The document's name; it is cataloged as `upload:<name>`.";
    name_query["schema"]["type"] = "string";
    Json name_header;
    name_header["name"] = "X-Archivum-Name";
    name_header["in"] = "header";
    name_header["description"] = "The document's name, when the query has no `name`.";
    name_header["schema"]["type"] = "string";
    return Json::array({name_query, name_header});
  }

  // One parameter per scalar (or repeated scalar) field, with dotted names for the fields of
  // singular sub-messages (query_params.h).
  void QueryParameters(const gp::Descriptor* type, const std::string& prefix, int depth,
                       Json* out) {
    for (int i = 0; i < type->field_count(); ++i) {
      const gp::FieldDescriptor* f = type->field(i);
      if (f->is_map()) continue;
      if (f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE) {
        if (!f->is_repeated() && depth + 1 < kMaxQueryDepth) {
          QueryParameters(f->message_type(), prefix + f->json_name() + ".", depth + 1, out);
        }
        continue;
      }
      Json p;
      p["name"] = prefix + f->json_name();
      p["in"] = "query";
      std::string description = comments_.Of(f);
      if (f->json_name() != f->name()) {
        description = Join(description, "Also accepted as `" + prefix + f->name() + "`.");
      }
      if (!description.empty()) p["description"] = description;
      p["schema"] = FieldSchema(f, /*with_comment=*/false);
      if (f->is_repeated()) p["explode"] = true;  // ?k=a&k=b
      out->push_back(std::move(p));
    }
  }

  // A $ref to the schema of `type`, generated once (a message referring to itself ends here).
  std::string Ref(const gp::Descriptor* type) {
    const std::string& name = type->full_name();
    if (schemas_.find(name) == schemas_.end()) {
      schemas_[name] = Json();  // reserved before recursing
      schemas_[name] = MessageSchema(type);
    }
    return SchemaRef(name);
  }
  std::string Ref(const gp::EnumDescriptor* type) {
    const std::string& name = type->full_name();
    if (schemas_.find(name) == schemas_.end()) schemas_[name] = EnumSchema(type);
    return SchemaRef(name);
  }

  Json EnumSchema(const gp::EnumDescriptor* e) const {
    Json s;
    s["type"] = "string";
    std::string description = comments_.Of(e);
    Json values = Json::array();
    for (int i = 0; i < e->value_count(); ++i) {
      const gp::EnumValueDescriptor* v = e->value(i);
      values.push_back(v->name());
      const std::string c = comments_.Of(v);
      description += (description.empty() ? "" : "\n") + std::string("- `") + v->name() + "`" +
                     (c.empty() ? "" : ": " + c);
    }
    s["enum"] = std::move(values);
    Describe(s, description + "\n\nIn requests, the value's number is accepted too.");
    return s;
  }

  Json MessageSchema(const gp::Descriptor* type) {
    Json s;
    s["type"] = "object";
    Describe(s, comments_.Of(type));
    Json props = Json::object();
    for (int i = 0; i < type->field_count(); ++i) {
      const gp::FieldDescriptor* f = type->field(i);
      props[f->json_name()] = FieldSchema(f);
    }
    s["properties"] = std::move(props);
    // A oneof has at most one member set: no two of them together.
    Json exclusions = Json::array();
    for (int i = 0; i < type->oneof_decl_count(); ++i) {
      const gp::OneofDescriptor* o = type->oneof_decl(i);
      if (o->is_synthetic()) continue;  // a proto3 `optional` field
      for (int a = 0; a < o->field_count(); ++a) {
        for (int b = a + 1; b < o->field_count(); ++b) {
          exclusions.push_back({{"not",
                                 {{"required", Json::array({o->field(a)->json_name(),
                                                            o->field(b)->json_name()})}}}});
        }
      }
    }
    if (!exclusions.empty()) s["allOf"] = std::move(exclusions);
    return s;
  }

  Json ScalarSchema(const gp::FieldDescriptor* f) {
    using F = gp::FieldDescriptor;
    switch (f->type()) {
      case F::TYPE_DOUBLE:
      case F::TYPE_FLOAT: return {{"type", "number"}};
      case F::TYPE_INT32:
      case F::TYPE_SINT32:
      case F::TYPE_SFIXED32: return {{"type", "integer"}, {"format", "int32"}};
      case F::TYPE_UINT32:
      case F::TYPE_FIXED32: return {{"type", "integer"}, {"minimum", 0}, {"maximum", 4294967295u}};
      case F::TYPE_INT64:
      case F::TYPE_SINT64:
      case F::TYPE_SFIXED64:
        return {{"type", "string"},
                {"format", "int64"},
                {"pattern", "^-?[0-9]+$"},
                {"description",
                 "A 64-bit integer as a decimal string (requests may also send a "
                 "JSON number)."}};
      case F::TYPE_UINT64:
      case F::TYPE_FIXED64:
        return {{"type", "string"},
                {"format", "uint64"},
                {"pattern", "^[0-9]+$"},
                {"description",
                 "A 64-bit integer as a decimal string (requests may also send a "
                 "JSON number)."}};
      case F::TYPE_BOOL: return {{"type", "boolean"}};
      case F::TYPE_STRING: return {{"type", "string"}};
      case F::TYPE_BYTES: return {{"type", "string"}, {"contentEncoding", "base64"}};
      case F::TYPE_ENUM: return {{"$ref", Ref(f->enum_type())}};
      case F::TYPE_MESSAGE:
      case F::TYPE_GROUP: return {{"$ref", Ref(f->message_type())}};
    }
    return Json::object();
  }

  // The field's schema, with the field's comment as its description if `with_comment` (a query
  // parameter has its own description).
  Json FieldSchema(const gp::FieldDescriptor* f, bool with_comment = true) {
    Json s;
    if (f->is_map()) {
      s["type"] = "object";
      s["additionalProperties"] = ScalarSchema(f->message_type()->map_value());
    } else if (f->is_repeated()) {
      s["type"] = "array";
      s["items"] = ScalarSchema(f);
    } else {
      s = ScalarSchema(f);
    }
    const std::string c = with_comment ? comments_.Of(f) : std::string();
    if (!c.empty()) {
      // Next to a $ref, 3.1 (JSON Schema 2020-12) keeps sibling keywords such as description.
      const auto own = s.find("description");
      s["description"] = own == s.end() ? c : c + "\n\n" + own->get<std::string>();
    }
    return s;
  }

  const gp::ServiceDescriptor* service_;
  const Router& router_;
  const auth::AccessPolicy& policy_;
  Comments comments_;
  std::map<std::string, Json> schemas_;
};

}  // namespace

std::string BuildOpenApi(const gp::ServiceDescriptor* service, const Router& router,
                         const auth::AccessPolicy& policy) {
  return Generator(service, router, policy).Build().dump();
}

}  // namespace archivum::api::gateway
