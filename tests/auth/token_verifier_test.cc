// TokenVerifier: the token file format, digests vs plain tokens, and the three refusals.
#include "auth/token_verifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "auth/access_policy.h"

namespace archivum::auth {
namespace {

// printf %s s3cret-token-one | sha256sum
constexpr char kTokenOneDigest[] =
    "6d3ceda947050669c8e6811156c7777ed918cee7fcb67480e2718ee1bb14a1e8";

std::string Hex(const TokenVerifier::Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::shared_ptr<const TokenVerifier> MustParse(std::string_view text) {
  auto v = TokenVerifier::Parse(text, "tokens");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : nullptr;
}

TEST(TokenVerifierTest, Sha256MatchesTheStandardTestVector) {
  EXPECT_EQ(Hex(TokenVerifier::Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenVerifierTest, PlainTokensAreAccepted) {
  auto v = MustParse("# operators\nalpha-token\n\n  beta-token  \r\n");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->size(), 2u);
  EXPECT_TRUE(v->Check("Bearer alpha-token").ok());
  EXPECT_TRUE(v->Check("Bearer beta-token").ok());
  EXPECT_TRUE(v->Check("bearer  beta-token ").ok()) << "the scheme is case-insensitive";
}

TEST(TokenVerifierTest, DigestLinesAcceptTheTokenTheyHash) {
  const std::string digest = kTokenOneDigest;
  EXPECT_EQ(Hex(TokenVerifier::Sha256("s3cret-token-one")), digest);
  // Either case of hex digits, and of the prefix.
  for (const std::string& line : {"sha256:" + digest, "SHA256:" + digest}) {
    SCOPED_TRACE(line);
    auto v = MustParse(line + "\n");
    ASSERT_NE(v, nullptr);
    EXPECT_TRUE(v->Check("Bearer s3cret-token-one").ok());
    // The digest itself is not a token.
    EXPECT_EQ(v->Check("Bearer " + digest).code(), StatusCode::kUnauthenticated);
  }
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto v = MustParse("sha256:" + upper);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->Check("Bearer s3cret-token-one").ok());
}

TEST(TokenVerifierTest, MissingMalformedAndWrongAreDistinctAndNeverEchoTheValue) {
  auto v = MustParse("right-token\n");
  ASSERT_NE(v, nullptr);
  const Status missing = v->Check(std::nullopt);
  const Status malformed = v->Check("Basic d3Jvbmc6c2VjcmV0");
  const Status empty = v->Check("Bearer   ");
  const Status wrong = v->Check("Bearer wrong-token-value");
  for (const Status* st : {&missing, &malformed, &empty, &wrong}) {
    EXPECT_EQ(st->code(), StatusCode::kUnauthenticated) << st->ToString();
  }
  EXPECT_NE(missing.message(), malformed.message());
  EXPECT_NE(missing.message(), wrong.message());
  EXPECT_NE(malformed.message(), wrong.message());
  EXPECT_EQ(wrong.message().find("wrong-token-value"), std::string::npos) << wrong.message();
  EXPECT_EQ(malformed.message().find("d3Jvbmc6"), std::string::npos) << malformed.message();
  EXPECT_NE(missing.message().find("Bearer"), std::string::npos) << "says what to send";
}

TEST(TokenVerifierTest, APrefixOrExtensionOfAnAcceptedTokenIsRefused) {
  auto v = MustParse("right-token\n");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->Check("Bearer right-toke").ok());
  EXPECT_FALSE(v->Check("Bearer right-token2").ok());
  EXPECT_FALSE(v->Check("Bearerright-token").ok());
}

TEST(TokenVerifierTest, MalformedLinesNameTheLineButNotTheirContent) {
  auto bad_digest = TokenVerifier::Parse("ok-token\nsha256:abc123secret\n", "tokens.txt");
  ASSERT_FALSE(bad_digest.ok());
  EXPECT_EQ(bad_digest.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_digest.status().message().rfind("tokens.txt:2: ", 0), 0u)
      << bad_digest.status().message();
  EXPECT_EQ(bad_digest.status().message().find("abc123secret"), std::string::npos);

  auto spaced = TokenVerifier::Parse("# c\ntwo words\n", "tokens.txt");
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.status().message().rfind("tokens.txt:2: ", 0), 0u) << spaced.status().message();
  EXPECT_EQ(spaced.status().message().find("words"), std::string::npos);
}

TEST(TokenVerifierTest, AFileWithoutTokensIsAnError) {
  auto none = TokenVerifier::Parse("# only a comment\n\n", "tokens.txt");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("tokens.txt: "), std::string::npos);
}

TEST(TokenVerifierTest, LoadNamesTheKeyAndFileWhenUnreadable) {
  auto missing = TokenVerifier::Load("/nonexistent/archivum/tokens", "auth.tokens_file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message().rfind("auth.tokens_file: cannot read /nonexistent/", 0), 0u)
      << missing.status().message();
}

TEST(TokenVerifierTest, LoadReadsAFile) {
  const auto file =
      std::filesystem::temp_directory_path() /
      ("archivum-tokens-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  {
    std::ofstream out(file);
    out << "# test\nfile-token\n";
  }
  auto v = TokenVerifier::Load(file, "auth.tokens_file");
  std::filesystem::remove(file);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE((*v)->Check("Bearer file-token").ok());
}

TEST(AccessPolicyTest, HealthIsOpenOnlyWhenConfiguredSo) {
  AccessPolicy off;
  EXPECT_TRUE(off.Authorize(std::nullopt, /*health=*/false).ok()) << "no tokens: no auth";

  AccessPolicy open{MustParse("t0ken\n"), /*open_health=*/true, /*live=*/nullptr};
  EXPECT_TRUE(open.Authorize(std::nullopt, /*health=*/true).ok());
  EXPECT_EQ(open.Authorize(std::nullopt, /*health=*/false).code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(open.Authorize("Bearer t0ken", /*health=*/false).ok());

  AccessPolicy closed{MustParse("t0ken\n"), /*open_health=*/false, /*live=*/nullptr};
  EXPECT_EQ(closed.Authorize(std::nullopt, /*health=*/true).code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(closed.Authorize("Bearer t0ken", /*health=*/true).ok());
}

}  // namespace
}  // namespace archivum::auth
