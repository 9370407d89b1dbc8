// ParseSize, ParseDuration and ValidateListenAddress: the value formats of the config file.
#include <cstdint>
#include <limits>
#include <string>

#include "config/config.h"
#include "gtest/gtest.h"

namespace archivum::config {
namespace {

using std::chrono::milliseconds;

TEST(ConfigValuesTest, ParseSizeAcceptsBinarySuffixes) {
  const std::pair<const char*, uint64_t> kCases[] = {
      {"0", 0},
      {"512", 512},
      {"7B", 7},
      {"7b", 7},
      {"4k", 4096},
      {"4K", 4096},
      {"4KB", 4096},
      {"4KiB", 4096},
      {"4kib", 4096},
      {"100M", 100ull << 20},
      {"100MiB", 100ull << 20},
      {"1G", 1ull << 30},
      {"1gb", 1ull << 30},
      {"2T", 2ull << 40},
      {"16777215T", 16777215ull << 40},
      {"18446744073709551615", std::numeric_limits<uint64_t>::max()},
  };
  for (const auto& [text, bytes] : kCases) {
    StatusOr<uint64_t> size = ParseSize(text);
    ASSERT_TRUE(size.ok()) << text << ": " << size.status().ToString();
    EXPECT_EQ(*size, bytes) << text;
  }
}

TEST(ConfigValuesTest, ParseSizeRejectsGarbage) {
  for (const char* text : {"", "abc", "-1", "+1", "1.5G", "4 k", " 4", "4 ", "4kk", "k", "1X",
                           "4iB", "4KiBB", "0x10", "1P"}) {
    StatusOr<uint64_t> size = ParseSize(text);
    ASSERT_FALSE(size.ok()) << text;
    EXPECT_EQ(size.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(size.status().message(),
              "expected a size such as 512, 4k, 100M or 1G, got '" + std::string(text) + "'");
  }
}

TEST(ConfigValuesTest, ParseSizeRejectsOverflow) {
  for (const char* text : {"18446744073709551616", "16777216T", "99999999999999999999999k"}) {
    StatusOr<uint64_t> size = ParseSize(text);
    ASSERT_FALSE(size.ok()) << text;
    EXPECT_EQ(size.status().message(),
              "expected a size below 2^64 bytes, got '" + std::string(text) + "'");
  }
}

TEST(ConfigValuesTest, ParseDurationAcceptsUnits) {
  const std::pair<const char*, int64_t> kCases[] = {
      {"0", 0},          {"30", 30'000},     {"0ms", 0},           {"250ms", 250},
      {"5s", 5'000},     {"2m", 120'000},    {"1h", 3'600'000},    {"1h30m", 5'400'000},
      {"1m30s", 90'000}, {"1s500ms", 1'500}, {"48h", 172'800'000},
  };
  for (const auto& [text, ms] : kCases) {
    StatusOr<Duration> duration = ParseDuration(text);
    ASSERT_TRUE(duration.ok()) << text << ": " << duration.status().ToString();
    EXPECT_EQ(*duration, milliseconds(ms)) << text;
  }
}

TEST(ConfigValuesTest, ParseDurationRejectsGarbage) {
  for (const char* text : {"", "s", "ms", "-5s", "+5s", "1.5s", "5 s", "5sec", "5d", "5S", "1h-",
                           "h1", "5s ", "1e3"}) {
    StatusOr<Duration> duration = ParseDuration(text);
    ASSERT_FALSE(duration.ok()) << text;
    EXPECT_EQ(duration.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(duration.status().message(),
              "expected a duration such as 250ms, 5s, 2m or 1h, got '" + std::string(text) + "'");
  }
}

TEST(ConfigValuesTest, ParseDurationRejectsOverflow) {
  EXPECT_TRUE(ParseDuration("9223372036854775807ms").ok());
  EXPECT_TRUE(ParseDuration("2562047788015h").ok());
  for (const char* text : {"9223372036854775808ms", "9223372036854776", "2562047788016h",
                           "9223372036854775807ms1ms", "99999999999999999999999s"}) {
    StatusOr<Duration> duration = ParseDuration(text);
    ASSERT_FALSE(duration.ok()) << text;
    EXPECT_EQ(duration.status().message(),
              "expected a duration below 2^63 milliseconds, got '" + std::string(text) + "'");
  }
}

TEST(ConfigValuesTest, ValidateListenAddressAcceptsHostsAndPorts) {
  for (const char* address :
       {"127.0.0.1:50051", "0.0.0.0:0", "localhost:8080", "my-host.example.com:65535",
        "archivum_1:80", "[::1]:443", "[::]:0", "[fe80::1%eth0]:80", "[2001:db8::7]:9000"}) {
    Status status = ValidateListenAddress(address);
    EXPECT_TRUE(status.ok()) << address << ": " << status.ToString();
  }
}

TEST(ConfigValuesTest, ValidateListenAddressExplainsWhatIsWrong) {
  const std::pair<const char*, const char*> kCases[] = {
      {"", "expected host:port"},
      {"localhost", "expected host:port"},
      {":8080", "expected host:port"},
      {"host:", "expected host:port with a port in 0..65535"},
      {"host:65536", "expected host:port with a port in 0..65535"},
      {"host:-1", "expected host:port with a port in 0..65535"},
      {"host:+80", "expected host:port with a port in 0..65535"},
      {"host:80x", "expected host:port with a port in 0..65535"},
      {"host:000080", "expected host:port with a port in 0..65535"},
      {"::1:80", "expected host:port with an IPv6 host in brackets, e.g. [::1]:50051"},
      {"a b:80", "expected host:port with a hostname or IP address as host"},
      {"256.1.1.1:80", "expected host:port with a hostname or IP address as host"},
      {"[::1]80", "expected [ipv6]:port"},
      {"[::1]", "expected [ipv6]:port"},
      {"[::1", "expected [ipv6]:port"},
      {"[zz]:80", "expected [ipv6]:port with a valid IPv6 address"},
      {"[fe80::1%]:80", "expected [ipv6]:port with a valid IPv6 address"},
      {"[::1]:", "expected host:port with a port in 0..65535"},
  };
  for (const auto& [address, expected] : kCases) {
    Status status = ValidateListenAddress(address);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << address;
    EXPECT_EQ(status.message(), std::string(expected) + ", got '" + address + "'");
  }
}

}  // namespace
}  // namespace archivum::config
