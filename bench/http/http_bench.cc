// archivum_bench_http: a closed-loop load client for Analyze over the JSON/HTTP gateway
// (POST /analyze, keep-alive connections) and, in the same run, over gRPC, so the two figures
// are comparable: same query, same concurrency, same duration, same daemon and index.
//
//   archivum_bench_http --http 127.0.0.1:8080 [--grpc 127.0.0.1:50051] [--query TEXT]
//                       [--connections 8] [--duration 10] [--warmup 2] [--requests 0]
//                       [--ingest /abs/path]
//
// Each of N connections sends one request, waits for the answer, and sends the next (closed
// loop), so requests/s is the throughput at concurrency N and the latencies are what a client
// sees. --ingest first ingests a path over HTTP (POST /v1/ingest) so the index is warm;
// --warmup runs unmeasured load before each measurement. --requests N stops each transport after
// N requests in total instead of after --duration seconds.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace pb = ::aichemist_archivum;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string http_address;
  std::string grpc_address;
  std::string query = "report";
  std::string ingest;
  unsigned connections = 8;
  double duration_s = 10;
  double warmup_s = 2;
  uint64_t requests = 0;  // 0: run for duration_s
};

// One measured run of one transport.
struct Result {
  std::string transport;
  uint64_t ok = 0;
  uint64_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // successful requests only
  std::string first_error;
};

// A client connection able to run one Analyze; returns false (with *error) on failure.
class Worker {
 public:
  virtual ~Worker() = default;
  virtual bool Analyze(std::string* error) = 0;
};

class HttpWorker final : public Worker {
 public:
  HttpWorker(const std::string& address, const std::string& query) {
    const size_t colon = address.rfind(':');
    host_ = address.substr(0, colon);
    port_ = address.substr(colon + 1);
    request_ = {http::verb::post, "/analyze", 11};
    request_.set(http::field::host, host_);
    request_.set(http::field::content_type, "application/json");
    request_.body() = nlohmann::json{{"query", query}}.dump();
    request_.prepare_payload();
  }

  bool Analyze(std::string* error) override {
    beast::error_code ec;
    if (!socket_.is_open()) {
      tcp::resolver resolver(ioc_);
      net::connect(socket_, resolver.resolve(host_, port_, ec), ec);
      if (ec) return Fail("connect: " + ec.message(), error);
      socket_.set_option(tcp::no_delay(true), ec);
    }
    http::write(socket_, request_, ec);
    if (ec) return Fail("write: " + ec.message(), error);
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response, ec);
    if (ec) return Fail("read: " + ec.message(), error);
    if (!response.keep_alive()) Reset();
    if (response.result_int() != 200) {
      *error = "HTTP " + std::to_string(response.result_int()) + ": " + response.body();
      return false;
    }
    return true;
  }

 private:
  bool Fail(std::string what, std::string* error) {
    *error = std::move(what);
    Reset();
    return false;
  }
  void Reset() {
    beast::error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

  net::io_context ioc_;
  tcp::socket socket_{ioc_};
  beast::flat_buffer buffer_;
  std::string host_, port_;
  http::request<http::string_body> request_;
};

class GrpcWorker final : public Worker {
 public:
  GrpcWorker(const std::string& address, const std::string& query, int id) {
    grpc::ChannelArguments args;
    // One HTTP/2 connection per worker, like the HTTP/1.1 side, instead of one shared subchannel.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("archivum.bench.worker", id);
    stub_ = pb::FileManager::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
    request_.set_query(query);
  }

  bool Analyze(std::string* error) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::AnalyzeResponse response;
    const grpc::Status st = stub_->Analyze(&ctx, request_, &response);
    if (!st.ok()) {
      *error = "gRPC " + std::to_string(st.error_code()) + ": " + st.error_message();
      return false;
    }
    return true;
  }

 private:
  std::unique_ptr<pb::FileManager::Stub> stub_;
  pb::AnalyzeRequest request_;
};

