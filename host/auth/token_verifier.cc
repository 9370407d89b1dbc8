#include "auth/token_verifier.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <string>

#include "auth/secret_file.h"
#include "common/ascii.h"

namespace archivum::auth {
namespace {

constexpr std::string_view kDigestPrefix = "sha256:";
constexpr std::string_view kWhitespace = " \t\r\n\v\f";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kWhitespace);
  return s.substr(begin, end - begin + 1);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<TokenVerifier::Digest> DecodeHexDigest(std::string_view hex) {
  TokenVerifier::Digest digest{};
  if (hex.size() != 2 * digest.size()) return std::nullopt;
  for (size_t i = 0; i < digest.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    digest[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return digest;
}

Status Unauthenticated(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message));
}

}  // namespace

TokenVerifier::Digest TokenVerifier::Sha256(std::string_view data) {
  Digest digest{};
  unsigned int length = 0;
  // EVP_Digest fails only when the library cannot allocate; a zero digest then matches no token
  // hashed successfully at load time.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    digest.fill(0);
  }
  return digest;
}

StatusOr<std::shared_ptr<const TokenVerifier>> TokenVerifier::Load(
    const std::filesystem::path& file, std::string_view key) {
  auto text = ReadSecretFile(file, key);
  if (!text.ok()) return text.status();
  auto verifier = Parse(*text, std::string(key) + ": " + file.string());
  OPENSSL_cleanse(text->data(), text->size());
  return verifier;
}

StatusOr<std::shared_ptr<const TokenVerifier>> TokenVerifier::Parse(std::string_view text,
                                                                    std::string_view source) {
  std::vector<Digest> digests;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = std::string(source) + ":" + std::to_string(line_number) + ": ";
    if (line.find_first_of(kWhitespace) != std::string_view::npos) {
      return InvalidArgument(where +
                             "expected one token or sha256:<hex digest> per line, got a "
                             "line with whitespace inside");
    }
    if (StartsWithIgnoreAsciiCase(line, kDigestPrefix)) {
      auto digest = DecodeHexDigest(line.substr(kDigestPrefix.size()));
      if (!digest) {
        return InvalidArgument(where + "expected sha256: followed by 64 hex digits, got " +
                               std::to_string(line.size() - kDigestPrefix.size()) +
                               " characters that are not a SHA-256 digest");
      }
      digests.push_back(*digest);
    } else {
      digests.push_back(Sha256(line));
    }
  }
  if (digests.empty()) {
    return InvalidArgument(std::string(source) +
                           ": expected at least one token or sha256:<hex digest>, got none "
                           "(every request would be refused)");
  }
  return std::shared_ptr<const TokenVerifier>(new TokenVerifier(std::move(digests)));
}

Status TokenVerifier::Check(std::optional<std::string_view> authorization) const {
  if (!authorization) {
    return Unauthenticated("missing credentials: send the header 'authorization: Bearer <token>'");
  }
  const std::string_view value = Trim(*authorization);
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || !StartsWithIgnoreAsciiCase(value, kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return Unauthenticated("malformed authorization header: expected 'Bearer <token>'");
  }
  const std::string_view token = Trim(value.substr(kScheme.size()));
  if (token.empty()) {
    return Unauthenticated("malformed authorization header: expected 'Bearer <token>'");
  }
  const Digest presented = Sha256(token);
  // Every digest is compared, whatever matched before: no early exit.
  int matched = 0;
  for (const Digest& d : digests_) {
    matched |= static_cast<int>(CRYPTO_memcmp(d.data(), presented.data(), d.size()) == 0);
  }
  if (matched == 0) return Unauthenticated("invalid bearer token");
  return Status::Ok();
}

}  // namespace archivum::auth
