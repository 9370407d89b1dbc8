// inprocess::ReadDescriptor on hand-built descriptors: what it reads into the Manifest for each
// ABI minor version (1.0 and 1.1 layouts are shorter: nothing beyond them is read), the entry
// points it keeps, and the exact reason for every descriptor it refuses.
#include "plugins/inprocess/descriptor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace archivum::plugins::inprocess {
namespace {

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

TEST(DescriptorTest, AcceptsAValidDescriptor) {
  const archivum_plugin_descriptor d = Valid();
  Manifest m;
  ASSERT_TRUE(ReadDescriptor(&d, &m).ok());
  EXPECT_EQ(m.name, "valid");
  EXPECT_EQ(m.id(), "valid@1.0");
  EXPECT_EQ(m.abi_version(), "1.4");
  EXPECT_EQ(m.stage, Stage::kAnalyze);
  EXPECT_EQ(m.max_file_size, 100u);
  EXPECT_EQ(m.accepts, std::vector<std::string>{"text/*"});
}

TEST(DescriptorTest, Abi10SizeIgnoresLaterFields) {
  archivum_plugin_descriptor d = Valid();
  d.abi_minor = 0;
  d.struct_size = ARCHIVUM_DESCRIPTOR_SIZE_1_0;
  Manifest m;
  ASSERT_TRUE(ReadDescriptor(&d, &m).ok());
  EXPECT_EQ(m.max_file_size, 0u);  // beyond the 1.0 struct: treated as absent
}

TEST(DescriptorTest, Abi12DescriptorKeepsItsFlushEntryPoint) {
  archivum_plugin_descriptor d = Valid();
  d.flush = Flush;
  Manifest m;
  archivum_plugin_descriptor entry_points;
  ASSERT_TRUE(ReadDescriptor(&d, &m, &entry_points).ok());
  EXPECT_EQ(entry_points.flush, &Flush);
  EXPECT_TRUE(m.flushes);
  EXPECT_EQ(m.max_file_size, 100u);
}

TEST(DescriptorTest, ReadsTuningKeysAndRefusesBadOnes) {
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

TEST(DescriptorTest, Abi11SizeIgnoresThe12Fields) {
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
                           std::to_string(ARCHIVUM_DESCRIPTOR_SIZE_1_3) + ")");
}

TEST(DescriptorTest, RefusesWithClearReasons) {
  archivum_plugin_descriptor d = Valid();
  d.struct_size = 4;
  EXPECT_EQ(Reason(d), "descriptor size 4 is too small");

  d = Valid();
  d.struct_size = ARCHIVUM_DESCRIPTOR_SIZE_1_0;
  EXPECT_EQ(Reason(d), "descriptor size " + std::to_string(ARCHIVUM_DESCRIPTOR_SIZE_1_0) +
                           " is smaller than ABI 1.4 requires (" +
                           std::to_string(sizeof(archivum_plugin_descriptor)) + ")");

  d = Valid();
  d.abi_major = 0;
  EXPECT_EQ(Reason(d), "requires ABI 0.4, host provides 1.4");

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
  EXPECT_EQ(Reason(d), "unknown flags 4");
  // ARCHIVUM_FLAG_OPT_IN exists from 1.4 on: a 1.3 plugin cannot have set it.
  d.abi_minor = 3;
  d.struct_size = ARCHIVUM_DESCRIPTOR_SIZE_1_3;
  d.flags = ARCHIVUM_FLAG_OPT_IN;
  EXPECT_EQ(Reason(d), "unknown flags 2");

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

}  // namespace
}  // namespace archivum::plugins::inprocess
