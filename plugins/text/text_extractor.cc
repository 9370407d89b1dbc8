#include "text/text_extractor.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "common/config.h"
#include "common/utf8.h"
#include "text/encoding.h"
#include "text/html_document.h"
#include "text/utf8_decoder.h"
#include "text/xml_document.h"

namespace archivum::bundled::text {
namespace {

constexpr uint64_t kMaxLimit = uint64_t{1} << 30;
constexpr size_t kPollBytes = size_t{1} << 20;

std::string Essence(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  const size_t begin = mime.find_first_not_of(" \t");
  const size_t end = mime.find_last_not_of(" \t");
  std::string out;
  if (begin == std::string_view::npos) return out;
  for (char c : mime.substr(begin, end - begin + 1)) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// Lines of text whose line ends are the code units `at(i)` of `units` units: LF, CRLF and a lone
// CR each end one, and a last line without an end still counts.
template <class UnitAt>
uint64_t CountLineEnds(size_t units, const UnitAt& at) {
  uint64_t lines = 0;
  bool after_cr = false;
  uint32_t last = '\n';
  for (size_t i = 0; i < units; ++i) {
    const uint32_t u = at(i);
    if (u == '\n') {
      if (!after_cr) ++lines;  // CRLF was counted at its CR
    } else if (u == '\r') {
      ++lines;
    }
    after_cr = u == '\r';
    last = u;
  }
  if (units > 0 && last != '\n' && last != '\r') ++lines;
  return lines;
}

// The lines of `bytes` (after any BOM) in `encoding`, counted on the bytes themselves: in every
// ASCII-compatible encoding CR and LF are the bytes 0x0D and 0x0A and no other character contains
// them; UTF-16 and UTF-32 are counted by code unit.
uint64_t CountLines(std::string_view bytes, const Encoding& encoding) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::string& c = encoding.converter;
  if (c == "UTF-16LE" || c == "UTF-16BE") {
    const bool le = c == "UTF-16LE";
    return CountLineEnds(bytes.size() / 2, [&](size_t i) -> uint32_t {
      return le ? b[2 * i] | (b[2 * i + 1] << 8) : (b[2 * i] << 8) | b[2 * i + 1];
    });
  }
  if (c == "UTF-32LE" || c == "UTF-32BE") {
    const bool le = c == "UTF-32LE";
    return CountLineEnds(bytes.size() / 4, [&](size_t i) -> uint32_t {
      const unsigned char* u = b + 4 * i;
      return le ? u[0] | (u[1] << 8) | (u[2] << 16) | (uint32_t{u[3]} << 24)
                : (uint32_t{u[0]} << 24) | (u[1] << 16) | (u[2] << 8) | u[3];
    });
  }
  if (bytes.find('\r') == std::string_view::npos) {
    // Only LF ends lines (the usual case): a plain count, in blocks of at most 255 bytes so that
    // the compiler vectorizes it with byte-wide counters.
    uint64_t lines = 0;
    for (size_t at = 0; at < bytes.size(); at += 255) {
      const size_t end = std::min(bytes.size(), at + 255);
      uint8_t block = 0;
      for (size_t i = at; i < end; ++i) block += b[i] == '\n' ? 1 : 0;
      lines += block;
    }
    if (!bytes.empty() && bytes.back() != '\n') ++lines;
    return lines;
  }
  return CountLineEnds(bytes.size(), [&](size_t i) -> uint32_t { return b[i]; });
}

// Passes text on to the sink in pieces, up to max_text bytes in all, and remembers whether
// anything was left out.
class TextOutput {
 public:
  TextOutput(TextSink& sink, uint64_t max_text) : sink_(sink), room_(max_text) {}

  // Emits `text` (well-formed UTF-8). Returns false once no more text is taken.
  bool Emit(std::string_view text) {
    if (stopped_) return false;
    if (text.size() > room_) {
      text = text.substr(0, Utf8Boundary(text, static_cast<size_t>(room_)));
      truncated_ = stopped_ = true;
    }
    room_ -= text.size();
    if (!EmitInChunks(text, kPieceBytes,
                      [this](std::string_view piece) { return sink_.Text(piece); })) {
      truncated_ = stopped_ = true;
    }
    return !stopped_;
  }
  bool truncated() const { return truncated_; }

