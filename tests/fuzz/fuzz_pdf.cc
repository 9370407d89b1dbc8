// libFuzzer harness: the pdf plugin's extraction (plugins/pdf, PdfExtractor::Process) on the input
// as the bytes of a file, through a minimal recording sink.
//
// poppler itself is a prebuilt library without coverage instrumentation, so libFuzzer is guided
// only by this plugin's code; the seed corpus (real PDFs in several shapes) and the dictionary of
// PDF tokens carry the exploration. Contracts checked beyond "no crash, no sanitizer report, no
// escaping exception": Process returns OK, or throws sdk::Error(ARCHIVUM_ERROR) with a message
// starting "not a readable PDF: "; everything emitted is well-formed UTF-8 (the host refuses
// anything else); findings use the vocabulary's keys with well-formed values; a document tagged
// encrypted carries nothing else. A broken contract aborts.
//
// Seeds (corpus/fuzz_pdf/): documents from tests/support/documents/pdf_writer.h, the largest of
// them rewritten by qpdf 11.3 with object streams and Flate (object_streams.pdf) and linearized
// (linearized.pdf), and the two encrypted fixtures of tests/support/documents/fixtures/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "archivum/plugin.hpp"
#include "common/utf8.h"
#include "fuzz_contract.h"
#include "pdf/pdf_date.h"
#include "pdf/pdf_extractor.h"

namespace {

namespace sdk = archivum::sdk;

using archivum::fuzz::Fail;
using archivum::fuzz::ValidUtf8;
using archivum::fuzz::View;

// What the plugin emitted for one input; refuses malformed output as the host would, and checks
// it on the spot.
struct Recorder {
  std::vector<std::pair<std::string, std::string>> findings;
  std::vector<std::string> tags;
  size_t text_bytes = 0;

  archivum_sink Table() {
    archivum_sink t{};
    t.struct_size = sizeof(t);
    t.ctx = this;
    t.emit_finding = [](void* ctx, archivum_str key, archivum_str value) -> archivum_rc {
      const std::string k = View(key), v = View(value);
      if (k.empty() || !ValidUtf8(k) || !ValidUtf8(v)) Fail("malformed finding " + k);
      static_cast<Recorder*>(ctx)->findings.emplace_back(k, v);
      return ARCHIVUM_OK;
    };
    t.emit_text = [](void* ctx, archivum_str text) -> archivum_rc {
      if (!ValidUtf8(View(text))) Fail("text is not UTF-8");
      static_cast<Recorder*>(ctx)->text_bytes += text.size;
      return ARCHIVUM_OK;
    };
    t.emit_tag = [](void* ctx, archivum_str tag) -> archivum_rc {
      if (tag.size == 0 || !ValidUtf8(View(tag))) Fail("malformed tag");
      static_cast<Recorder*>(ctx)->tags.push_back(View(tag));
      return ARCHIVUM_OK;
    };
    t.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      Fail("the pdf plugin emitted a child");
    };
    t.set_mime = [](void*, archivum_str) -> archivum_rc { Fail("the pdf plugin set a MIME type"); };
    t.log = [](void*, archivum_log_level, archivum_str message) {
      if (!ValidUtf8(View(message))) Fail("log message is not UTF-8");
    };
    t.begin_child = [](void*, archivum_str) -> archivum_rc {
      Fail("the pdf plugin began a child");
    };
    t.write_child = [](void*, archivum_bytes) -> archivum_rc { Fail("write_child"); };
    t.child_finding = [](void*, archivum_str, archivum_str) -> archivum_rc {
      Fail("child_finding");
    };
    t.child_tag = [](void*, archivum_str) -> archivum_rc { Fail("child_tag"); };
    t.end_child = [](void*) -> archivum_rc { Fail("end_child"); };
    t.emit_preview = [](void*, archivum_str mime, archivum_bytes bytes) -> archivum_rc {
      // The thumbnail helper's contract: a WebP within the host's bound.
      const std::string_view b(reinterpret_cast<const char*>(bytes.data), bytes.size);
      if (View(mime) != "image/webp" || b.size() < 12 || b.substr(0, 4) != "RIFF" ||
          b.substr(8, 4) != "WEBP" || b.size() > 512 * 1024) {
        Fail("a preview that is not a WebP within 512 KiB");
      }
      return ARCHIVUM_OK;
    };
    t.emit_text_as = [](void*, archivum_str, archivum_str) -> archivum_rc {
      Fail("text with a kind");
    };
    return t;
  }
};

