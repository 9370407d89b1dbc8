#include "api/http/analyze_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>

namespace archivum::api::gateway {
namespace {

namespace pb = ::aichemist_archivum;

constexpr char kHex[] = "0123456789abcdef";

// Bytes copied into a JSON string as they are: printable ASCII but '"', '\\' and '<' '>' (which
// protobuf escapes for HTML safety).
constexpr auto kVerbatim = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x7f; ++c) table[c] = c != '"' && c != '\\' && c != '<' && c != '>';
  return table;
}();

// Appends `s` as a JSON string the way protobuf escapes it, or returns false for non-ASCII text
// (protobuf escapes some code points, drops invalid UTF-8: left to it).
bool AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kVerbatim[c]) continue;
    if (c >= 0x80) return false;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); continue;
      case '\\': out->append("\\\\"); continue;
      case '\b': out->append("\\b"); continue;
      case '\f': out->append("\\f"); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
      default: break;
    }
    // Other controls, DEL, '<' and '>' as \u00XX.
    out->append("\\u00");
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 0xf]);
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
  return true;
}

// 64-bit integers are strings in the proto3 JSON mapping.
template <typename Int>
void AppendQuotedInt(Int v, std::string* out) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->push_back('"');
  out->append(buf, res.ptr);
  out->push_back('"');
}

// protobuf's SimpleDtoa: the shortest of %.15g and %.17g that reads back as `v`. False for
// NaN and infinities (printed as strings by protobuf: left to it).
bool AppendDouble(double v, std::string* out) {
  if (!std::isfinite(v)) return false;
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 15);
  if (res.ec != std::errc()) return false;
  double back = 0;
  const auto parsed = std::from_chars(buf, res.ptr, back);
  if (parsed.ec != std::errc() || back != v) {
    res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
    if (res.ec != std::errc()) return false;
  }
  out->append(buf, res.ptr);
  return true;
}

bool AppendFinding(const pb::Finding& f, std::string* out) {
  out->append("{\"plugin\":");
  if (!AppendString(f.plugin(), out)) return false;
  out->append(",\"key\":");
  if (!AppendString(f.key(), out)) return false;
  out->append(",\"value\":");
  if (!AppendString(f.value(), out)) return false;
  out->push_back('}');
  return true;
}

bool AppendMetadataEntry(const pb::MetadataEntry& m, std::string* out) {
  out->append("{\"key\":");
  if (!AppendString(m.key(), out)) return false;
  out->append(",\"value\":");
  if (!AppendString(m.value(), out)) return false;
  out->push_back('}');
  return true;
}

bool AppendHit(const pb::Hit& h, std::string* out) {
  out->append("{\"path\":");
  if (!AppendString(h.path(), out)) return false;
  out->append(",\"score\":");
  if (!AppendDouble(h.score(), out)) return false;
  out->append(",\"snippet\":");
  if (!AppendString(h.snippet(), out)) return false;
  out->append(",\"mime\":");
  if (!AppendString(h.mime(), out)) return false;
  out->append(",\"size\":");
  AppendQuotedInt(h.size(), out);
  out->append(",\"mtimeNs\":");
  AppendQuotedInt(h.mtime_ns(), out);
  out->append(",\"findings\":[");
  for (int i = 0; i < h.findings_size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!AppendFinding(h.findings(i), out)) return false;
  }
  out->append("],\"metadata\":[");
  for (int i = 0; i < h.metadata_size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!AppendMetadataEntry(h.metadata(i), out)) return false;
  }
  out->append("]}");
  return true;
}

bool AppendFacet(const pb::Facet& f, std::string* out) {
  out->append("{\"name\":");
  if (!AppendString(f.name(), out)) return false;
  out->append(",\"values\":[");
  for (int i = 0; i < f.values_size(); ++i) {
    const pb::FacetValue& v = f.values(i);
    if (i > 0) out->push_back(',');
    out->append("{\"value\":");
    if (!AppendString(v.value(), out)) return false;
    out->append(",\"count\":");
    AppendQuotedInt(v.count(), out);
    out->append(",\"query\":");
    if (!AppendString(v.query(), out)) return false;
    out->push_back('}');
  }
  out->append("],\"other\":");
  AppendQuotedInt(f.other(), out);
  out->push_back('}');
  return true;
}