 private:
  TextSink& sink_;
  uint64_t room_;
  bool stopped_ = false;
  bool truncated_ = false;
};

// Decodes `bytes` to UTF-8 piece by piece into `output`. False if cancelled.
bool StreamPlain(std::string_view bytes, const Encoding& encoding, bool complete,
                 TextOutput& output, TextSink& sink) {
  Utf8Decoder decoder(bytes, encoding, complete);
  size_t next_poll = kPollBytes;
  for (std::string_view piece = decoder.Next(); !piece.empty(); piece = decoder.Next()) {
    if (decoder.consumed() >= next_poll) {
      next_poll = decoder.consumed() + kPollBytes;
      if (sink.Cancelled()) return false;
    }
    if (!output.Emit(piece)) break;
  }
  return true;
}

// `bytes` decoded to UTF-8 as a whole; std::nullopt if cancelled.
std::optional<std::string> DecodeWhole(std::string_view bytes, const Encoding& encoding,
                                       bool complete, TextSink& sink) {
  Utf8Decoder decoder(bytes, encoding, complete);
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  size_t next_poll = kPollBytes;
  for (std::string_view piece = decoder.Next(); !piece.empty(); piece = decoder.Next()) {
    if (decoder.consumed() >= next_poll) {
      next_poll = decoder.consumed() + kPollBytes;
      if (sink.Cancelled()) return std::nullopt;
    }
    out.append(piece);
  }
  return out;
}

}  // namespace

Options ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json, {"max_bytes", "max_text"});
  Options options;
  options.max_bytes = config.Size("max_bytes", options.max_bytes, 1, kMaxLimit);
  options.max_text = config.Size("max_text", options.max_text, 1, kMaxLimit);
  return options;
}

Format FormatForMime(std::string_view mime) {
  const std::string essence = Essence(mime);
  if (essence == "text/html" || essence == "application/xhtml+xml") return Format::kHtml;
  if (essence == "text/xml" || essence == "application/xml" || essence.ends_with("+xml")) {
    return Format::kXml;
  }
  return Format::kPlain;
}

Outcome ExtractText(std::string_view content, std::string_view mime, const Options& options,
                    TextSink& sink) {
  const bool complete = content.size() <= options.max_bytes;
  if (!complete) content = content.substr(0, static_cast<size_t>(options.max_bytes));
  const Format format = FormatForMime(mime);
  const std::function<bool()> cancelled = [&sink] { return sink.Cancelled(); };
  std::function<std::string()> declared;
  if (format == Format::kHtml) declared = [content] { return HtmlDeclaredCharset(content); };
  if (format == Format::kXml) declared = [content] { return XmlDeclaredCharset(content); };

  const Choice choice = ChooseEncoding(content, complete, declared, cancelled);
  if (choice.verdict == Verdict::kBinary) return Outcome::kBinary;
  if (choice.verdict == Verdict::kCancelled) return Outcome::kCancelled;
  const Encoding& encoding = choice.encoding;
  const std::string_view body = content.substr(encoding.bom);

  TextOutput output(sink, options.max_text);
  DocumentText document;
  bool cut = !complete;
  if (format == Format::kPlain) {
    if (!StreamPlain(body, encoding, complete, output, sink)) return Outcome::kCancelled;
  } else {
    std::optional<DocumentText> read;
    if (format == Format::kHtml) {
      // Decoding more than the HTML reader reads would only cost memory. The UTF-8 of text in an
      // ASCII-compatible charset is about as long as its bytes or longer; from UTF-16 and UTF-32
      // it is up to two and four times shorter.
      const size_t unit = encoding.converter.starts_with("UTF-32")   ? 4
                          : encoding.converter.starts_with("UTF-16") ? 2
                                                                     : 1;
      std::string_view raw = body;
      bool whole = complete;
      if (const size_t max = MaxHtmlInput(); raw.size() / unit > max) {
        raw = raw.substr(0, max * unit);
        whole = false;
        cut = true;
      }
      std::optional<std::string> decoded;
      std::string_view html = whole ? raw : raw.substr(0, CompleteUtf8Prefix(raw));
      if (!encoding.converter.empty()) {
        decoded = DecodeWhole(raw, encoding, whole, sink);
        if (!decoded) return Outcome::kCancelled;
        html = *decoded;
      }
      read = ReadHtml(html, cancelled);
    } else {
      read = ReadXml(body, encoding, complete, static_cast<size_t>(options.max_text), cancelled);
    }
    if (!read || sink.Cancelled()) return Outcome::kCancelled;
    document = std::move(*read);
    output.Emit(document.text);
  }

  sink.Finding("charset", encoding.name);
  sink.Finding("lines", std::to_string(CountLines(body, encoding)));
  for (const auto& [key, value] : document.metadata) sink.Finding(key, value);
  if (cut || output.truncated() || document.truncated) sink.Finding("truncated", "true");
  return Outcome::kText;
}

bool EmitInChunks(std::string_view text, size_t chunk_size,
                  const std::function<bool(std::string_view)>& emit) {
  chunk_size = std::max<size_t>(chunk_size, 4);  // room for the longest character
  while (!text.empty()) {
    size_t n = text.size() <= chunk_size ? text.size() : Utf8Boundary(text, chunk_size);
    if (n == 0) n = std::min(text.size(), chunk_size);  // not UTF-8 after all; never loop forever
    if (!emit(text.substr(0, n))) return false;
    text.remove_prefix(n);
  }
  return true;
}

}  // namespace archivum::bundled::text
