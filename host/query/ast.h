// The syntax tree of the Analyze query language: what Parse (parser.h) produces and the catalog
// evaluates.
//
// Every value in the tree is already validated and normalized by the parser (lowercased globs,
// sizes in bytes, times in nanoseconds), so whatever evaluates it never re-reads user syntax. A
// tree built by hand must respect the invariants stated on each type; an evaluator rejects a
// tree that breaks the structural ones (child counts) with INTERNAL rather than misreading it.
//
// Thread safety: plain values; safe to copy and share read-only between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace archivum::query {

// A free word: every result contains it (in its path or its extracted text), compared the way
// full-text search compares words (case- and diacritic-insensitive). May tokenize to several
// words ("foo-bar" is the phrase "foo bar").
struct Word {
  std::string text;
};

// An exact phrase: the unescaped text between the quotes.
struct Phrase {
  std::string text;
};

// A word prefix ("repo*"): stem is the text before the '*', never empty.
struct Prefix {
  std::string stem;
};

// The built-in fields a filter can test: the document's own (mime ... dup), and the document
// metadata that format plugins record in the shared vocabulary (plugin-api/README.md), whichever
// plugin recorded it (title ... created, and the photo fields camera ... near).
enum class Field {
  kMime,
  kExt,
  kPath,
  kName,
  kSize,
  kModified,
  kSha256,
  kDup,
  kTitle,
  kAuthor,
  kSubject,
  kFrom,
  kTo,
  kLang,
  kPages,
  kCreated,
  kCamera,
  kTaken,
  kWidth,
  kHeight,
  kNear,
};

// Every field, in the order error messages list them.
inline constexpr Field kAllFields[] = {
    Field::kMime,     Field::kExt,    Field::kPath,  Field::kName,  Field::kSize,
    Field::kModified, Field::kSha256, Field::kDup,   Field::kTitle, Field::kAuthor,
    Field::kSubject,  Field::kFrom,   Field::kTo,    Field::kLang,  Field::kPages,
    Field::kCreated,  Field::kCamera, Field::kTaken, Field::kWidth, Field::kHeight,
    Field::kNear,
};

// "mime", "ext", ... as written in queries.
std::string_view FieldName(Field field);

// The vocabulary key a metadata field tests ("title", ..., "language" for lang, "pages",
// "created", "taken", "width", "height"); for the fields of two keys (camera, near) the first of
// MetadataKeys; empty for the document's own fields.
std::string_view MetadataKey(Field field);

// Every vocabulary key a metadata field tests: MetadataKey's one key, except camera
// ("camera_make", "camera_model": either matches) and near ("gps_lat", "gps_lon": a pair
// recorded by one plugin); empty for the document's own fields. The span and its views are static.
std::span<const std::string_view> MetadataKeys(Field field);

enum class Comparison { kEq, kLt, kLe, kGt, kGe };

// "=" / ":" for kEq (as written after a field), "<", "<=", ">", ">=".
std::string_view ComparisonSymbol(Comparison op);