// Runs the closed loop on every worker until `seconds` pass or `budget` requests were sent.
Result Run(const std::string& transport, std::vector<std::unique_ptr<Worker>>& workers,
           double seconds, uint64_t budget) {
  Result result;
  result.transport = transport;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> issued{0};
  std::mutex mu;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (auto& worker : workers) {
    threads.emplace_back([&, w = worker.get()] {
      std::vector<double> latencies;
      uint64_t errors = 0;
      std::string first_error;
      while (!stop.load(std::memory_order_relaxed)) {
        if (budget > 0 && issued.fetch_add(1) >= budget) break;
        std::string error;
        const auto t0 = Clock::now();
        const bool ok = w->Analyze(&error);
        const auto t1 = Clock::now();
        if (ok) {
          latencies.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        } else {
          ++errors;
          if (first_error.empty()) first_error = error;
        }
      }
      std::lock_guard lock(mu);
      result.latencies_ms.insert(result.latencies_ms.end(), latencies.begin(), latencies.end());
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
    });
  }
  if (budget == 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
  }
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.ok = result.latencies_ms.size();
  return result;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
  return sorted[i];
}

void Print(Result& r, unsigned connections) {
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  std::printf("%-6s %6u %10llu %7llu %11.1f %9.3f %9.3f %9.3f\n", r.transport.c_str(), connections,
              static_cast<unsigned long long>(r.ok), static_cast<unsigned long long>(r.errors),
              r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0.0,
              Percentile(r.latencies_ms, 0.50), Percentile(r.latencies_ms, 0.99),
              r.latencies_ms.empty() ? 0.0 : r.latencies_ms.back());
  if (!r.first_error.empty()) std::printf("       first error: %s\n", r.first_error.c_str());
}

bool Ingest(const Options& o) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  tcp::socket socket(ioc);
  beast::error_code ec;
  const size_t colon = o.http_address.rfind(':');
  net::connect(
      socket,
      resolver.resolve(o.http_address.substr(0, colon), o.http_address.substr(colon + 1), ec), ec);
  if (ec) {
    std::cerr << "ingest: connect: " << ec.message() << "\n";
    return false;
  }
  http::request<http::string_body> req{http::verb::post, "/v1/ingest", 11};
  req.set(http::field::host, "bench");
  req.set(http::field::content_type, "application/json");
  req.body() = nlohmann::json{{"path", o.ingest}}.dump();
  req.prepare_payload();
  http::write(socket, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(socket, buffer, res, ec);
  if (ec || res.result_int() != 200) {
    std::cerr << "ingest failed: " << (ec ? ec.message() : res.body()) << "\n";
    return false;
  }
  std::cout << "ingested " << o.ingest << ": " << res.body() << "\n";
  return true;
}

std::vector<std::unique_ptr<Worker>> MakeWorkers(const Options& o, bool grpc) {
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < o.connections; ++i) {
    if (grpc) {
      workers.push_back(std::make_unique<GrpcWorker>(o.grpc_address, o.query, static_cast<int>(i)));
    } else {
      workers.push_back(std::make_unique<HttpWorker>(o.http_address, o.query));
    }
  }
  return workers;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_http: Analyze throughput over HTTP (and gRPC) at fixed concurrency"};
  Options o;
  app.add_option("--http", o.http_address, "HTTP gateway host:port")->required();
  app.add_option("--grpc", o.grpc_address, "gRPC host:port, to measure Analyze there too");
  app.add_option("--query", o.query, "the Analyze query");
  app.add_option("--connections,-c", o.connections, "concurrent keep-alive connections")
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--duration,-d", o.duration_s, "seconds measured per transport");
  app.add_option("--warmup", o.warmup_s, "unmeasured seconds before each measurement");
  app.add_option("--requests,-n", o.requests, "stop after this many requests (0: use --duration)");
  app.add_option("--ingest", o.ingest, "absolute path to ingest over HTTP first (warms the index)");
  CLI11_PARSE(app, argc, argv);

  if (!o.ingest.empty() && !Ingest(o)) return 1;

  std::vector<Result> results;
  for (const bool grpc : {false, true}) {
    if (grpc && o.grpc_address.empty()) continue;
    auto workers = MakeWorkers(o, grpc);
    if (o.warmup_s > 0) Run("warmup", workers, o.warmup_s, 0);
    results.push_back(Run(grpc ? "grpc" : "http", workers, o.duration_s, o.requests));
  }

  std::printf("Analyze(\"%s\"), closed loop\n", o.query.c_str());
  std::printf("%-6s %6s %10s %7s %11s %9s %9s %9s\n", "", "conns", "requests", "errors",
              "requests/s", "p50 ms", "p99 ms", "max ms");
  for (auto& r : results) Print(r, o.connections);
  for (const auto& r : results) {
    if (r.ok == 0) return 1;
  }
  return 0;
}
