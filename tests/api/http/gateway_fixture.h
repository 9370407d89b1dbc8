// A real HttpServer on 127.0.0.1:0 over FakeFileManager, for the gateway's end-to-end tests.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/http/fake_file_manager.h"
#include "api/http/http_client.h"
#include "api/http/http_server.h"

namespace archivum::http_testing {

class GatewayTest : public ::testing::Test {
 protected:
  // Small limits so tests can exceed them cheaply; timeouts generous unless a test shortens them.
  static config::HttpServer DefaultConfig() {
    config::HttpServer c;
    c.listen = "127.0.0.1:0";
    c.max_body_bytes = 64 * 1024;
    c.max_header_bytes = 4 * 1024;
    c.max_connections = 64;
    c.idle_timeout = std::chrono::seconds(30);
    c.header_timeout = std::chrono::seconds(30);
    return c;
  }

  void SetUp() override { StartServer(DefaultConfig()); }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::seconds(5));
  }

  void StartServer(const config::HttpServer& config) {
    if (server_) server_->Shutdown(std::chrono::seconds(5));
    api::HttpServer::Hooks hooks;
    hooks.serving = [this] { return serving_.load(); };
    hooks.ready = [this] { return ready_.load(); };
    auto server = api::HttpServer::Start(config, &fake_, std::move(hooks), 4);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    address_ = server_->address();
  }

  Response Call(http::verb verb, std::string target, std::string body = {},
                std::vector<std::pair<std::string, std::string>> headers = {},
                std::string content_type = "application/json") {
    beast::error_code ec;
    Response res = Fetch(address_,
                         MakeRequest(verb, std::move(target), std::move(body),
                                     std::move(content_type), std::move(headers)),
                         &ec);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  static nlohmann::json Json(const Response& res) {
    return nlohmann::json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  }

  FakeFileManager fake_;  // outlives server_
  std::atomic<bool> serving_{true};
  std::atomic<bool> ready_{true};
  std::unique_ptr<api::HttpServer> server_;
  std::string address_;
};

}  // namespace archivum::http_testing
