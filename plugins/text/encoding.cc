#include "text/encoding.h"

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/utf8.h"

namespace archivum::bundled::text {
namespace {

constexpr size_t kPollBytes = size_t{1} << 20;
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The index of the first byte in [i, end) that is >= 0x80 or NUL, or `end`: eight bytes at a
// time while they are all plain ASCII.
size_t SkipPlainAscii(std::string_view s, size_t i, size_t end) {
  while (i + 8 <= end) {
    const uint64_t v = Load8(s.data() + i);
    // (v - ones) & ~v & high is non-zero exactly when some byte of v is 0; v & high when some
    // byte is >= 0x80. Either way the block is not plain ASCII.
    if (((v | ((v - kOnes) & ~v)) & kHighBits) != 0) break;
    i += 8;
  }
  while (i < end && static_cast<uint8_t>(s[i]) < 0x80 && s[i] != '\0') ++i;
  return i;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\r\n\f");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\n\f") - begin + 1);
}

// Where browsers decode differently from the ICU converter a label opens (the WHATWG Encoding
// Standard's mapping of labels to decoders), keyed by ICU's canonical converter name. An empty
// `name` keeps the label's standard name.
struct WhatwgDecoding {
  std::string_view icu;
  std::string_view name;
  std::string_view decoder;
};
constexpr WhatwgDecoding kWhatwgDecodings[] = {
    {"ISO-8859-1", "", "windows-1252"},
    {"US-ASCII", "", "windows-1252"},
    {"ibm-920_P100-1995", "", "windows-1254"},  // iso-8859-9
    {"iso-8859_11-2001", "", "windows-874"},
    {"ibm-970_P110_P110-2006_U2", "euc-kr", "windows-949"},
    {"windows-949-2000", "euc-kr", "windows-949"},
    {"ibm-1383_P110-1999", "", "gb18030"},  // gb2312
    {"windows-936-2000", "", "gb18030"},    // gbk
};

bool IsUnicode(const Encoding& e) {
  return e.converter.starts_with("UTF-") || e.converter.starts_with("UTF16") ||
         e.converter.starts_with("UTF32");
}

Encoding PassThrough(const Utf8Scan& scan, size_t bom) {
  Encoding e;
  e.name = scan.ascii && bom == 0 ? "us-ascii" : "utf-8";
  if (scan.nul || !scan.valid) e.converter = "UTF-8";  // drops NULs, replaces invalid sequences
  e.bom = bom;
  return e;
}

// True if the NULs of `probe` all sit at even offsets or all at odd ones, as in UTF-16 text of
// mostly Latin script. Only then is the detector asked whether binary-looking content is UTF-16:
// that spares it every binary file, on which it is slow (tens of ms per 64 KiB of noise).
bool NulsAlternate(std::string_view probe) {
  bool even = false;
  bool odd = false;
  for (size_t i = probe.find('\0'); i != std::string_view::npos; i = probe.find('\0', i + 1)) {
    (i % 2 == 0 ? even : odd) = true;
  }
  return even != odd;
}

// The UTF-8 of text with a few ill-formed bytes (a stray Latin-1 letter, a damaged sequence):
// uchardet's verdict on UTF-8 is all or nothing, and one such byte makes it name some legacy
// charset, which would garble all the rest.
bool MostlyUtf8(std::string_view window) {
  size_t well_formed = 0;  // multi-byte sequences
  size_t ill_formed = 0;
  size_t i = 0;
  while (i < window.size()) {
    i = SkipPlainAscii(window, i, window.size());
    if (i >= window.size()) break;
    if (window[i] == '\0') {
      ++i;
      continue;
    }
    const Utf8Step step = DecodeUtf8(window.substr(i));
    if (step.valid) {
      ++well_formed;
    } else if (!step.incomplete) {  // one cut off by the end of the window does not count
      ++ill_formed;
    }
    i += step.length;
  }
  return well_formed >= kMostlyUtf8Ratio * std::max<size_t>(ill_formed, 1);
}

}  // namespace

std::optional<Encoding> FromBom(std::string_view content) {
  if (content.starts_with(std::string_view("\xFF\xFE\0\0", 4))) {
    return Encoding{"utf-32le", "UTF-32LE", 4};
  }
  if (content.starts_with(std::string_view("\0\0\xFE\xFF", 4))) {
    return Encoding{"utf-32be", "UTF-32BE", 4};
  }
  if (content.starts_with("\xFF\xFE")) return Encoding{"utf-16le", "UTF-16LE", 2};
  if (content.starts_with("\xFE\xFF")) return Encoding{"utf-16be", "UTF-16BE", 2};
  if (content.starts_with("\xEF\xBB\xBF")) return Encoding{"utf-8", "UTF-8", 3};
  return std::nullopt;
}