// A built-in field filter. Invariants per field (the parser guarantees them):
//   kMime   text: glob over the document's MIME type, ASCII-lowercased; op kEq.
//   kExt    text: extension, ASCII-lowercased, without the leading dot (empty: documents
//           without an extension); op kEq.
//   kPath   text: absolute directory, no trailing '/' (except "/" itself); op kEq. Matches the
//           directory itself and everything under it.
//   kName   text: glob over the base name ('*', '?', '[...]'), ASCII-lowercased; op kEq.
//   kSize   number: bytes; any op.
//   kModified number: nanoseconds since the Unix epoch (UTC); any op. For kEq, number_end is the
//           exclusive end of the period the query named (a day, minute or second).
//   kSha256 text: 64 lowercase hex digits; op kEq.
//   kDup    no value; op kEq. Documents whose non-empty sha256 occurs more than once.
//   kTitle, kAuthor, kSubject, kFrom, kTo, kLang
//           text: a word or phrase as typed (unescaped), with at least one ASCII letter or digit
//           or non-ASCII byte; prefix: the value was a bare word ending in '*' (text is what
//           precedes it). Matches documents with a finding of the field's key (MetadataKey)
//           whose value contains the word, the phrase or a word with that prefix, compared as
//           full-text search compares words (case- and diacritic-insensitive); op kEq.
//   kPages  number: a page count (>= 0), compared with a finding "pages"; any op.
//   kCreated number: as kModified, compared with a finding "created" (an ISO 8601 UTC time or
//           date; a date alone counts as its midnight); any op, number_end for kEq.
//   kCamera text and prefix as kTitle; matches a word of a finding "camera_make" or
//           "camera_model"; op kEq.
//   kTaken  number: the local date-time the query named, counted in nanoseconds as if it were
//           UTC (a calendar reading, not an instant: taken compares local times as written, see
//           parser.h); any op, number_end for kEq. Compared with a finding "taken"
//           ("YYYY-MM-DDTHH:MM:SS", optionally followed by an offset that is ignored).
//   kWidth, kHeight
//           number: pixels (>= 0), compared with a finding "width" / "height"; any op.
//   kNear   latitude in [-90, 90], longitude in [-180, 180] (degrees), radius_km finite and
//           > 0; op kEq. Matches documents with a "gps_lat" and a "gps_lon" finding of the same
//           plugin within radius_km of that point (great-circle distance).
struct Filter {
  Field field = Field::kDup;
  Comparison op = Comparison::kEq;
  std::string text;
  int64_t number = 0;
  int64_t number_end = 0;
  bool prefix = false;
  double latitude = 0;
  double longitude = 0;
  double radius_km = 0;
};

// A plugin finding filter "PLUGIN.KEY:VALUE". value is as typed: '*' matches any run of
// characters, every other character (including '?' and '[') is literal; matching is
// case-sensitive. An empty value means "the finding exists, whatever its value".
struct FindingFilter {
  std::string plugin;  // [A-Za-z0-9_-]+
  std::string key;     // [A-Za-z0-9_.-]+
  std::string value;
};

// A query verb "verb:argument", dispatched by the host to the plugin that registered the verb.
struct VerbCall {
  std::string verb;
  std::string argument;  // never empty
  bool operator==(const VerbCall&) const = default;
};

using Term = std::variant<Word, Phrase, Prefix, Filter, FindingFilter>;

enum class NodeKind { kTerm, kAnd, kOr, kNot };

// One node of the boolean tree over terms.
//   kTerm: term is the leaf; children empty.
//   kAnd, kOr: two or more children.
//   kNot: exactly one child.
struct Node {
  NodeKind kind = NodeKind::kTerm;
  size_t column = 1;  // 1-based byte column where the node starts in the query
  Term term;
  std::vector<Node> children;
};

// A parsed query. Verbs are only allowed as top-level terms (never negated, OR-ed or inside
// parentheses), so the parser hoists them out of the tree: the result set is
// catalog(where) merged with every verb's hits.
struct Query {
  std::optional<Node> where;    // nullopt when the query holds only verbs
  std::vector<VerbCall> verbs;  // in query order
};

// Factories for hand-built trees (tests, the host's own queries).
Node MakeTerm(Term term, size_t column = 1);
Node MakeNot(Node child, size_t column = 1);
Node MakeAnd(std::vector<Node> children, size_t column = 1);
Node MakeOr(std::vector<Node> children, size_t column = 1);

// A compact, unambiguous S-expression for logs and tests, e.g.
// (and report (or "exact words" rev*) (not ext:pdf) size>1048576 filetype.mime:image/*).
std::string DebugString(const Node& node);
// The tree's DebugString followed by " [verb:argument]" per verb; "[]" alone when no tree.
std::string DebugString(const Query& query);

}  // namespace archivum::query
