#include "store/sqlite/facets.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <tuple>
#include <type_traits>
#include <utility>

#include "common/ascii.h"
#include "query/parser.h"

namespace archivum::store::sqlite {
namespace {

// The size bands, smallest first, as shown and as selected (kSizeBandBounds).
struct Band {
  const char* value;
  const char* query;
};
constexpr std::array<Band, 5> kBands = {{
    {"< 10 KiB", "size<10K"},
    {"10 KiB - 1 MiB", "size>=10K size<1M"},
    {"1 MiB - 10 MiB", "size>=1M size<10M"},
    {"10 MiB - 100 MiB", "size>=10M size<100M"},
    {">= 100 MiB", "size>=100M"},
}};

// The document facets: one scan of the matched rows, counted by archivum_facets
// (facet_functions.h) into the reader's context.
constexpr std::string_view kDocumentCounts =
    "SELECT archivum_facets(d.mime, d.ext, d.mtime_ns, d.size) FROM ";

// The metadata keys counted, in the order their facets are returned. The IN list is the WHERE
// clause of the partial index findings_facets (schema.h), written identically so that the
// planner can use it.
constexpr std::array<std::string_view, 6> kMetadataFacets = {
    "author", "language", "creator", "from", "camera_make", "camera_model"};
#define ARCHIVUM_FACET_KEYS \
  "('author', 'language', 'creator', 'from', 'camera_make', 'camera_model')"

constexpr std::string_view kHasMetadata =
    "SELECT EXISTS (SELECT 1 FROM findings WHERE key IN " ARCHIVUM_FACET_KEYS ")";

// The first kMaxFacetValues values of each key by count (ties by value) and the sum of all
// counts, over the matched documents (the subquery appended, closed by kMetadataTail).
constexpr std::string_view kMetadataHead =
    "SELECT key, value, n, lo, hi, total FROM (SELECT key, value, n, lo, hi, sum(n) OVER "
    "(PARTITION BY key) AS total, row_number() OVER (PARTITION BY key ORDER BY n DESC, value) AS "
    "r FROM (SELECT f.key AS key, f.value AS value, count(DISTINCT f.document_id) AS n, "
    "min(f.plugin) AS lo, max(f.plugin) AS hi FROM findings f WHERE f.key IN " ARCHIVUM_FACET_KEYS
    " AND length(f.value) BETWEEN 1 AND 256 AND f.document_id IN (SELECT d.id FROM ";
constexpr std::string_view kMetadataTail = ") GROUP BY 1, 2)) WHERE r <= 20 ORDER BY key, r";
#undef ARCHIVUM_FACET_KEYS
static_assert(kMaxFacetValues == 20 && kMaxFacetValueBytes == 256,
              "kMetadataHead and kMetadataTail spell these out");

// `value` as a filter value of the query language: bare when nothing in it is syntax, else a
// quoted string with '"' and '\' escaped.
std::string QueryValue(std::string_view value) {
  const bool bare = !value.empty() && value.find_first_of(" \t\r\n\f\v\"()\\") == std::string::npos;
  if (bare) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A glob pattern matching `value` literally (mime: is a glob).
std::string LiteralGlob(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '*') {
      out += "[*]";
    } else if (c == '?') {
      out += "[?]";
    } else if (c == '[') {
      out += "[[]";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Date(int year, unsigned month) {
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-01", year, month);
  return out;
}

// Values with their counts, listed as the Facet contract says: most frequent first (ties by
// value), or by value (newest first for dates) when `by_value_desc`.
Facet MakeFacet(std::string name, std::map<std::string, uint64_t> counts, bool by_value_desc) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  if (by_value_desc) {
    std::reverse(sorted.begin(), sorted.end());
  } else {
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  }
  Facet facet;
  facet.name = std::move(name);
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i < kMaxFacetValues) {
      FacetValue v;
      v.query = FacetQuery(facet.name, sorted[i].first);
      v.value = std::move(sorted[i].first);
      v.count = sorted[i].second;
      facet.values.push_back(std::move(v));
    } else {
      facet.other += sorted[i].second;
    }
  }
  return facet;
}

StatusOr<std::vector<Facet>> Count(Reader& reader, std::string_view from_where,
                                   std::span<const SqlValue> params) {
  Connection& conn = reader.conn;
  DocumentFacetCounts counts;
  {
    reader.facets.counts = &counts;
    Statement scan(conn, std::string(kDocumentCounts) + std::string(from_where));
    Status st = scan.status();
    if (scan.ok()) {
      BindAll(scan, params);
      while (scan.Step()) {
      }
      st = scan.status();
    }
    reader.facets.counts = nullptr;
    if (!st.ok()) return st;
  }
  std::map<std::string, uint64_t> mime, ext, year, month;
  for (auto& [value, n] : counts.mime) {
    if (!value.empty()) mime[AsciiLower(value)] += n;
  }
  for (auto& [value, n] : counts.ext) ext[value] += n;
  for (const auto& [day, n] : counts.days) {
    using namespace std::chrono;
    const year_month_day date{sys_days{days{day}}};
    const int y = static_cast<int>(date.year());
    // Years the query language can write (four digits).
    if (y < 0 || y > 9999) continue;
    char text[32];
    std::snprintf(text, sizeof text, "%04d", y);
    year[text] += n;
    std::snprintf(text, sizeof text, "%04d-%02u", y, static_cast<unsigned>(date.month()));
    month[text] += n;
  }
  const auto& bands = counts.bands;
  static_assert(std::tuple_size_v<std::decay_t<decltype(bands)>> == kBands.size());
  std::vector<Facet> facets;
  auto add = [&facets](Facet f) {
    if (!f.values.empty()) facets.push_back(std::move(f));
  };
  add(MakeFacet("mime", std::move(mime), false));
  add(MakeFacet("extension", std::move(ext), false));
  add(MakeFacet("year", std::move(year), true));
  add(MakeFacet("month", std::move(month), true));
  Facet size;
  size.name = "size";
  for (size_t i = 0; i < kBands.size(); ++i) {
    if (bands[i] > 0) size.values.push_back({kBands[i].value, bands[i], kBands[i].query});
  }
  add(std::move(size));
  if (facets.empty()) return facets;  // nothing matched

  // The metadata facets, when any document of the catalog has such a value (the partial index
  // answers at once; most catalogs of source trees have none).
  {
    Statement has(conn, kHasMetadata);
    if (!has.ok()) return has.status();
    const bool any = has.Step() && has.Int(0) != 0;
    if (!has.status().ok()) return has.status();
    if (!any) return facets;
  }
  Statement meta(conn,
                 std::string(kMetadataHead) + std::string(from_where) + std::string(kMetadataTail));
  if (!meta.ok()) return meta.status();
  BindAll(meta, params);
  std::map<std::string, Facet, std::less<>> by_key;
  while (meta.Step()) {
    const std::string key(meta.TextView(0));
    Facet& f = by_key[key];
    f.name = key;
    FacetValue v;
    v.value = meta.TextView(1);
    v.count = static_cast<uint64_t>(meta.Int(2));
    // Without a field of its own, a key is selected by the PLUGIN.KEY filter of the one plugin
    // that recorded the value, when only one did; its value is a pattern in which '*' is a
    // wildcard that cannot be escaped, so a value holding one has no exact term.
    if (key == "creator" && meta.TextView(3) == meta.TextView(4) &&
        v.value.find('*') == std::string::npos) {
      std::string term = std::string(meta.TextView(3)) + ".creator:" + QueryValue(v.value);
      if (query::Parse(term).ok()) v.query = std::move(term);
    } else {
      v.query = FacetQuery(key, v.value);
    }
    // Rows come ordered by rank; the total repeats on each; other is what the listed leave.
    f.other = static_cast<uint64_t>(meta.Int(5));
    f.values.push_back(std::move(v));
  }
  if (!meta.status().ok()) return meta.status();
  for (std::string_view key : kMetadataFacets) {
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;
    for (const FacetValue& v : it->second.values) it->second.other -= v.count;
    facets.push_back(std::move(it->second));
  }
  return facets;
}

}  // namespace

