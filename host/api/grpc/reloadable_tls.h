// Server TLS credentials for gRPC whose certificate, key and client CA can be replaced while the
// server runs (live reload of server.grpc.tls).
//
// gRPC 1.51's C++ API has no credentials that reload on demand: its certificate providers are
// either static or poll files on an interval of their own. gRPC core's public certificate-config
// fetcher (grpc_ssl_server_credentials_create_options_using_config_fetcher, grpc_security.h) is
// deterministic instead: the core asks the fetcher before every new handshake whether the config
// changed. ReloadableTls answers "new" exactly once after each Replace(), so every handshake that
// begins after Replace() returns uses the new files, and connections already open keep the
// session they negotiated. A config the core cannot use (it re-parses the PEM data) leaves the
// previous one in force and logs gRPC's own error; Replace's caller checks the files first
// (auth::LoadTlsFiles) so that does not happen in practice.
//
// Whether clients must present a certificate is fixed when the credentials are made (the fetcher
// cannot change it): turning mutual TLS on or off needs a restart, replacing the client CA does
// not.
//
// Thread safety: Replace and the core's fetches are safe from any thread. Lifetime: the object
// must outlive every server built with credentials() (hold it at least as long as the server).
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "auth/tls_files.h"

namespace archivum::api {

class ReloadableTls : public std::enable_shared_from_this<ReloadableTls> {
 public:
  // `files` as checked by auth::LoadTlsFiles; files.mutual() fixes the client certificate policy.
  static std::shared_ptr<ReloadableTls> Create(auth::TlsFiles files);

  // The credentials to listen with. Each call makes new credentials over the same state.
  std::shared_ptr<grpc::ServerCredentials> credentials();

  // Handshakes that begin after this returns use `files`. Precondition: files.mutual() equals
  // the mutual() of the files given to Create (see the file comment).
  void Replace(auth::TlsFiles files);

  bool mutual() const { return mutual_; }

 private:
  explicit ReloadableTls(auth::TlsFiles files);
  static grpc_ssl_certificate_config_reload_status Fetch(void* self,
                                                         grpc_ssl_server_certificate_config** out);

  const bool mutual_;
  std::mutex mu_;
  auth::TlsFiles files_;     // guarded by mu_
  uint64_t generation_ = 1;  // guarded by mu_; bumped by Replace
  uint64_t fetched_ = 0;     // guarded by mu_; the generation last handed to the core
};

}  // namespace archivum::api
