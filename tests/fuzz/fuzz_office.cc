// libFuzzer harness for the office plugin (plugins/office/): Process on the input as the bytes of
// a file, into a sink that checks what the host would check. The detected MIME type is chosen by
// the input's size (one of the seven office types, or none), so every reader is reached both
// through the type and through what the package says it is. Small limits keep a decompression
// bomb cheap.
//
// Besides sanitizer reports, it stops on a broken contract: text, a finding, a tag or a failure's
// message that is not well-formed UTF-8, a finding key outside the metadata vocabulary, a time or
// count that is not in the vocabulary's form, a tag other than "encrypted", a child (an office
// document has none), an error without "not a readable ..." as its message, input of an office
// type declined unless it is a compound file, or any exception but sdk::Error.
//
// Seeds (corpus/fuzz_office/): small documents of each format written by
// tests/support/documents/office_writer, deflated as producers write them and with every member
// stored (so that mutations reach the XML), and an encrypted OOXML compound file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"
#include "common/utf8.h"
#include "office/office_extractor.h"

namespace {

namespace office = archivum::bundled::office;

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "fuzz_office: broken contract: %s\n", what.c_str());
  std::abort();
}

std::string_view View(archivum_str s) {
  return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size);
}

void CheckUtf8(archivum_str s, const char* what) {
  if (s.size > 0 && s.data == nullptr) Broken(what);
  if (archivum::bundled::SanitizeUtf8(View(s)) != View(s)) Broken(what);
}

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ".
bool VocabularyTime(std::string_view s) {
  const auto digits_at = [s](size_t at, size_t n) { return Digits(s.substr(at, n)); };
  const bool day = s.size() >= 10 && digits_at(0, 4) && s[4] == '-' && digits_at(5, 2) &&
                   s[7] == '-' && digits_at(8, 2);
  if (!day) return false;
  if (s.size() == 10) return true;
  return s.size() == 20 && s[10] == 'T' && digits_at(11, 2) && s[13] == ':' && digits_at(14, 2) &&
         s[16] == ':' && digits_at(17, 2) && s[19] == 'Z';
}

void CheckFinding(std::string_view key, std::string_view value) {
  if (key == "created" || key == "modified") {
    if (!VocabularyTime(value)) Broken("time not in the vocabulary's form: " + std::string(value));
  } else if (key == "pages" || key == "sheets" || key == "slides") {
    if (!Digits(value)) Broken("count not decimal: " + std::string(value));
  } else if (key == "truncated") {
    if (value != "true") Broken("truncated is not \"true\"");
  } else if (key != "title" && key != "author" && key != "subject" && key != "keywords" &&
             key != "language" && key != "creator") {
    Broken("finding key outside the vocabulary: " + std::string(key));
  }
  if (value.empty()) Broken("empty finding value");
}

archivum_sink Sink() {
  archivum_sink t{};
  t.struct_size = sizeof(t);
  t.emit_finding = [](void*, archivum_str key, archivum_str value) -> archivum_rc {
    CheckUtf8(key, "finding key not UTF-8");
    CheckUtf8(value, "finding value not UTF-8");
    CheckFinding(View(key), View(value));
    return ARCHIVUM_OK;
  };
  t.emit_text = [](void*, archivum_str text) -> archivum_rc {
    CheckUtf8(text, "text not UTF-8");
    if (text.size > (size_t{64} << 10)) Broken("a text piece over 64 KiB");
    return ARCHIVUM_OK;
  };
  t.emit_tag = [](void*, archivum_str tag) -> archivum_rc {
    if (View(tag) != "encrypted") Broken("a tag other than encrypted");
    return ARCHIVUM_OK;
  };
  t.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
    Broken("a child document");
  };
  t.set_mime = [](void*, archivum_str) -> archivum_rc { Broken("set_mime from an extractor"); };
  t.log = [](void*, archivum_log_level, archivum_str) {};
  t.begin_child = [](void*, archivum_str) -> archivum_rc { Broken("a child document"); };
  t.write_child = [](void*, archivum_bytes) -> archivum_rc { Broken("a child document"); };
  t.child_finding = [](void*, archivum_str, archivum_str) -> archivum_rc {
    Broken("a child document");
  };
  t.child_tag = [](void*, archivum_str) -> archivum_rc { Broken("a child document"); };
  t.end_child = [](void*) -> archivum_rc { Broken("a child document"); };
  t.emit_preview = [](void*, archivum_str mime, archivum_bytes bytes) -> archivum_rc {
    // The thumbnail helper's contract: a WebP within the host's bound.
    const std::string_view b(reinterpret_cast<const char*>(bytes.data), bytes.size);
    if (View(mime) != "image/webp" || b.size() < 12 || b.substr(0, 4) != "RIFF" ||
        b.substr(8, 4) != "WEBP" || b.size() > 512 * 1024) {
      Broken("a preview that is not a WebP within 512 KiB");
    }
    return ARCHIVUM_OK;
  };
  t.emit_text_as = [](void*, archivum_str, archivum_str) -> archivum_rc {
    Broken("text with a kind");
  };
  return t;
}

constexpr const char* kMimes[] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/epub+zip",
    "",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const office::Options options = [] {
    office::Options o;
    o.max_text = 256 << 10;
    o.max_part_size = 1 << 20;
    o.max_total_size = 4 << 20;
    return o;
  }();
  const std::string_view mime = kMimes[size % std::size(kMimes)];
  archivum_file file{};
  file.struct_size = sizeof(file);
  file.path = {"fuzz", 4};
  file.display_name = file.path;
  file.size = size;
  file.mime = {mime.data(), mime.size()};
  file.bytes = {data, size};
  file.deadline_ns = INT64_MAX;
  file.is_cancelled = [](void*) -> int32_t { return 0; };
  const archivum_sink table = Sink();
  archivum::sdk::File f(&file);
  archivum::sdk::Sink sink(&table);
  try {
    if (office::Process(f, sink, options) != ARCHIVUM_OK) Broken("Process returned a failure");
  } catch (const archivum::sdk::Error& e) {
    const std::string_view message = e.what();
    if (archivum::bundled::SanitizeUtf8(message) != message) Broken("failure message not UTF-8");
    if (e.code() == ARCHIVUM_UNSUPPORTED) {
      // Declined: a compound file, or input of no office type that is no office package.
      if (!mime.empty() && (size < 8 || data[0] != 0xD0)) Broken("declined an office type");
    } else if (e.code() != ARCHIVUM_ERROR || message.rfind("not a readable ", 0) != 0) {
      Broken("failure " + std::to_string(e.code()) + ": " + std::string(message));
    }
  } catch (const std::exception& e) {
    Broken(std::string("exception: ") + e.what());
  }
  return 0;
}