std::string FacetQuery(std::string_view facet, std::string_view value) {
  std::string term;
  if (facet == "mime") {
    if (value.empty() || AsciiLower(value) != value) return "";
    term = "mime:" + QueryValue(LiteralGlob(value));
  } else if (facet == "extension") {
    // ext: is an equality test of the lower-cased value, which cannot hold these.
    if (value.find_first_of("/.*?[") != std::string_view::npos || AsciiLower(value) != value) {
      return "";
    }
    term = "ext:" + (value.empty() ? std::string("\"\"") : QueryValue(value));
  } else if (facet == "year" || facet == "month") {
    int y = 0;
    unsigned m = 1;
    const bool is_month = facet == "month";
    if (value.size() != (is_month ? 7u : 4u) ||
        std::sscanf(std::string(value).c_str(), is_month ? "%4d-%2u" : "%4d", &y, &m) !=
            (is_month ? 2 : 1) ||
        y < 0 || m < 1 || m > 12) {
      return "";
    }
    term = "modified>=" + Date(y, m);
    const int next_y = is_month ? (m == 12 ? y + 1 : y) : y + 1;
    const unsigned next_m = is_month ? (m == 12 ? 1 : m + 1) : 1;
    if (next_y <= 9999) term += " modified<" + Date(next_y, next_m);
  } else if (facet == "size") {
    for (const Band& b : kBands) {
      if (value == b.value) return b.query;
    }
    return "";
  } else if (facet == "author") {
    term = "author:" + QueryValue(value);
  } else if (facet == "language") {
    term = "lang:" + QueryValue(value);
  } else if (facet == "from") {
    term = "from:" + QueryValue(value);
  } else if (facet == "camera_make" || facet == "camera_model") {
    term = "camera:" + QueryValue(value);
  } else {
    return "";
  }
  // Whatever the value holds, a term the parser refuses is no term.
  if (!query::Parse(term).ok()) return "";
  return term;
}

