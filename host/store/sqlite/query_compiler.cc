#include "store/sqlite/query_compiler.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

#include "store/sqlite/fts_expression.h"
#include "store/sqlite/geo.h"
#include "store/sqlite/metadata_text.h"

namespace archivum::store::sqlite {
namespace {

using query::Comparison;
using query::Field;
using query::Filter;
using query::FindingFilter;
using query::Node;
using query::NodeKind;

constexpr std::string_view kRankedColumns =
    "d.id, d.path, d.size, d.mtime_ns, d.mime, -bm25(texts, 4.0, 1.0) AS score, "
    "snippet(texts, 1, '[', ']', '…', 12) AS snippet";
// Ranked rows in another order: the score (archivum_rank: the same BM25 as above, cheaper per
// row) breaks ties of the sort key; snippets are quoted for the page alone afterwards.
constexpr std::string_view kSortedRankedColumns =
    "d.id, d.path, d.size, d.mtime_ns, d.mime, archivum_rank(texts, 4.0, 1.0) AS score, "
    "'' AS snippet";
constexpr std::string_view kUnrankedColumns =
    "d.id, d.path, d.size, d.mtime_ns, d.mime, 0.0 AS score, '' AS snippet";

std::string_view SqlOperator(Comparison op) {
  switch (op) {
    case Comparison::kEq: return "=";
    case Comparison::kLt: return "<";
    case Comparison::kLe: return "<=";
    case Comparison::kGt: return ">";
    case Comparison::kGe: return ">=";
  }
  return "=";
}

// A finding value where only '*' is a wildcard, as a GLOB pattern: '?' and '[' are made literal
// by wrapping them in a one-character class.
std::string FindingGlob(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '?') {
      out += "[?]";
    } else if (c == '[') {
      out += "[[]";
    } else {
      out += c;
    }
  }
  return out;
}

constexpr int64_t kNanosPerDay = int64_t{86400} * 1'000'000'000;

