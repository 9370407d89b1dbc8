#include "api/http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "api/http/listener.h"
#include "api/http/server_state.h"
#include "api/http/service_binding.h"
#include "api/http/session.h"
#include "auth/tls_files.h"

namespace archivum::api {

namespace net = boost::asio;

namespace {

// Parsing and writing HTTP is cheap next to most calls, which run on the worker pool; short ones
// run on the I/O thread that read them. Each I/O thread runs its own io_context, so handlers need
// no strand and one thread never wakes another to run a connection's next step.
constexpr unsigned kIoThreads = 2;

// The server's TLS context, or null for plain HTTP.
StatusOr<std::shared_ptr<net::ssl::context>> TlsContext(const config::Tls& tls) {
  if (!tls.enabled()) return std::shared_ptr<net::ssl::context>();
  constexpr std::string_view kPrefix = "server.http.tls";
  auto files = auth::LoadTlsFiles(tls, kPrefix);
  if (!files.ok()) return files.status();
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  boost::system::error_code ec;
  const auto fail = [&](std::string_view key, const std::filesystem::path& file) {
    return InvalidArgument(std::string(kPrefix) + "." + std::string(key) + ": " + file.string() +
                           ": " + ec.message());
  };
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                           net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                           net::ssl::context::no_tlsv1_1,
                       ec);
  if (ec) return Internal("cannot set up TLS for HTTP: " + ec.message());
  if (context->use_certificate_chain(net::buffer(files->cert_chain_pem), ec)) {
    return fail("cert", tls.cert);
  }
  if (context->use_private_key(net::buffer(files->private_key_pem), net::ssl::context::pem, ec)) {
    return fail("key", tls.key);
  }
  if (files->mutual()) {
    if (context->add_certificate_authority(net::buffer(files->client_ca_pem), ec)) {
      return fail("client_ca", tls.client_ca);
    }
    if (context->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert,
                                 ec)) {
      return fail("client_ca", tls.client_ca);
    }
  }
  return context;
}

}  // namespace

class HttpServer::Impl {
 public:
  explicit Impl(unsigned workers) : pool(workers == 0 ? 1 : workers) {
    for (unsigned i = 0; i < kIoThreads; ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
      guards.emplace_back(contexts.back()->get_executor());
    }
  }

  std::vector<std::unique_ptr<net::io_context>> contexts;  // one per I/O thread
  net::thread_pool pool;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::shared_ptr<gateway::ServerState> state;
  std::shared_ptr<gateway::Listener> listener;
  std::vector<std::thread> io_threads;
  bool shut_down = false;

  void RunIo(net::io_context& ioc) {
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

struct HttpServer::TlsSetup {
  std::shared_ptr<net::ssl::context> context;
};

StatusOr<std::shared_ptr<const HttpServer::TlsSetup>> HttpServer::LoadTls(const config::Tls& tls) {
  auto context = TlsContext(tls);
  if (!context.ok()) return context.status();
  return std::make_shared<const TlsSetup>(TlsSetup{std::move(*context)});
}

void HttpServer::UseTls(std::shared_ptr<const TlsSetup> setup) {
  if (!impl_ || !impl_->state->tls || !setup || !setup->context) return;
  impl_->state->ReplaceTls(setup->context);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Shutdown(std::chrono::milliseconds(0));
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const config::HttpServer& config,
                                                        core::FileManager* core, Hooks hooks,
                                                        unsigned workers, auth::AccessPolicy policy,
                                                        metrics::Metrics* metrics) {
  const auto* service =
      ::aichemist_archivum::IngestRequest::descriptor()->file()->FindServiceByName("FileManager");
  if (service == nullptr) return Internal("the FileManager service descriptor is missing");

  auto tls = TlsContext(config.tls);
  if (!tls.ok()) return tls.status();
  auto impl = std::make_unique<Impl>(workers);
  impl->state = std::make_shared<gateway::ServerState>(
      config, service, gateway::BindFileManager(core), std::move(hooks), &impl->pool,
      std::move(policy), std::move(*tls), metrics);
  std::vector<net::io_context*> contexts;
  for (const auto& context : impl->contexts) contexts.push_back(context.get());
  auto listener = gateway::Listener::Open(std::move(contexts), config.listen, impl->state);
  if (!listener.ok()) return listener.status();
  impl->listener = std::move(*listener);
  impl->listener->Start();
  for (const auto& context : impl->contexts) {
    impl->io_threads.emplace_back([raw = impl.get(), ioc = context.get()] { raw->RunIo(*ioc); });
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
  for (auto& guard : impl.guards) guard.reset();
  for (auto& context : impl.contexts) context->stop();
  for (auto& t : impl.io_threads) t.join();
  impl.pool.join();
}

}  // namespace archivum::api