StatusOr<std::vector<Facet>> CountFacets(Reader& reader, std::string_view from_where,
                                         std::span<const SqlValue> params) {
  return Count(reader, from_where, params);
}

StatusOr<std::vector<Facet>> CountFacetsOfPaths(Reader& reader,
                                                const std::vector<std::string>& paths) {
  Connection& conn = reader.conn;
  if (paths.size() > Catalog::kMaxFacetPaths) {
    return InvalidArgument("facets of " + std::to_string(paths.size()) +
                           " documents were asked; at most " +
                           std::to_string(Catalog::kMaxFacetPaths) + " are counted");
  }
  ReadTransaction txn(conn);
  ARCHIVUM_RETURN_IF_ERROR(txn.status());
  // The documents' ids as a JSON array of integers: a set json_each can bind as one parameter,
  // whatever bytes the paths hold.
  std::string ids = "[";
  {
    Statement find(conn, "SELECT id FROM documents WHERE path = ?1");
    if (!find.ok()) return find.status();
    for (const std::string& path : paths) {
      find.Bind(1, path);
      if (find.Step()) {
        if (ids.size() > 1) ids += ',';
        ids += std::to_string(find.Int(0));
      }
      if (!find.status().ok()) return find.status();
      find.Reset();
    }
  }
  ids += ']';
  const SqlValue param = std::move(ids);
  return Count(reader, "documents d WHERE d.id IN (SELECT value FROM json_each(?1))",
               std::span<const SqlValue>(&param, 1));
}

}  // namespace archivum::store::sqlite
