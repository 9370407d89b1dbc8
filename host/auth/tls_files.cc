#include "auth/tls_files.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "auth/secret_file.h"

namespace archivum::auth {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using PrivateKey = std::unique_ptr<EVP_PKEY, KeyFree>;

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Refuses to prompt on the terminal for the passphrase of an encrypted key.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

// How many certificates `pem` holds; 0 if the first one does not parse.
int CountCertificates(const std::string& pem) {
  Bio bio = MemoryBio(pem);
  int count = 0;
  while (bio) {
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!cert) break;
    ++count;
  }
  ERR_clear_error();  // the read past the last certificate leaves an error on the queue
  return count;
}

std::string KeyName(std::string_view prefix, std::string_view field) {
  return std::string(prefix) + "." + std::string(field);
}

}  // namespace

StatusOr<TlsFiles> LoadTlsFiles(const config::Tls& tls, std::string_view prefix) {
  TlsFiles files;
  auto cert = ReadSecretFile(tls.cert, KeyName(prefix, "cert"));
  if (!cert.ok()) return cert.status();
  files.cert_chain_pem = std::move(*cert);
  auto key = ReadSecretFile(tls.key, KeyName(prefix, "key"));
  if (!key.ok()) return key.status();
  files.private_key_pem = std::move(*key);
  if (!tls.client_ca.empty()) {
    auto ca = ReadSecretFile(tls.client_ca, KeyName(prefix, "client_ca"));
    if (!ca.ok()) return ca.status();
    files.client_ca_pem = std::move(*ca);
  }

  Bio cert_bio = MemoryBio(files.cert_chain_pem);
  Cert leaf(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  if (!leaf) {
    return InvalidArgument(KeyName(prefix, "cert") + ": " + tls.cert.string() +
                           " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  }
  Bio key_bio = MemoryBio(files.private_key_pem);
  PrivateKey private_key(
      key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  if (!private_key) {
    return InvalidArgument(KeyName(prefix, "key") + ": " + tls.key.string() +
                           " holds no unencrypted PEM private key");
  }
  if (X509_check_private_key(leaf.get(), private_key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument(KeyName(prefix, "key") + ": " + tls.key.string() +
                           " is not the private key of the certificate in " + tls.cert.string());
  }
  if (files.mutual() && CountCertificates(files.client_ca_pem) == 0) {
    return InvalidArgument(KeyName(prefix, "client_ca") + ": " + tls.client_ca.string() +
                           " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  }
  return files;
}

}  // namespace archivum::auth
