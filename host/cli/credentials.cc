#include "cli/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace archivum::cli {
namespace {

// PEM bundles are a few KiB; anything this large is not one (and must not be read whole).
constexpr off_t kMaxPemBytes = 1 << 20;

// Reads `file` whole. Errors: "<option>: cannot read <file>: <reason>".
bool ReadSmallFile(const std::string& file, std::string_view option, std::string* content,
                   std::string* error) {
  const std::string prefix = std::string(option) + ": ";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    *error = prefix + "cannot read " + file + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (!ok) {
    *error = prefix + "cannot read " + file + ": " + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *error = prefix + file + " is not a regular file";
    ok = false;
  } else if (st.st_size > kMaxPemBytes) {
    *error = prefix + file + " is larger than 1 MiB: not a PEM file";
    ok = false;
  }
  content->clear();
  char buffer[16384];
  while (ok) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = prefix + "cannot read " + file + ": " + std::strerror(errno);
      ok = false;
    } else if (content->size() + static_cast<size_t>(n) > static_cast<size_t>(kMaxPemBytes)) {
      *error = prefix + file + " is larger than 1 MiB: not a PEM file";
      ok = false;
    } else {
      content->append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return ok;
}

// Reads a PEM file and checks that it holds at least one block of the expected kind, so a
// swapped or empty file is reported here rather than as an opaque handshake failure.
bool ReadPem(const std::string& file, std::string_view option, std::string_view label,
             std::string_view what, std::string* content, std::string* error) {
  if (!ReadSmallFile(file, option, content, error)) return false;
  const bool has_block = content->find("-----BEGIN ") != std::string::npos &&
                         content->find(label) != std::string::npos;
  if (!has_block) {
    *error = std::string(option) + ": " + file + " holds no PEM " + std::string(what);
    return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<grpc::ChannelCredentials> Security::ChannelCredentials() const {
  return tls ? grpc::SslCredentials(ssl) : grpc::InsecureChannelCredentials();
}

void Security::Apply(grpc::ChannelArguments* args) const {
  if (tls && !server_name.empty()) args->SetSslTargetNameOverride(server_name);
}

std::string ValidateToken(std::string_view token) {
  if (token.empty()) return "must not be empty";
  for (const char c : token) {
    if (c <= ' ' || c > '~') {
      return "must be printable ASCII without spaces (it is sent as \"Bearer <token>\")";
    }
  }
  return "";
}

bool LoadSecurity(const SecurityOptions& options, Security* out, std::string* error) {
  *out = Security();
  if (!options.token.empty()) {
    if (const std::string why = ValidateToken(options.token); !why.empty()) {
      *error = "--token: " + why;
      return false;
    }
    out->authorization = "Bearer " + options.token;
  }
  if (!options.tls_enabled()) return true;
  out->tls = true;
  out->server_name = options.server_name;
  if (options.cert_file.empty() != options.key_file.empty()) {
    *error =
        options.cert_file.empty() ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key";
    return false;
  }
  if (!options.ca_file.empty() && !ReadPem(options.ca_file, "--tls-ca", "CERTIFICATE-----",
                                           "certificate", &out->ssl.pem_root_certs, error)) {
    return false;
  }
  if (!options.cert_file.empty()) {
    if (!ReadPem(options.cert_file, "--tls-cert", "CERTIFICATE-----", "certificate",
                 &out->ssl.pem_cert_chain, error) ||
        !ReadPem(options.key_file, "--tls-key", "PRIVATE KEY-----", "private key",
                 &out->ssl.pem_private_key, error)) {
      return false;
    }
  }
  return true;
}

bool IsLoopbackTarget(std::string_view target) {
  if (target.rfind("unix:", 0) == 0 || target.rfind("unix-abstract:", 0) == 0) return true;
  for (std::string_view scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (target.rfind(scheme, 0) == 0) {
      target.remove_prefix(scheme.size());
      break;
    }
  }
  std::string_view host = target;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':');
             colon != std::string_view::npos && host.find(':') == colon) {
    host = host.substr(0, colon);  // "host:port"; several colons: a bare IPv6 address
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace archivum::cli
