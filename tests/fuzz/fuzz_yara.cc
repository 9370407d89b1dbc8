// libFuzzer harness: the yara plugin's scan (plugins/yara, FileScanner::Scan) of the input as the
// bytes of a file, with a fixed rule set that imports libyara's file-format modules.
//
// The plugin parses nothing itself: what reads the file is libyara, a prebuilt library without
// coverage instrumentation, and above all its modules (pe, elf, macho, dex, dotnet, math, hash,
// magic), which parse the file's structure whenever a rule set imports them, as operators' rule
// sets commonly do. libFuzzer is guided only by the plugin's code, so the seeds (small ELF, PE,
// Mach-O and DEX headers, text) carry the exploration; a crash, hang or sanitizer report inside
// libyara shows up all the same. Contracts checked beyond "no crash, no escaping exception":
// Scan returns OK (there is no deadline and no cancellation); every finding has a key of the
// plugin's (rule, tag, meta.NAME, too_many_matches) and a well-formed UTF-8 value; a rule's tags
// and meta follow its `rule` finding. A broken contract aborts.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archivum/plugin.hpp"
#include "common/utf8.h"
#include "fuzz_contract.h"
#include "yara/file_scanner.h"
#include "yara/rule_set.h"
#include "yara/scan_watch.h"

namespace {

namespace sdk = archivum::sdk;
namespace yara = archivum::bundled::yara;

using archivum::fuzz::Fail;
using archivum::fuzz::ValidUtf8;
using archivum::fuzz::View;

// Rules that make libyara's modules parse every input, and use what they parsed.
constexpr char kRules[] = R"(
import "pe"
import "elf"
import "macho"
import "dex"
import "dotnet"
import "math"
import "hash"
import "magic"

rule pe_file : executable {
  meta:
    format = "PE"
    sections = 1
  condition:
    pe.is_pe and pe.number_of_sections > 0 and
    for any i in (0 .. pe.number_of_sections - 1) : (pe.sections[i].name == ".text") or
    pe.imports("kernel32.dll") or pe.exports("main") or pe.number_of_resources > 0 or
    pe.rich_signature.version(0) > 0 or pe.number_of_signatures > 0
}
rule elf_file : executable {
  condition:
    elf.type == elf.ET_EXEC or elf.number_of_sections > 0 or elf.number_of_segments > 0 or
    for any s in elf.symtab : (s.name == "main") or
    for any d in elf.dynamic : (d.type == elf.DT_NEEDED)
}
rule macho_file { condition: macho.number_of_segments > 0 or macho.entry_point > 0 }
rule dex_file { condition: dex.header.magic contains "dex" or dex.number_of_methods > 0 }
rule dotnet_file { condition: dotnet.is_dotnet and dotnet.number_of_streams > 0 }
rule entropy_high { condition: filesize > 16 and math.entropy(0, filesize) > 7.0 }
rule hashed { condition: filesize < 64 and hash.md5(0, filesize) != "" }
rule magic_text { condition: magic.mime_type() contains "text" }
rule strings_and_counts : text {
  meta:
    note = "caf\xc3\xa9 \xff"
    verified = true
  strings:
    $a = "archivum" nocase wide ascii
    $h = { 4D 5A [2-64] 50 45 00 00 }
    $r = /[a-z]{3,8}@[a-z]{2,8}\.(org|com)/
  condition:
    #a > 1 or $h or $r
}
)";

struct Recorder {
  std::vector<std::pair<std::string, std::string>> findings;

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
    t.emit_text = [](void*, archivum_str) -> archivum_rc { Fail("the yara plugin emitted text"); };
    t.emit_tag = [](void*, archivum_str) -> archivum_rc { Fail("the yara plugin emitted a tag"); };
    t.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      Fail("the yara plugin emitted a child");
    };
    t.set_mime = [](void*, archivum_str) -> archivum_rc {
      Fail("the yara plugin set a MIME type");
    };
    t.log = [](void*, archivum_log_level, archivum_str message) {
      if (!ValidUtf8(View(message))) Fail("log message is not UTF-8");
    };
    return t;
  }
};

void CheckFindings(const Recorder& out) {
  bool in_rule = false;
  for (const auto& [key, value] : out.findings) {
    if (key == "rule") {
      if (value.empty()) Fail("a rule finding without a name");
      in_rule = true;
    } else if (key == "tag" || key.rfind("meta.", 0) == 0) {
      if (!in_rule) Fail(key + " before any rule");
    } else if (key != "too_many_matches") {
      Fail("unexpected finding key " + key);
    }
  }
}

struct Plugin {
  Plugin() {
    const std::string dir =
        std::filesystem::temp_directory_path() / ("fuzz_yara-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::filesystem::path file = std::filesystem::path(dir) / "rules.yar";
    std::ofstream(file) << kRules;
    rules = std::make_unique<yara::RuleSet>(std::vector<std::filesystem::path>{file},
                                            [](const std::string&) {});
    std::filesystem::remove_all(dir);
    watch = std::make_unique<yara::ScanWatch>(std::chrono::milliseconds(10));
    scanner = std::make_unique<yara::FileScanner>(*rules, *watch);
  }
  std::unique_ptr<yara::RuleSet> rules;
  std::unique_ptr<yara::ScanWatch> watch;
  std::unique_ptr<yara::FileScanner> scanner;
};

Plugin& ThePlugin() {
  // Built once: compiling the rules per input would dwarf the scans. Never destroyed, so that no
  // scan can outlive it at exit.
  static Plugin* plugin = new Plugin();
  return *plugin;
}

int32_t NeverCancelled(void*) {
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Plugin& plugin = ThePlugin();
  archivum_file raw{};
  raw.struct_size = sizeof(raw);
  static const char kPath[] = "/fuzz/input.bin";
  raw.path = {kPath, sizeof(kPath) - 1};
  raw.display_name = raw.path;
  raw.size = size;
  raw.bytes = {data, size};
  raw.deadline_ns = INT64_MAX;
  raw.is_cancelled = &NeverCancelled;
  Recorder recorder;
  const archivum_sink table = recorder.Table();
  sdk::File file(&raw);
  sdk::Sink sink(&table);
  try {
    if (plugin.scanner->Scan(file, sink) != ARCHIVUM_OK) Fail("Scan did not return OK");
  } catch (const sdk::Error& e) {
    Fail(std::string("Scan failed: ") + e.what());
  }
  CheckFindings(recorder);
  return 0;
}