// The string a stored "created" value (ISO 8601 UTC, "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD" for a
// day, which counts as its midnight) is compared with to test `value op instant`, where `ns` is
// the instant. Plain string order gives the right answer with the full time
// "YYYY-MM-DDTHH:MM:SSZ" except for a date-only value on the instant's own day, which sorts
// before every time of that day: for > and <= it is then less than the instant, which is right
// unless the instant is that midnight; for < and >= the instant is then written as the date
// alone (which sorts before every time of its day and after every earlier one), which makes the
// midnight and its date-only value equal. Without `utc` (taken: local times, compared through
// their first 19 characters "YYYY-MM-DDTHH:MM:SS"), the same without the 'Z'.
std::string TimeBound(int64_t ns, Comparison op, bool utc) {
  using namespace std::chrono;
  const sys_time<nanoseconds> t{nanoseconds{ns}};
  const sys_days day = floor<days>(t);
  const year_month_day date{day};
  const hh_mm_ss<seconds> time{floor<seconds>(t - day)};
  const bool date_only = (op == Comparison::kLt || op == Comparison::kGe) &&
                         ((ns % kNanosPerDay) + kNanosPerDay) % kNanosPerDay == 0;
  char out[32];
  if (date_only) {
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  } else {
    std::snprintf(
        out, sizeof out, utc ? "%04d-%02u-%02uT%02d:%02d:%02dZ" : "%04d-%02u-%02uT%02d:%02d:%02d",
        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
        static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
        static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  }
  return out;
}

// The leading ORDER BY term of a sort other than relevance; the name is folded with SQLite's
// lower() (ASCII letters only). No index serves these orders: a query always has a positive
// term, whose index (or FTS match) finds the rows, and SQLite keeps only the best
// LIMIT + OFFSET of them while it sorts, so a page costs one pass over the matches.
std::string_view SortKey(SortOrder sort) {
  switch (sort) {
    case SortOrder::kRelevance: break;
    case SortOrder::kModifiedDesc: return "d.mtime_ns DESC";
    case SortOrder::kModifiedAsc: return "d.mtime_ns";
    case SortOrder::kSizeDesc: return "d.size DESC";
    case SortOrder::kSizeAsc: return "d.size";
    case SortOrder::kNameAsc: return "lower(d.name)";
    case SortOrder::kNameDesc: return "lower(d.name) DESC";
  }
  return "";
}

Status CheckStructure(const Node& node) {
  const size_t n = node.children.size();
  const bool ok = node.kind == NodeKind::kTerm  ? n == 0
                  : node.kind == NodeKind::kNot ? n == 1
                                                : n >= 1;
  if (!ok) return Internal("malformed query tree: node at column " + std::to_string(node.column));
  for (const Node& child : node.children) ARCHIVUM_RETURN_IF_ERROR(CheckStructure(child));
  return Status::Ok();
}

// Free-text members of an AND, split by role; everything else is `rest`.
struct AndParts {
  std::vector<std::string> positives;  // FTS expressions every result matches
  std::vector<std::string> negatives;  // FTS expressions no result matches
  std::vector<const Node*> rest;
};

AndParts SplitAnd(const std::vector<Node>& children) {
  AndParts parts;
  for (const Node& child : children) {
    if (auto expr = FtsExpression(child)) {
      parts.positives.push_back(std::move(*expr));
    } else if (child.kind == NodeKind::kNot) {
      if (auto excluded = FtsExpression(child.children[0])) {
        parts.negatives.push_back(std::move(*excluded));
      } else {
        parts.rest.push_back(&child);
      }
    } else {
      parts.rest.push_back(&child);
    }
  }
  return parts;
}

class Compiler {
 public:
  // Returns the placeholder ("?N") for a new parameter.
  std::string Param(SqlValue value) {
    params_.push_back(std::move(value));
    return "?" + std::to_string(params_.size());
  }

  std::string MatchIn(std::string fts, bool negated) {
    return std::string(negated ? "d.id NOT IN" : "d.id IN") +
           " (SELECT rowid FROM texts WHERE texts MATCH " + Param(std::move(fts)) + ")";
  }

  // A SQL boolean expression for `node`, parenthesized unless atomic.
  std::string Predicate(const Node& node) {
    if (auto fts = FtsExpression(node)) return MatchIn(std::move(*fts), false);
    switch (node.kind) {
      case NodeKind::kTerm:
        if (const auto* f = std::get_if<Filter>(&node.term)) return FilterSql(*f);
        if (const auto* f = std::get_if<FindingFilter>(&node.term)) return FindingSql(*f);
        return "0";  // unreachable: text terms always have an FTS expression
      case NodeKind::kNot: {
        if (auto fts = FtsExpression(node.children[0])) return MatchIn(std::move(*fts), true);
        return "NOT (" + Predicate(node.children[0]) + ")";
      }
      case NodeKind::kAnd: {
        AndParts parts = SplitAnd(node.children);
        std::vector<std::string> sql;
        if (!parts.positives.empty()) {
          sql.push_back(MatchIn(FtsConjunction(parts.positives, parts.negatives), false));
        } else if (!parts.negatives.empty()) {
          sql.push_back(MatchIn(FtsDisjunction(parts.negatives), true));
        }
        for (const Node* child : parts.rest) sql.push_back(Predicate(*child));
        return Join(sql, " AND ");
      }
      case NodeKind::kOr: {
        // Free-text alternatives share one MATCH; placeholders are numbered in text order.
        std::vector<std::string> alternatives;
        std::vector<const Node*> rest;
        for (const Node& child : node.children) {
          if (auto fts = FtsExpression(child)) {
            alternatives.push_back(std::move(*fts));
          } else {
            rest.push_back(&child);
          }
        }
        std::vector<std::string> sql;
        if (!alternatives.empty()) sql.push_back(MatchIn(FtsDisjunction(alternatives), false));
        for (const Node* child : rest) sql.push_back(Predicate(*child));
        return Join(sql, " OR ");
      }
    }
    return "0";
  }

  std::vector<SqlValue> TakeParams() { return std::move(params_); }

 private:
  static std::string Join(const std::vector<std::string>& parts, std::string_view op) {
    if (parts.size() == 1) return parts[0];
    std::string out = "(";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += op;
      out += parts[i];
    }
    return out + ")";
  }

  std::string FilterSql(const Filter& f) {
    switch (f.field) {
      case Field::kMime: return "lower(d.mime) GLOB " + Param(f.text);
      case Field::kName: return "lower(d.name) GLOB " + Param(f.text);
      case Field::kExt: return "d.ext = " + Param(f.text);
      case Field::kSha256: return "d.sha256 = " + Param(f.text);
      case Field::kPath: {
        // Everything starting with "dir/" sorts in ["dir/", "dir0"): '0' follows '/' in ASCII.
        const bool root = f.text == "/";
        const std::string equal = Param(f.text);
        const std::string high = Param(root ? std::string("0") : f.text + "0");
        const std::string low = Param(root ? std::string("/") : f.text + "/");
        // The outer range [dir, dir0) holds the directory and everything under it (and a few
        // siblings such as "dir-old" that the inner test drops): one ordered range scan of the
        // path index, so "ORDER BY d.path LIMIT n" stops after n rows instead of sorting them
        // all (an OR of the two ranges cannot be read in path order).
        return "(d.path >= " + equal + " AND d.path < " + high + " AND (d.path = " + equal +
               " OR d.path >= " + low + "))";
      }
      case Field::kSize: return "d.size " + std::string(SqlOperator(f.op)) + " " + Param(f.number);
      case Field::kModified:
        if (f.op == Comparison::kEq) {
          const std::string start = Param(f.number);
          const std::string end = Param(f.number_end);
          return "(d.mtime_ns >= " + start + " AND d.mtime_ns < " + end + ")";
        }
        return "d.mtime_ns " + std::string(SqlOperator(f.op)) + " " + Param(f.number);
      case Field::kDup:
        return "(d.sha256 != '' AND d.sha256 IN (SELECT sha256 FROM documents "
               "WHERE sha256 != '' GROUP BY sha256 HAVING count(*) > 1))";
      case Field::kTitle:
      case Field::kAuthor:
      case Field::kSubject:
      case Field::kFrom:
      case Field::kTo:
      case Field::kLang: return MetadataWordsSql(f);
      case Field::kPages: return CountSql(f, "pages");
      case Field::kCreated:
        // Over the partial index findings_created (schema.h).
        return TimeSql(f, "created", "value", /*utc=*/true);
      case Field::kTaken:
        // Over the partial index findings_taken (schema.h): the local date-time as written, an
        // offset after it ignored (query/parser.h says why).
        return TimeSql(f, "taken", "substr(value, 1, 19)", /*utc=*/false);
      case Field::kCamera: return MetadataWordsSql(f);
      case Field::kWidth: return CountSql(f, "width");
      case Field::kHeight: return CountSql(f, "height");
      case Field::kNear: return NearSql(f);
    }
    return "0";
  }

  // `key` (a literal, so that the partial index of that key applies: schema.h) compared as a
  // decimal count; values that do not start with a digit never compare.
  std::string CountSql(const Filter& f, std::string_view key) {
    std::string sql = "d.id IN (SELECT document_id FROM findings WHERE key = '";
    sql += key;
    sql += "' AND CAST(value AS INTEGER) ";
    sql += SqlOperator(f.op);
    sql += " ";
    sql += Param(f.number);
    return sql + " AND value GLOB '[0-9]*')";
  }

  // `key` (a literal, as in CountSql) compared as an ISO date or date-time through `operand`,
  // the expression its partial index holds; values that are not dates are never compared.
  std::string TimeSql(const Filter& f, std::string_view key, std::string_view operand, bool utc) {
    std::string sql = "d.id IN (SELECT document_id FROM findings WHERE key = '";
    sql += key;
    sql += "' AND value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND ";
    sql += operand;
    if (f.op == Comparison::kEq) {
      sql += " >= ";
      sql += Param(TimeBound(f.number, Comparison::kGe, utc));
      sql += " AND ";
      sql += operand;
      sql += " < ";
      sql += Param(TimeBound(f.number_end, Comparison::kLt, utc));
    } else {
      sql += " ";
      sql += SqlOperator(f.op);
      sql += " ";
      sql += Param(TimeBound(f.number, f.op, utc));
    }
    return sql + ")";
  }

  // A gps_lat and a gps_lon finding of the same plugin within the radius: first the bounding
  // box (geo.h) over the partial indexes findings_gps_lat (a latitude range) and
  // findings_gps_lon (the pair's longitude by document and plugin, within the longitude range),
  // whose CAST reads any text leniently, then the exact great-circle distance, which parses the
  // values strictly and is NULL (no match) for malformed or out-of-range ones.
  std::string NearSql(const Filter& f) {
    const GeoBox box = BoundingBox(f.latitude, f.longitude, f.radius_km);
    std::string sql =
        "d.id IN (SELECT la.document_id FROM findings la JOIN findings lo ON lo.document_id = "
        "la.document_id AND lo.plugin = la.plugin AND lo.key = 'gps_lon' WHERE la.key = "
        "'gps_lat' AND CAST(la.value AS REAL) BETWEEN ";
    sql += Param(box.min_lat);
    sql += " AND ";
    sql += Param(box.max_lat);
    if (!box.all_longitudes) {
      sql += " AND CAST(lo.value AS REAL) BETWEEN ";
      sql += Param(box.min_lon);
      sql += " AND ";
      sql += Param(box.max_lon);
    }
    sql += " AND archivum_distance_km(la.value, lo.value, ";
    sql += Param(f.latitude);
    sql += ", ";
    sql += Param(f.longitude);
    sql += ") <= ";
    sql += Param(f.radius_km);
    return sql + ")";
  }

  // A word, prefix or phrase in the metadata words of one key (metadata_text.h): an FTS5 column
  // filter, "{column} : \"words\"" (with " *" for a prefix), bound like free text.
  std::string MetadataWordsSql(const Filter& f) {
    const std::string_view column = MetadataColumnFor(query::MetadataKey(f.field));
    if (column.empty()) return "0";  // unreachable: every word field's key has a column
    std::string match = "{";
    match += column;
    match += "} : ";
    match += FtsString(f.text);
    if (f.prefix) match += " *";
    return "d.id IN (SELECT rowid FROM metadata_text WHERE metadata_text MATCH " +
           Param(std::move(match)) + ")";
  }

  std::string FindingSql(const FindingFilter& f) {
    // One Param() per statement: the operands of '+' are unsequenced, and placeholders should
    // be numbered in the order they appear.
    // "d.id IN (...)" rather than a correlated EXISTS: the planner can then start from the
    // findings index instead of probing it for every document (document_id is NOT NULL, so
    // NOT IN is safe).
    std::string sql = "d.id IN (SELECT f.document_id FROM findings f WHERE f.plugin = ";
    sql += Param(f.plugin);
    sql += " AND f.key = ";
    sql += Param(f.key);
    if (!f.value.empty()) {
      sql += " AND f.value GLOB ";
      sql += Param(FindingGlob(f.value));
    }
    return sql + ")";
  }

  std::vector<SqlValue> params_;
};

}  // namespace

