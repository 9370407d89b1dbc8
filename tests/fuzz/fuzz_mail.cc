// libFuzzer harness: the mail plugin's logic (plugins/mail, GMime 3) on the input as a message
// and as an mbox, through a minimal recording sink like the host's.
//
// Contracts checked beyond "no crash, no sanitizer report, no escaping exception, no leak":
// ProcessMail returns OK, or fails with an sdk::Error of code ERROR or RESOURCE_EXHAUSTED and a
// message (never CANCELLED: nothing cancels; never UNSUPPORTED for the types given); every
// string it emits is valid UTF-8 and every key, tag and child name non-empty; children are
// opened one at a time and closed again; nothing is written to a child the sink refused. The
// message run gives the sink small limits, as a host does, to reach the refusal paths. A broken
// contract aborts.
//
// The seed corpus (corpus/fuzz_mail/) is hand-written for this project: small messages and
// mboxes covering MIME structures, transfer encodings, charsets and encoded words.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"
#include "common/mail_sniff.h"
#include "common/utf8.h"
#include "mail/mail_extractor.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "contract broken: %s\n", what.c_str());
  std::abort();
}

std::string_view View(archivum_str s) {
  return {s.data, s.size};
}

void CheckText(archivum_str s, const char* what, bool non_empty) {
  const std::string_view text = View(s);
  if (non_empty && text.empty()) Fail(std::string("empty ") + what);
  if (archivum::bundled::SanitizeUtf8(text) != text) Fail(std::string("invalid UTF-8 in ") + what);
}

// The host's refusals: at most max_children children, max_child_bytes per child, max_text of
// text.
struct FuzzSink {
  size_t max_children = SIZE_MAX;
  size_t max_child_bytes = SIZE_MAX;
  size_t max_text = SIZE_MAX;
  size_t children = 0;
  size_t child_bytes = 0;
  size_t text = 0;
  bool open = false;
  bool dropped = false;

  archivum_sink Make() {
    archivum_sink s{};
    s.struct_size = sizeof(s);
    s.ctx = this;
    s.emit_finding = [](void*, archivum_str key, archivum_str value) -> archivum_rc {
      CheckText(key, "finding key", true);
      CheckText(value, "finding value", false);
      return ARCHIVUM_OK;
    };
    s.emit_text = [](void* ctx, archivum_str text) -> archivum_rc {
      auto* self = static_cast<FuzzSink*>(ctx);
      CheckText(text, "text", false);
      if (self->text + text.size > self->max_text) return ARCHIVUM_RESOURCE_EXHAUSTED;
      self->text += text.size;
      return ARCHIVUM_OK;
    };
    s.emit_tag = [](void*, archivum_str tag) -> archivum_rc {
      CheckText(tag, "tag", true);
      return ARCHIVUM_OK;
    };
    s.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      Fail("emit_child: the mail plugin streams its children");
    };
    s.begin_child = [](void* ctx, archivum_str name) -> archivum_rc {
      auto* self = static_cast<FuzzSink*>(ctx);
      CheckText(name, "child name", true);
      if (self->open) Fail("begin_child while a child is open");
      if (self->children >= self->max_children) return ARCHIVUM_RESOURCE_EXHAUSTED;
      ++self->children;
      self->open = true;
      self->dropped = false;
      self->child_bytes = 0;
      return ARCHIVUM_OK;
    };
    s.write_child = [](void* ctx, archivum_bytes bytes) -> archivum_rc {
      auto* self = static_cast<FuzzSink*>(ctx);
      if (!self->open) Fail("write_child without an open child");
      if (self->dropped) Fail("write_child after the child was refused");
      self->child_bytes += bytes.size;
      if (self->child_bytes > self->max_child_bytes) {
        self->dropped = true;
        return ARCHIVUM_RESOURCE_EXHAUSTED;
      }
      return ARCHIVUM_OK;
    };
    s.child_finding = [](void*, archivum_str, archivum_str) -> archivum_rc { return ARCHIVUM_OK; };
    s.child_tag = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_OK; };
    s.end_child = [](void* ctx) -> archivum_rc {
      auto* self = static_cast<FuzzSink*>(ctx);
      if (!self->open) Fail("end_child without an open child");
      self->open = false;
      return self->dropped ? ARCHIVUM_RESOURCE_EXHAUSTED : ARCHIVUM_OK;
    };
    s.emit_preview = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      Fail("the mail plugin emitted a preview");
    };
    s.emit_text_as = [](void*, archivum_str, archivum_str) -> archivum_rc {
      Fail("the mail plugin emitted text with a kind");
    };
    s.set_mime = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_INVALID_ARGUMENT; };
    s.log = [](void*, archivum_log_level, archivum_str) {};
    return s;
  }
};

int32_t NeverCancelled(void*) {
  return 0;
}

void Run(std::string_view bytes, const char* mime, FuzzSink& recorder) {
  archivum_file file{};
  file.struct_size = sizeof(file);
  file.path = {"/fuzz/input", 11};
  file.display_name = file.path;
  file.size = bytes.size();
  file.mime = {mime, std::char_traits<char>::length(mime)};
  file.bytes = {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
  file.deadline_ns = INT64_MAX;
  file.is_cancelled = &NeverCancelled;
  const archivum_sink sink = recorder.Make();
  archivum::sdk::File f(&file);
  archivum::sdk::Sink s(&sink);
  archivum::bundled::mail::MessageOptions options;
  options.max_text = 1 << 20;
  try {
    const archivum_rc rc = archivum::bundled::mail::ProcessMail(f, s, options);
    if (rc != ARCHIVUM_OK) Fail(std::string(mime) + ": returned " + std::to_string(rc));
  } catch (const archivum::sdk::Error& e) {
    if (e.code() != ARCHIVUM_ERROR && e.code() != ARCHIVUM_RESOURCE_EXHAUSTED) {
      Fail(std::string(mime) + ": error code " + std::to_string(e.code()) + ": " + e.what());
    }
    if (std::string_view(e.what()).empty()) Fail("an error without a message");
    if (archivum::bundled::SanitizeUtf8(e.what()) != e.what()) Fail("invalid UTF-8 in an error");
  }
  if (recorder.open) Fail(std::string(mime) + ": a child left open");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  FuzzSink message;
  message.max_children = 2;
  message.max_child_bytes = 1024;
  message.max_text = 256;
  Run(bytes, "message/rfc822", message);
  FuzzSink mbox;
  Run(bytes, "application/mbox", mbox);
  // The sniffers see every text/plain file the host has; they must hold up to anything.
  archivum::bundled::mail::LooksLikeMbox(bytes);
  archivum::bundled::mail::LooksLikeMessage(bytes);
  return 0;
}
