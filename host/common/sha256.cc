#include "common/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "common/ascii.h"

namespace archivum {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string Hex(const unsigned char* data, unsigned size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

MdCtx NewSha256() {
  MdCtx ctx(EVP_MD_CTX_new());
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) ctx.reset();
  return ctx;
}

std::string Finish(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned size = 0;
  if (EVP_DigestFinal_ex(ctx, md.data(), &size) != 1) return {};
  return Hex(md.data(), size);
}

}  // namespace

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!AsciiIsHexDigit(c)) return false;
  }
  return true;
}

std::string Sha256Hex(std::string_view data) {
  MdCtx ctx = NewSha256();
  if (!ctx || EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1) return {};
  return Finish(ctx.get());
}

StatusOr<std::string> FileSha256Hex(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound("cannot open " + file.string() + ": " + std::strerror(errno));
  MdCtx ctx = NewSha256();
  if (!ctx) return Internal("SHA-256 unavailable");
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount())) != 1) {
      return Internal("SHA-256 failed");
    }
  }
  if (in.bad()) return Internal("cannot read " + file.string());
  return Finish(ctx.get());
}

void Sha256Stream::Free::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Sha256Stream::Sha256Stream() : ctx_(NewSha256().release()) {}

bool Sha256Stream::Update(std::string_view data) {
  if (!ctx_) return false;
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    ctx_.reset();
    return false;
  }
  return true;
}

std::string Sha256Stream::HexDigest() {
  if (!ctx_) return {};
  std::string hex = Finish(ctx_.get());
  ctx_.reset();
  return hex;
}

}  // namespace archivum
