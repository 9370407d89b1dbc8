#include "api/grpc/reloadable_tls.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>

#include <string>
#include <utility>

namespace archivum::api {
namespace {

// grpc::ServerCredentials over C-core credentials. AddPortToServer is the one hook through which
// a grpc::Server binds a port with credentials; overriding it is how gRPC's own C++ credentials
// are built, and it is all a server needs from them (the auth metadata processor is unused:
// access is checked by the services, see access.h).
class CoreServerCredentials final : public grpc::ServerCredentials {
 public:
  // Takes ownership of `creds`; `keep` is kept alive as long as these credentials are.
  CoreServerCredentials(grpc_server_credentials* creds, std::shared_ptr<const void> keep)
      : creds_(creds), keep_(std::move(keep)) {}
  ~CoreServerCredentials() override { grpc_server_credentials_release(creds_); }

  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {}

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    return grpc_server_add_http2_port(server, addr.c_str(), creds_);
  }

  grpc_server_credentials* const creds_;
  const std::shared_ptr<const void> keep_;
};

}  // namespace

ReloadableTls::ReloadableTls(auth::TlsFiles files)
    : mutual_(files.mutual()), files_(std::move(files)) {}

std::shared_ptr<ReloadableTls> ReloadableTls::Create(auth::TlsFiles files) {
  return std::shared_ptr<ReloadableTls>(new ReloadableTls(std::move(files)));
}

std::shared_ptr<grpc::ServerCredentials> ReloadableTls::credentials() {
  grpc_ssl_server_credentials_options* options =
      grpc_ssl_server_credentials_create_options_using_config_fetcher(
          mutual_ ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                  : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
          &ReloadableTls::Fetch, this);
  {
    // A new server's first fetch must deliver the config (the core refuses to start without).
    std::lock_guard lock(mu_);
    fetched_ = 0;
  }
  return std::make_shared<CoreServerCredentials>(
      grpc_ssl_server_credentials_create_with_options(options), shared_from_this());
}

void ReloadableTls::Replace(auth::TlsFiles files) {
  std::lock_guard lock(mu_);
  files_ = std::move(files);
  ++generation_;
}

grpc_ssl_certificate_config_reload_status ReloadableTls::Fetch(
    void* user_data, grpc_ssl_server_certificate_config** out) {
  auto* self = static_cast<ReloadableTls*>(user_data);
  std::lock_guard lock(self->mu_);
  if (self->fetched_ == self->generation_) return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
  const grpc_ssl_pem_key_cert_pair pair{self->files_.private_key_pem.c_str(),
                                        self->files_.cert_chain_pem.c_str()};
  // The core copies the strings. It insists on root certificates in a fetched config even when it
  // asks clients for no certificate: without mutual TLS it gets the server's own chain, which it
  // loads and never uses.
  *out = grpc_ssl_server_certificate_config_create(
      self->mutual_ ? self->files_.client_ca_pem.c_str() : self->files_.cert_chain_pem.c_str(),
      &pair, 1);
  self->fetched_ = self->generation_;
  return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
}

}  // namespace archivum::api
