// libFuzzer harness for the archive plugin (plugins/archive/): ExtractMembers on the input as the
// bytes of a file, into a sink that enforces the ABI's rules the way the host does and refuses
// like it (a small per-member and per-archive budget, so that a decompression bomb costs little
// time). Besides sanitizer reports, it stops on a broken contract: a name that is empty or not
// UTF-8, a write larger than kMaxChildWrite, a child call with no child open, a child left open
// after ARCHIVUM_OK, text emitted by the container, or an error without a message.
//
// Seeds (corpus/fuzz_archive/): small archives of each format written by
// tests/support/documents/archive_writer (libarchive's writer), and the two encrypted 7z fixtures
// of tests/plugins_bundled/fixtures/archive/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archive/archive_extractor.h"
#include "archivum/plugin.hpp"
#include "common/utf8.h"

namespace {

using archivum::bundled::SanitizeUtf8;
using archivum::bundled::archives::ExtractMembers;
using archivum::bundled::archives::kMaxChildWrite;

constexpr uint64_t kChildBudget = uint64_t{256} << 10;
constexpr uint64_t kTotalBudget = uint64_t{4} << 20;
constexpr int kMaxChildren = 256;

[[noreturn]] void Broken(const char* what) {
  std::fprintf(stderr, "fuzz_archive: broken contract: %s\n", what);
  std::abort();
}

std::string_view View(archivum_str s) {
  return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size);
}

void CheckText(archivum_str s, const char* what) {
  if (s.size > 0 && s.data == nullptr) Broken(what);
  if (SanitizeUtf8(View(s)) != View(s)) Broken(what);
}

struct FuzzSink {
  bool open = false;
  bool dropped = false;
  int children = 0;
  uint64_t child_bytes = 0;
  uint64_t total_bytes = 0;

  static FuzzSink* Self(void* ctx) { return static_cast<FuzzSink*>(ctx); }

  archivum_sink Table() {
    archivum_sink t{};
    t.struct_size = sizeof(t);
    t.ctx = this;
    t.emit_finding = [](void*, archivum_str key, archivum_str value) -> archivum_rc {
      if (key.size == 0) Broken("empty finding key");
      CheckText(key, "finding key not UTF-8");
      CheckText(value, "finding value not UTF-8");
      return ARCHIVUM_OK;
    };
    t.emit_text = [](void*, archivum_str) -> archivum_rc { Broken("the container emitted text"); };
    t.emit_tag = [](void*, archivum_str tag) -> archivum_rc {
      if (tag.size == 0) Broken("empty tag");
      CheckText(tag, "tag not UTF-8");
      return ARCHIVUM_OK;
    };
    t.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      Broken("a member given whole instead of streamed");
    };
    t.set_mime = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_INVALID_ARGUMENT; };
    t.log = [](void*, archivum_log_level, archivum_str) {};
    t.begin_child = [](void* ctx, archivum_str name) -> archivum_rc {
      FuzzSink* self = Self(ctx);
      if (self->open) Broken("begin_child with a child open");
      if (name.size == 0) Broken("empty member name");
      CheckText(name, "member name not UTF-8");
      if (self->children >= kMaxChildren || self->total_bytes >= kTotalBudget) {
        return ARCHIVUM_RESOURCE_EXHAUSTED;
      }
      ++self->children;
      self->open = true;
      self->dropped = false;
      self->child_bytes = 0;
      return ARCHIVUM_OK;
    };
    t.write_child = [](void* ctx, archivum_bytes bytes) -> archivum_rc {
      FuzzSink* self = Self(ctx);
      if (!self->open) Broken("write_child without a child");
      if (bytes.size > kMaxChildWrite) Broken("write larger than kMaxChildWrite");
      if (bytes.size > 0 && bytes.data == nullptr) Broken("write of NULL data");
      if (self->dropped) Broken("write_child after the child was refused");
      if (self->child_bytes + bytes.size > kChildBudget ||
          self->total_bytes + bytes.size > kTotalBudget) {
        self->dropped = true;
        return ARCHIVUM_RESOURCE_EXHAUSTED;
      }
      self->child_bytes += bytes.size;
      self->total_bytes += bytes.size;
      return ARCHIVUM_OK;
    };
    t.child_finding = [](void* ctx, archivum_str key, archivum_str value) -> archivum_rc {
      if (!Self(ctx)->open) Broken("child_finding without a child");
      if (key.size == 0) Broken("empty child finding key");
      CheckText(key, "child finding key not UTF-8");
      CheckText(value, "child finding value not UTF-8");
      return ARCHIVUM_OK;
    };
    t.child_tag = [](void* ctx, archivum_str tag) -> archivum_rc {
      if (!Self(ctx)->open) Broken("child_tag without a child");
      if (tag.size == 0) Broken("empty child tag");
      return ARCHIVUM_OK;
    };
    t.end_child = [](void* ctx) -> archivum_rc {
      FuzzSink* self = Self(ctx);
      if (!self->open) Broken("end_child without a child");
      self->open = false;
      return self->dropped ? ARCHIVUM_RESOURCE_EXHAUSTED : ARCHIVUM_OK;
    };
    t.emit_preview = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      Broken("the archive plugin emitted a preview");
    };
    t.emit_text_as = [](void*, archivum_str, archivum_str) -> archivum_rc {
      Broken("the archive plugin emitted text with a kind");
    };
    return t;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kName = "fuzz.tar.gz";
  archivum_file file{};
  file.struct_size = sizeof(file);
  file.path = {kName.data(), kName.size()};
  file.display_name = file.path;
  file.size = size;
  file.bytes = {data, size};
  file.deadline_ns = INT64_MAX;
  file.is_cancelled = [](void*) -> int32_t { return 0; };

  FuzzSink recorder;
  const archivum_sink table = recorder.Table();
  const archivum::sdk::File f(&file);
  archivum::sdk::Sink sink(&table);
  std::string error;
  const archivum_rc rc =
      archivum::sdk::detail::Guard(error, [&] { return ExtractMembers(f, sink); });
  if (rc == ARCHIVUM_OK) {
    if (recorder.open) Broken("ARCHIVUM_OK with a child left open");
  } else if (rc == ARCHIVUM_ERROR) {
    if (error.empty()) Broken("ARCHIVUM_ERROR without a message");
  } else {
    Broken("unexpected return code");
  }
  return 0;
}
