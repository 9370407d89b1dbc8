// The OpenAPI document against the router it is generated from: every route Router::Describe()
// lists is an operation of the document and every operation is a route (or /openapi.json), every
// $ref resolves, and bearer security appears exactly when tokens are on.
#include "api/http/openapi.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "aichemist_archivum.pb.h"
#include "auth/token_verifier.h"

namespace archivum::api::gateway::openapi_test {
namespace {

using nlohmann::json;

const google::protobuf::ServiceDescriptor* Service() {
  return ::aichemist_archivum::IngestRequest::descriptor()->file()->FindServiceByName(
      "FileManager");
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

// Every "$ref" value in `node`.
void CollectRefs(const json& node, std::set<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) out->insert(value.get<std::string>());
      CollectRefs(value, out);
    }
  } else if (node.is_array()) {
    for (const json& value : node) CollectRefs(value, out);
  }
}

TEST(OpenApiTest, EveryRouteIsAnOperationAndEveryOperationARoute) {
  const Router router(Service());
  const json doc = json::parse(BuildOpenApi(Service(), router, auth::AccessPolicy{}));
  std::set<std::string> operations;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [verb, op] : item.items()) operations.insert(Upper(verb) + " " + path);
  }
  std::set<std::string> routes;
  for (const std::string& route : router.Describe()) routes.insert(route);
  routes.insert("GET /openapi.json");
  EXPECT_EQ(operations, routes);
  // Every RPC is reachable, and the routes the proto's comments promise are there.
  for (const char* expected :
       {"POST /v1/analyze", "GET /v1/analyze", "POST /analyze", "POST /ingest", "GET /v1/plugins",
        "GET /v1/documents", "DELETE /v1/quarantine", "GET /v1/thumbnail", "GET /healthz",
        "GET /readyz", "POST /aichemist_archivum.FileManager/Upload"}) {
    EXPECT_EQ(operations.count(expected), 1u) << expected;
  }
}

TEST(OpenApiTest, ReferencesResolveAndOperationIdsAreUnique) {
  const Router router(Service());
  const json doc = json::parse(BuildOpenApi(Service(), router, auth::AccessPolicy{}));
  std::set<std::string> refs;
  CollectRefs(doc, &refs);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_NO_THROW((void)doc.at(json::json_pointer(ref.substr(1)))) << ref;
  }
  std::set<std::string> ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [verb, op] : item.items()) {
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << op["operationId"];
    }
  }
  // The recursive walk reached the nested messages and enums the API uses.
  const json& schemas = doc["components"]["schemas"];
  EXPECT_TRUE(schemas.contains("aichemist_archivum.Hit"));
  EXPECT_TRUE(schemas.contains("aichemist_archivum.AnalyzeRequest.Sort"));
  EXPECT_EQ(schemas["aichemist_archivum.AnalyzeRequest.Sort"]["enum"][2], "SORT_MODIFIED_DESC");
  // GET forms take the request's fields as query parameters, by their JSON names.
  std::set<std::string> params;
  for (const json& p : doc["paths"]["/v1/analyze"]["get"]["parameters"]) {
    params.insert(p["name"].get<std::string>());
  }
  EXPECT_EQ(params.count("query"), 1u);
  EXPECT_EQ(params.count("limit"), 1u);
  // Upload takes the raw bytes, not JSON.
  EXPECT_TRUE(doc["paths"]["/v1/upload"]["post"]["requestBody"]["content"].contains(
      "application/octet-stream"));
}

TEST(OpenApiTest, BearerSecurityOnlyWhenTokensAreOn) {
  const Router router(Service());
  const json open = json::parse(BuildOpenApi(Service(), router, auth::AccessPolicy{}));
  EXPECT_FALSE(open.contains("security"));
  EXPECT_FALSE(open["components"].contains("securitySchemes"));
  EXPECT_FALSE(open["paths"]["/v1/analyze"]["post"]["responses"].contains("401"));

  auth::AccessPolicy policy;
  auto tokens = auth::TokenVerifier::Parse("a-token-for-the-test\n", "tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  policy.tokens = *tokens;
  const json secured = json::parse(BuildOpenApi(Service(), router, policy));
  EXPECT_EQ(secured["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
  EXPECT_EQ(secured["security"][0].begin().key(), "bearerAuth");
  EXPECT_TRUE(secured["paths"]["/v1/analyze"]["post"]["responses"].contains("401"));
  // Health stays open by default (auth.open_health), and the document itself needs no token.
  EXPECT_EQ(secured["paths"]["/healthz"]["get"]["security"], json::array());
  EXPECT_EQ(secured["paths"]["/openapi.json"]["get"]["security"], json::array());
}

}  // namespace
}  // namespace archivum::api::gateway::openapi_test