void CheckFindings(const Recorder& out) {
  static const std::set<std::string> kText = {"title",    "author",  "subject",
                                              "keywords", "creator", "producer"};
  std::set<std::string> seen;
  bool has_pages = false;
  for (const auto& [key, value] : out.findings) {
    if (!seen.insert(key).second) Fail("finding emitted twice: " + key);
    if (key == "pages") {
      has_pages = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos &&
                  value[0] != '0';
      if (!has_pages) Fail("pages is not a positive number: " + value);
    } else if (key == "created" || key == "modified") {
      // "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", a valid one: written back as a PDF date (the
      // digits, in UTC), it normalizes to itself.
      std::string digits;
      for (const char c : value) {
        if (c >= '0' && c <= '9') digits += c;
      }
      const bool day = value.size() == 10 && digits.size() == 8;
      const bool time = value.size() == 20 && digits.size() == 14 && value.back() == 'Z';
      const std::string pdf_date = "D:" + digits + (time ? "Z" : "");
      if ((!day && !time) || archivum::bundled::pdf::NormalizePdfDate(pdf_date) != value) {
        Fail(key + " = " + value);
      }
    } else if (key == "truncated") {
      Fail("truncated without an output limit");
    } else if (kText.count(key) == 0) {
      Fail("finding outside the vocabulary: " + key);
    } else if (value.empty()) {
      Fail("empty finding " + key);
    }
  }
  if (!has_pages) Fail("a document read without a page count");
}

const archivum::bundled::pdf::PdfExtractor& Extractor() {
  static const archivum_host_api api = [] {
    archivum_host_api a{};
    a.struct_size = sizeof(a);
    a.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    a.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    a.plugin_name = {"pdf", 3};
    a.log = [](void*, archivum_log_level, archivum_str) {};
    return a;
  }();
  static const sdk::Host host(&api);
  static const archivum::bundled::pdf::PdfExtractor extractor(host);
  return extractor;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& extractor = Extractor();
  static constexpr char kPath[] = "/fuzz/input.pdf";
  static constexpr char kMime[] = "application/pdf";
  archivum_file file{};
  file.struct_size = sizeof(file);
  file.path = {kPath, sizeof(kPath) - 1};
  file.display_name = file.path;
  file.size = size;
  file.mime = {kMime, sizeof(kMime) - 1};
  file.bytes = {data, size};
  file.deadline_ns = INT64_MAX;
  file.is_cancelled = [](void*) -> int32_t { return 0; };

  Recorder out;
  const archivum_sink table = out.Table();
  sdk::File f(&file);
  sdk::Sink sink(&table);
  archivum_rc rc = ARCHIVUM_OK;
  try {
    rc = extractor.Process(f, sink);
  } catch (const sdk::Error& e) {
    const std::string message = e.what();
    if (e.code() != ARCHIVUM_ERROR || message.rfind("not a readable PDF: ", 0) != 0) {
      Fail("unexpected error " + std::to_string(e.code()) + ": " + message);
    }
    if (!ValidUtf8(message)) Fail("error message is not UTF-8");
    return 0;
  }
  if (rc != ARCHIVUM_OK) Fail("Process returned " + std::to_string(rc));
  if (!out.tags.empty()) {
    if (out.tags != std::vector<std::string>{"encrypted"}) Fail("unexpected tags");
    if (!out.findings.empty() || out.text_bytes != 0) Fail("a locked document emitted content");
    return 0;
  }
  CheckFindings(out);
  return 0;
}