// A cursor over a JSON text for the strict subset ParseAnalyzeRequestJson accepts.
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  void SkipSpace() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool AtEnd() const { return i_ == s_.size(); }
  bool Consume(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  // A string of printable ASCII with the short escapes; nullopt for anything else.
  std::optional<std::string> String() {
    if (!Consume('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return out;
      if (c < 0x20 || c >= 0x80) return std::nullopt;
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (i_ == s_.size()) return std::nullopt;
      switch (s_[i_++]) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        default: return std::nullopt;  // \u and invalid escapes
      }
    }
    return std::nullopt;
  }

  // The literal true or false.
  std::optional<bool> Bool() {
    for (const bool v : {true, false}) {
      const std::string_view word = v ? "true" : "false";
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return v;
      }
    }
    return std::nullopt;
  }

  // A JSON integer in uint32 range without sign, fraction, exponent or leading zeros.
  std::optional<uint32_t> Uint32() {
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    const std::string_view digits = s_.substr(start, i_ - start);
    if (digits.empty() || digits.size() > 10 || (digits.size() > 1 && digits[0] == '0')) {
      return std::nullopt;
    }
    // What follows must end the number: no fraction or exponent.
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return std::nullopt;
    uint64_t v = 0;
    for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(v);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

bool PrintAnalyzeResponseJson(const pb::AnalyzeResponse& response, std::string* out) {
  // Room for the usual reply (no escapes), so it is written without regrowing.
  size_t estimate = 48;
  for (const auto& r : response.results()) estimate += r.size() + 3;
  for (const auto& f : response.facets()) {
    estimate += 40 + f.name().size();
    for (const auto& v : f.values()) estimate += 40 + v.value().size() + v.query().size();
  }
  for (const auto& h : response.hits()) {
    estimate += 126 + h.path().size() + h.snippet().size() + h.mime().size();
    for (const auto& f : h.findings()) {
      estimate += 36 + f.plugin().size() + f.key().size() + f.value().size();
    }
    for (const auto& m : h.metadata()) estimate += 24 + m.key().size() + m.value().size();
  }
  out->reserve(out->size() + estimate);
  // Fields in number order, as protobuf prints them; unpopulated ones too.
  out->append("{\"results\":[");
  for (int i = 0; i < response.results_size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!AppendString(response.results(i), out)) return false;
  }
  out->append("],\"hits\":[");
  for (int i = 0; i < response.hits_size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!AppendHit(response.hits(i), out)) return false;
  }
  out->append("],\"total\":");
  AppendQuotedInt(response.total(), out);
  out->append(",\"facets\":[");
  for (int i = 0; i < response.facets_size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!AppendFacet(response.facets(i), out)) return false;
  }
  out->append("]}");
  return true;
}

bool ParseAnalyzeRequestJson(std::string_view body, pb::AnalyzeRequest* request) {
  Reader r(body);
  std::optional<std::string> query;
  std::optional<uint32_t> limit;
  std::optional<uint32_t> offset;
  std::optional<pb::AnalyzeRequest::Sort> sort;
  std::optional<bool> facets;
  r.SkipSpace();
  if (!r.Consume('{')) return false;
  r.SkipSpace();
  if (!r.Consume('}')) {
    while (true) {
      r.SkipSpace();
      const auto key = r.String();
      if (!key) return false;
      r.SkipSpace();
      if (!r.Consume(':')) return false;
      r.SkipSpace();
      // Every key at most once: protobuf's handling of repeats is left to protobuf.
      if (*key == "query" && !query) {
        query = r.String();
        if (!query) return false;
      } else if (*key == "limit" && !limit) {
        limit = r.Uint32();
        if (!limit) return false;
      } else if (*key == "offset" && !offset) {
        offset = r.Uint32();
        if (!offset) return false;
      } else if (*key == "sort" && !sort) {
        // By name only, and only a name the enum has: numbers and unknown names go to protobuf.
        const auto name = r.String();
        pb::AnalyzeRequest::Sort value{};
        if (!name || !pb::AnalyzeRequest::Sort_Parse(*name, &value)) return false;
        sort = value;
      } else if (*key == "facets" && !facets) {
        facets = r.Bool();
        if (!facets) return false;
      } else {
        return false;
      }
      r.SkipSpace();
      if (r.Consume('}')) break;
      if (!r.Consume(',')) return false;
    }
  }
  r.SkipSpace();
  if (!r.AtEnd()) return false;
  if (query) request->set_query(std::move(*query));
  if (limit) request->set_limit(*limit);
  if (offset) request->set_offset(*offset);
  if (sort) request->set_sort(*sort);
  if (facets) request->set_facets(*facets);
  return true;
}

}  // namespace archivum::api::gateway
