// How the CLI reaches a secured daemon: TLS (optionally with a client certificate, mutual TLS)
// and a bearer token, as the daemon's server.grpc.tls.* and auth.tokens_file settings require.
//
// The options name files; LoadSecurity reads them once, before any connection, so a missing or
// unreadable file is a usage error naming the option and the file, not a failed handshake.
// Thread safety: plain values and reentrant functions.
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <string>
#include <string_view>

namespace archivum::cli {

// The command-line side: --tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name and --token
// (or $ARCHIVUM_TOKEN). Any --tls-* file or name turns TLS on.
struct SecurityOptions {
  bool tls = false;
  std::string ca_file;      // PEM roots to trust; empty: the system's roots
  std::string cert_file;    // PEM client certificate chain (mutual TLS); with key_file
  std::string key_file;     // PEM private key of cert_file, unencrypted
  std::string server_name;  // name to verify the server's certificate against; empty: the host
  std::string token;        // bearer token; empty: none

  bool tls_enabled() const {
    return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty() ||
           !server_name.empty();
  }
};

// What the options resolve to, ready for a channel and each call.
struct Security {
  bool tls = false;
  grpc::SslCredentialsOptions ssl;  // PEM contents, when tls
  std::string server_name;
  std::string authorization;  // "Bearer <token>", or empty

  // Plaintext credentials, or TLS ones from `ssl`.
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;
  // Applies server_name (if any) to the channel arguments.
  void Apply(grpc::ChannelArguments* args) const;
};

// Why a token cannot be sent, or "" if it can: it travels as the value of "authorization:
// Bearer <token>", so it must be printable ASCII without spaces. The message never contains the
// token.
std::string ValidateToken(std::string_view token);

// Reads the files `options` name. On failure returns false and sets *error to a message naming
// the option and the file, e.g. "--tls-ca: cannot read /etc/ca.pem: No such file or directory"
// or "--tls-key: /etc/k.pem holds no PEM private key".
bool LoadSecurity(const SecurityOptions& options, Security* out, std::string* error);

// Whether a gRPC target names this machine (localhost, 127.0.0.0/8, ::1, or a unix socket), where
// a token sent without TLS does not cross a network.
bool IsLoopbackTarget(std::string_view target);

}  // namespace archivum::cli