StatusOr<CompiledQuery> Compile(const query::Query& query, int64_t limit, int64_t offset,
                                SortOrder sort) {
  if (limit < 0 || offset < 0) {
    return InvalidArgument("limit and offset must not be negative (got " + std::to_string(limit) +
                           ", " + std::to_string(offset) + ")");
  }
  CompiledQuery out;
  out.verbs = query.verbs;
  out.sort = sort;
  if (!query.where) return out;
  const Node& root = *query.where;
  ARCHIVUM_RETURN_IF_ERROR(CheckStructure(root));
  out.has_catalog_terms = true;

  Compiler compiler;
  std::vector<std::string> conditions;
  if (auto fts = FtsExpression(root)) {
    out.ranked = true;
    conditions.push_back("texts MATCH " + compiler.Param(std::move(*fts)));
  } else if (root.kind == NodeKind::kAnd) {
    AndParts parts = SplitAnd(root.children);
    if (!parts.positives.empty()) {
      out.ranked = true;
      conditions.push_back("texts MATCH " +
                           compiler.Param(FtsConjunction(parts.positives, parts.negatives)));
      for (const Node* child : parts.rest) conditions.push_back(compiler.Predicate(*child));
    } else {
      conditions.push_back(compiler.Predicate(root));
    }
  } else {
    conditions.push_back(compiler.Predicate(root));
  }

  std::string from = out.ranked ? "documents d JOIN texts ON texts.rowid = d.id" : "documents d";
  std::string where;
  for (const std::string& c : conditions) {
    if (!where.empty()) where += " AND ";
    where += c;
  }
  out.from_where = from + " WHERE " + where;
  out.count_sql = "SELECT count(*) FROM " + out.from_where;
  if (out.ranked) {
    // Every texts row has its documents row (written together, deleted by trigger), so without
    // filters the join adds nothing but a lookup per match.
    out.rank_without_filters = conditions.size() == 1;
    // Without filters, in the WHERE clause (FTS5 refuses auxiliary functions inside
    // aggregates): evaluated once per match during the scan, and no row is handed back. With
    // filters, as a result column, which SQLite evaluates only for rows that pass them all.
    out.rank_sql = out.rank_without_filters ? "SELECT count(*) FROM texts WHERE " + where +
                                                  " AND archivum_rank(texts, 4.0, 1.0) IS NULL"
                                            : "SELECT d.id, archivum_rank(texts, 4.0, 1.0) FROM " +
                                                  from + " WHERE " + where;
  }
  const std::string limit_param = compiler.Param(limit);
  const std::string offset_param = compiler.Param(offset);
  std::string order;
  if (sort != SortOrder::kRelevance) {
    order = std::string(SortKey(sort)) + (out.ranked ? ", score DESC, d.path" : ", d.path");
  } else {
    order = out.ranked ? "score DESC, d.path" : "d.path";
  }
  const std::string_view columns = !out.ranked                     ? kUnrankedColumns
                                   : sort == SortOrder::kRelevance ? kRankedColumns
                                                                   : kSortedRankedColumns;
  out.sql = "SELECT " + std::string(columns) + " FROM " + from + " WHERE " + where + " ORDER BY " +
            order + " LIMIT " + limit_param + " OFFSET " + offset_param;
  out.params = compiler.TakeParams();
  if (out.ranked) out.fts_match = std::get<std::string>(out.params.front());
  return out;
}

}  // namespace archivum::store::sqlite
