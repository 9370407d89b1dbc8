// Descriptor validation on hand-built descriptors, MIME matching and UTF-8 validation.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "common/utf8.h"
#include "plugins/inprocess/descriptor.h"
#include "plugins/mime_match.h"

namespace archivum::plugins {
namespace {

using inprocess::ReadDescriptor;

archivum_rc Create(archivum_str, const archivum_host_api*, archivum_plugin_state**) {
  return ARCHIVUM_ERROR;
}
void Destroy(archivum_plugin_state*) {}
archivum_rc Process(archivum_plugin_state*, const archivum_file*, const archivum_sink*) {
  return ARCHIVUM_OK;
}
archivum_rc Query(archivum_plugin_state*, archivum_str, archivum_str, const archivum_query_sink*) {
  return ARCHIVUM_OK;
}
archivum_rc Flush(archivum_plugin_state*) {
  return ARCHIVUM_OK;
}
archivum_str LastError(archivum_plugin_state*) {
  return {"", 0};
}

const archivum_str kAccept[] = {{"text/*", 6}};

archivum_plugin_descriptor Valid() {
  archivum_plugin_descriptor d{};
  d.struct_size = sizeof(d);
  d.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
  d.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
  d.name = {"valid", 5};
  d.version = {"1.0", 3};
  d.stage = ARCHIVUM_STAGE_ANALYZE;
  d.accept = kAccept;
  d.accept_count = 1;
  d.create = Create;
  d.destroy = Destroy;
  d.process = Process;
  d.last_error = LastError;
  d.max_file_size = 100;
  return d;
}

std::string Reason(const archivum_plugin_descriptor& d) {
  Manifest m;
  return ReadDescriptor(&d, &m).message();
}

TEST(ManifestTest, AcceptsAValidDescriptor) {
  const archivum_plugin_descriptor d = Valid();
  Manifest m;
  ASSERT_TRUE(ReadDescriptor(&d, &m).ok());
  EXPECT_EQ(m.name, "valid");
  EXPECT_EQ(m.id(), "valid@1.0");
  EXPECT_EQ(m.abi_version(), "1.2");
  EXPECT_EQ(m.stage, Stage::kAnalyze);
  EXPECT_EQ(m.max_file_size, 100u);
  EXPECT_EQ(m.accepts, std::vector<std::string>{"text/*"});
}

TEST(ManifestTest, Abi10SizeIgnoresLaterFields) {
  archivum_plugin_descriptor d = Valid();
  d.abi_minor = 0;
  d.struct_size = ARCHIVUM_DESCRIPTOR_SIZE_1_0;
  Manifest m;
  ASSERT_TRUE(ReadDescriptor(&d, &m).ok());
  EXPECT_EQ(m.max_file_size, 0u);  // beyond the 1.0 struct: treated as absent
}

TEST(ManifestTest, Abi12DescriptorKeepsItsFlushEntryPoint) {
  archivum_plugin_descriptor d = Valid();
  d.flush = Flush;
  Manifest m;
  archivum_plugin_descriptor entry_points;
  ASSERT_TRUE(ReadDescriptor(&d, &m, &entry_points).ok());
  EXPECT_EQ(entry_points.flush, &Flush);
  EXPECT_TRUE(m.flushes);
  EXPECT_EQ(m.max_file_size, 100u);
}

TEST(ManifestTest, ReadsTuningKeysAndRefusesBadOnes) {
  const archivum_str keys[] = {{"cache", 5}, {"threads", 7}};
  archivum_plugin_descriptor d = Valid();
  d.tuning_keys = keys;
  d.tuning_key_count = 2;
  Manifest m;
  ASSERT_TRUE(ReadDescriptor(&d, &m).ok());
  EXPECT_EQ(m.tuning_keys, (std::vector<std::string>{"cache", "threads"}));

  const archivum_str bad[] = {{"a b", 3}};
  d.tuning_keys = bad;
  d.tuning_key_count = 1;
  EXPECT_EQ(Reason(d), "invalid tuning key 'a b'");
  d.tuning_keys = nullptr;
  EXPECT_EQ(Reason(d), "tuning key list is NULL");
  const std::vector<archivum_str> many(17, archivum_str{"k", 1});
  d.tuning_keys = many.data();
  d.tuning_key_count = many.size();
  EXPECT_EQ(Reason(d), "more than 16 tuning keys");
}

TEST(ManifestTest, Abi11SizeIgnoresThe12Fields) {
  // A 1.1 plugin's struct ends before flush: whatever lies beyond it is not read.
  archivum_plugin_descriptor d = Valid();
  d.abi_minor = 1;
  d.struct_size = ARCHIVUM_DESCRIPTOR_SIZE_1_1;
  d.flush = Flush;
  const archivum_str keys[] = {{"bad key", 7}};  // beyond the 1.1 struct: never read
  d.tuning_keys = keys;
  d.tuning_key_count = 1;
  Manifest m;
  archivum_plugin_descriptor entry_points;
  ASSERT_TRUE(ReadDescriptor(&d, &m, &entry_points).ok());
  EXPECT_EQ(m.abi_version(), "1.1");
  EXPECT_EQ(entry_points.flush, nullptr);
  EXPECT_FALSE(m.flushes);
  EXPECT_TRUE(m.tuning_keys.empty());
  EXPECT_EQ(m.max_file_size, 100u);  // a 1.1 field: still read

  d.abi_minor = 2;  // a 1.2 plugin must cover flush
  EXPECT_EQ(Reason(d), "descriptor size " + std::to_string(ARCHIVUM_DESCRIPTOR_SIZE_1_1) +
                           " is smaller than ABI 1.2 requires (" +
                           std::to_string(sizeof(archivum_plugin_descriptor)) + ")");
}

TEST(ManifestTest, RefusesWithClearReasons) {
  archivum_plugin_descriptor d = Valid();
  d.struct_size = 4;
  EXPECT_EQ(Reason(d), "descriptor size 4 is too small");

  d = Valid();
  d.struct_size = ARCHIVUM_DESCRIPTOR_SIZE_1_0;
  EXPECT_EQ(Reason(d), "descriptor size " + std::to_string(ARCHIVUM_DESCRIPTOR_SIZE_1_0) +
                           " is smaller than ABI 1.2 requires (" +
                           std::to_string(sizeof(archivum_plugin_descriptor)) + ")");

  d = Valid();
  d.abi_major = 0;
  EXPECT_EQ(Reason(d), "requires ABI 0.2, host provides 1.2");

  d = Valid();
  d.name = {"bad name", 8};
  EXPECT_EQ(Reason(d), "invalid name 'bad name': expected 1-64 characters [A-Za-z0-9_.-]");
  d.name = {"", 0};
  EXPECT_EQ(Reason(d), "invalid name '': expected 1-64 characters [A-Za-z0-9_.-]");
  d.name = {nullptr, 3};
  EXPECT_EQ(Reason(d), "name is NULL");

  d = Valid();
  d.version = {"", 0};
  EXPECT_EQ(Reason(d), "invalid version ''");

  d = Valid();
  d.description = {"\xff", 1};
  EXPECT_EQ(Reason(d), "description is not valid UTF-8");

  d = Valid();
  d.stage = 7;
  EXPECT_EQ(Reason(d), "invalid stage 7");

  d = Valid();
  d.flags = 0x6;
  EXPECT_EQ(Reason(d), "unknown flags 6");

  d = Valid();
  d.accept_count = 0;
  EXPECT_EQ(Reason(d), "accepts no MIME types");
  d.accept = nullptr;
  d.accept_count = 2;
  EXPECT_EQ(Reason(d), "MIME pattern list is NULL");

  d = Valid();
  d.process = nullptr;
  EXPECT_EQ(Reason(d), "inconsistent capabilities: missing required entry point process");

  d = Valid();
  d.query = Query;
  EXPECT_EQ(Reason(d),
            "inconsistent capabilities: has a query entry point but declares no query verbs");

  static const archivum_str kVerbs[] = {{"Similar", 7}};
  d.query_verbs = kVerbs;
  d.query_verb_count = 1;
  EXPECT_EQ(Reason(d), "invalid query verb 'Similar'");
}

TEST(MimeMatchTest, MatchesShellPatternsCaseInsensitively) {
  EXPECT_TRUE(MimeMatches("text/*", "text/plain"));
  EXPECT_TRUE(MimeMatches("text/*", "TEXT/Plain; charset=utf-8"));
  EXPECT_TRUE(MimeMatches("application/pdf", "application/pdf"));
  EXPECT_FALSE(MimeMatches("text/*", "application/pdf"));
  EXPECT_TRUE(MimeMatches("*/*", ""));
  EXPECT_TRUE(MimeMatches("*", "image/png"));
  EXPECT_FALSE(MimeMatches("text/*", ""));
  EXPECT_TRUE(AnyMimeMatches({"image/*", "application/vnd.*"}, "application/vnd.ms-excel"));
  EXPECT_FALSE(AnyMimeMatches({}, "text/plain"));
  // Literal and one-star patterns take the fast path; the rest goes to fnmatch. Both agree on
  // case-insensitivity and on '*' spanning '/' and '.'.
  EXPECT_TRUE(MimeMatches("TEXT/PLAIN", "text/plain"));
  EXPECT_FALSE(MimeMatches("text/plain", "text/plainer"));
  EXPECT_FALSE(MimeMatches("text/plain", "text/plai"));
  EXPECT_TRUE(MimeMatches("*/xml", "application/xml"));
  EXPECT_FALSE(MimeMatches("*/xml", "application/xhtml+xml"));
  EXPECT_TRUE(MimeMatches("application/*+xml", "Application/XHTML+XML"));
  EXPECT_FALSE(MimeMatches("application/*+xml", "application/+xm"));
  EXPECT_TRUE(MimeMatches("te*", "text/x-c++"));
  EXPECT_TRUE(MimeMatches("text/?lain", "text/Plain"));
  EXPECT_TRUE(MimeMatches("text/[pq]lain", "text/qlain"));
  EXPECT_FALSE(MimeMatches("text/[pq]lain", "text/rlain"));
  EXPECT_TRUE(MimeMatches("*/*+*", "image/svg+xml"));
  EXPECT_FALSE(MimeMatches("*/*+*", "image/png"));
}

TEST(Utf8Test, ValidatesEncoding) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

// The ASCII fast path reads 8 bytes at a time: every sequence, valid or not, must be judged the
// same at every offset and with every amount of ASCII after it.
TEST(Utf8Test, SameVerdictAtEveryOffsetOfABlock) {
  const std::pair<std::string, bool> cases[] = {
      {"\xc3\xa9", true},  {"\xe2\x82\xac", true},  {"\xf0\x9f\x98\x80", true},  {"\xc3", false},
      {"\xc0\xaf", false}, {"\xed\xa0\x80", false}, {"\xf4\x90\x80\x80", false}, {"\xff", false},
      {"\x80", false}};
  for (const auto& [sequence, valid] : cases) {
    for (size_t before = 0; before < 20; ++before) {
      for (size_t after = 0; after < 20; ++after) {
        const std::string text = std::string(before, 'a') + sequence + std::string(after, 'z');
        EXPECT_EQ(IsValidUtf8(text), valid) << "before=" << before << " after=" << after;
      }
    }
  }
  EXPECT_TRUE(IsValidUtf8(std::string(4096, 'x')));
  EXPECT_TRUE(IsValidUtf8(std::string(4096, '\0')));  // NUL is valid UTF-8
}

}  // namespace
}  // namespace archivum::plugins
