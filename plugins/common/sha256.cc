#include "common/sha256.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "archivum/plugin.hpp"

namespace archivum::bundled {
namespace {

// OpenSSL's reason for the last failure on this thread, or "unknown error".
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  ERR_clear_error();
  return buffer;
}

[[noreturn]] void Fail(const char* what) {
  throw sdk::Error(ARCHIVUM_ERROR, std::string("OpenSSL: ") + what + ": " + OpenSslError());
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Sha256::Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
  if (md_ == nullptr) Fail("SHA-256 is not available");
}

Sha256::~Sha256() {
  EVP_MD_free(md_);
}

Sha256Digest Sha256::Digest(std::string_view data) const {
  Sha256Digest digest;
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, md_, nullptr) != 1 ||
      length != digest.size()) {
    Fail("EVP_Digest");
  }
  return digest;
}

std::optional<std::string> Sha256::HexDigest(std::string_view data,
                                             const std::function<bool()>& cancelled,
                                             size_t chunk_size,
                                             const std::function<void(size_t)>& consumed) const {
  chunk_size = std::max<size_t>(chunk_size, 1);
  std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) Fail("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(ctx.get(), md_, nullptr) != 1) Fail("EVP_DigestInit_ex");
  for (size_t offset = 0; offset < data.size(); offset += chunk_size) {
    if (cancelled && cancelled()) return std::nullopt;
    const size_t n = std::min(chunk_size, data.size() - offset);
    if (EVP_DigestUpdate(ctx.get(), data.data() + offset, n) != 1) Fail("EVP_DigestUpdate");
    if (consumed) consumed(offset + n);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) Fail("EVP_DigestFinal_ex");

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0F]);
  }
  return hex;
}

}  // namespace archivum::bundled