std::optional<Encoding> FromLabel(std::string_view label) {
  std::string key = Lower(Trim(label));
  if (key.empty() || key.size() > 64 || key.find('\0') != std::string::npos) return std::nullopt;
  if (key == "uhc") key = "windows-949";  // uchardet's name for it; ICU does not know it
  UErrorCode error = U_ZERO_ERROR;
  UConverter* converter = ucnv_open(key.c_str(), &error);
  if (U_FAILURE(error) || converter == nullptr) return std::nullopt;
  Encoding e;
  e.converter = ucnv_getName(converter, &error);
  ucnv_close(converter);
  if (U_FAILURE(error)) return std::nullopt;
  const char* standard = nullptr;
  for (const char* kind : {"MIME", "IANA"}) {
    UErrorCode lookup = U_ZERO_ERROR;
    standard = ucnv_getStandardName(key.c_str(), kind, &lookup);
    if (U_SUCCESS(lookup) && standard != nullptr) break;
  }
  e.name = Lower(standard != nullptr ? std::string_view(standard) : std::string_view(key));
  for (const WhatwgDecoding& d : kWhatwgDecodings) {
    if (e.converter != d.icu) continue;
    e.converter = d.decoder;
    if (!d.name.empty()) e.name = d.name;
    break;
  }
  return e;
}

std::string_view DetectionWindow(std::string_view content) {
  size_t first = 0;
  while (first < content.size() && static_cast<uint8_t>(content[first]) < 0x80) {
    first = SkipPlainAscii(content, first, content.size());
    if (first < content.size() && content[first] == '\0') ++first;
  }
  if (first == content.size()) first = 0;
  return content.substr(first, kDetectionWindow);
}

std::optional<Encoding> Detect(std::string_view window) {
  const std::unique_ptr<uchardet, decltype(&uchardet_delete)> detector(uchardet_new(),
                                                                       &uchardet_delete);
  if (detector == nullptr) return std::nullopt;
  if (uchardet_handle_data(detector.get(), window.data(), window.size()) != 0) return std::nullopt;
  uchardet_data_end(detector.get());
  const char* name = uchardet_get_charset(detector.get());
  if (name == nullptr || *name == '\0') return std::nullopt;
  return FromLabel(name);
}

std::optional<Utf8Scan> ScanUtf8(std::string_view s, bool complete,
                                 const std::function<bool()>& cancelled) {
  Utf8Scan scan;
  size_t next_poll = kPollBytes;
  size_t i = 0;
  while (i < s.size()) {
    if (i >= next_poll) {
      if (cancelled && cancelled()) return std::nullopt;
      next_poll = i + kPollBytes;
    }
    const size_t limit = std::min(s.size(), next_poll);
    i = SkipPlainAscii(s, i, limit);
    if (i >= limit) continue;
    if (s[i] == '\0') {
      scan.nul = true;
      ++i;
      continue;
    }
    scan.ascii = false;
    const Utf8Step step = DecodeUtf8(s.substr(i));
    if (!step.valid) {
      if (step.incomplete && !complete) break;  // cut off by the end of a prefix
      scan.valid = false;
      return scan;
    }
    i += step.length;
  }
  if (scan.ascii) scan.escape = std::memchr(s.data(), 0x1B, s.size()) != nullptr;
  return scan;
}

Choice ChooseEncoding(std::string_view content, bool complete,
                      const std::function<std::string()>& declared,
                      const std::function<bool()>& cancelled) {
  Choice choice;
  std::optional<Encoding> bom = FromBom(content);
  if (bom && bom->name != "utf-8") {
    choice.encoding = *bom;
    return choice;
  }
  const std::string_view probe = content.substr(0, kBinaryProbeBytes);
  if (probe.find('\0') != std::string_view::npos) {
    std::optional<Encoding> detected;
    if (NulsAlternate(probe)) detected = Detect(content.substr(0, kDetectionWindow));
    if (detected && IsUnicode(*detected) && detected->name != "utf-8") {
      choice.encoding = *detected;
    } else {
      choice.verdict = Verdict::kBinary;
    }
    return choice;
  }
  const size_t skip = bom ? bom->bom : 0;
  const std::optional<Utf8Scan> scan = ScanUtf8(content.substr(skip), complete, cancelled);
  if (!scan) {
    choice.verdict = Verdict::kCancelled;
    return choice;
  }
  if (bom || (scan->valid && !scan->escape)) {  // a UTF-8 BOM settles it, valid or not
    choice.encoding = PassThrough(*scan, skip);
    return choice;
  }
  if (!scan->valid && MostlyUtf8(DetectionWindow(content))) {
    choice.encoding = PassThrough(*scan, 0);
    return choice;
  }
  if (cancelled && cancelled()) {
    choice.verdict = Verdict::kCancelled;
    return choice;
  }
  if (declared) {
    std::optional<Encoding> stated = FromLabel(declared());
    if (stated && !IsUnicode(*stated)) {
      choice.encoding = *stated;
      return choice;
    }
  }
  std::optional<Encoding> detected = Detect(DetectionWindow(content));
  if (detected && detected->name != "us-ascii" &&
      (!IsUnicode(*detected) || detected->name == "utf-8")) {
    choice.encoding = *detected;
    return choice;
  }
  if (scan->valid) {  // ASCII with an ESC byte that is no ISO-2022 after all
    choice.encoding = PassThrough(*scan, 0);
    return choice;
  }
  choice.encoding = Encoding{"windows-1252", "windows-1252", 0};
  return choice;
}

}  // namespace archivum::bundled::text
