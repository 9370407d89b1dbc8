#include "api/http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "api/http/listener.h"
#include "api/http/server_state.h"
#include "api/http/service_binding.h"
#include "api/http/session.h"

namespace archivum::api {

namespace net = boost::asio;

namespace {

// Parsing and writing HTTP is cheap next to the calls, which run on the worker pool.
constexpr unsigned kIoThreads = 2;

}  // namespace

class HttpServer::Impl {
 public:
  explicit Impl(unsigned workers) : pool(workers == 0 ? 1 : workers), guard(ioc.get_executor()) {}

  net::io_context ioc{static_cast<int>(kIoThreads)};
  net::thread_pool pool;
  net::executor_work_guard<net::io_context::executor_type> guard;
  std::shared_ptr<gateway::ServerState> state;
  std::shared_ptr<gateway::Listener> listener;
  std::vector<std::thread> io_threads;
  bool shut_down = false;

  void RunIo() {
    // A handler that throws must not take the I/O thread down; sessions catch their own, so this
    // is the last line of defence.
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("HTTP I/O thread: unhandled exception: {}", e.what());
      } catch (...) {
        spdlog::error("HTTP I/O thread: unhandled non-standard exception");
      }
    }
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Shutdown(std::chrono::milliseconds(0));
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const config::HttpServer& config,
                                                        core::FileService* core, Hooks hooks,
                                                        unsigned workers) {
  const auto* service =
      ::aichemist_archivum::IngestRequest::descriptor()->file()->FindServiceByName("FileManager");
  if (service == nullptr) return Internal("the FileManager service descriptor is missing");

  auto impl = std::make_unique<Impl>(workers);
  impl->state = std::make_shared<gateway::ServerState>(
      config, service, gateway::BindFileService(core), std::move(hooks), &impl->pool);
  auto listener = gateway::Listener::Open(impl->ioc, config.listen, impl->state);
  if (!listener.ok()) return listener.status();
  impl->listener = std::move(*listener);
  impl->listener->Start();
  for (unsigned i = 0; i < kIoThreads; ++i) {
    impl->io_threads.emplace_back([raw = impl.get()] { raw->RunIo(); });
  }

  std::unique_ptr<HttpServer> server(new HttpServer(std::move(impl)));
  const std::string& listen = config.listen;
  server->address_ =
      listen.substr(0, listen.rfind(':')) + ":" + std::to_string(server->impl_->listener->port());
  return server;
}

void HttpServer::Shutdown(std::chrono::milliseconds deadline) {
  if (!impl_ || impl_->shut_down) return;
  impl_->shut_down = true;
  Impl& impl = *impl_;
  const auto until = std::chrono::steady_clock::now() + deadline;

  impl.listener->Stop();
  for (const auto& session : impl.state->BeginDrain()) session->Drain();
  if (!impl.state->WaitForNone(until)) {
    spdlog::info("HTTP: cancelling the calls still running after the shutdown deadline");
    for (const auto& session : impl.state->Snapshot()) session->Abort();
    // Every connection is closed now; what remains are calls returning from the core.
    impl.state->WaitForNone();
  }
  impl.guard.reset();
  impl.ioc.stop();
  for (auto& t : impl.io_threads) t.join();
  impl.pool.join();
}

}  // namespace archivum::api
