// The PEM files a listener's TLS is configured from, read and checked at start-up.
//
// Checking here, with OpenSSL, rather than leaving it to gRPC or Asio gives an operator one clear
// start-up error naming the key and the file ("server.http.tls.key: /etc/k.pem does not match
// the certificate in /etc/c.pem") instead of a failed bind or a handshake error per connection.
//
// Thread safety: reentrant.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/config.h"

namespace archivum::auth {

struct TlsFiles {
  std::string cert_chain_pem;  // the server certificate first, then intermediates
  std::string private_key_pem;
  std::string client_ca_pem;  // empty: clients are not asked for a certificate

  bool mutual() const { return !client_ca_pem.empty(); }
};

// Reads `tls` (which must be enabled()) and checks that the certificate chain and the CA bundle
// parse, that the key is an unencrypted PEM private key and that it belongs to the certificate.
// `prefix` is the config key of the block ("server.grpc.tls"); errors start with the key of the
// offending file. Errors: as ReadSecretFile, or INVALID_ARGUMENT.
StatusOr<TlsFiles> LoadTlsFiles(const config::Tls& tls, std::string_view prefix);

}  // namespace archivum::auth
