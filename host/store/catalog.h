// The catalog: the durable record of every ingested document.
//
// `Catalog` is the interface the service core writes and queries through. Each implementation
// is a folder of its own beside this file (sqlite/: the embedded default), chosen by the
// store.backend setting in one place, OpenCatalog (open_catalog.h), so that a shared server
// database can replace the embedded one when one machine is not enough; nothing outside
// host/store/ knows which one is in use. Paths are the catalog's keys: absolute file paths, or
// synthetic ones such as "upload:name" and "outer.zip!/member".
//
// Thread safety: implementations are safe for concurrent use from any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/ast.h"

namespace archivum::store {

// What the catalog knows about one document.
struct DocumentRecord {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ingested_at_ns = 0;
  std::string parent;     // containing document for archive members, else empty
  std::string name;       // base name (of the member, for children)
  std::string ext;        // lower-case extension without the dot
  std::string sha256;     // lower-case hex, empty if not hashed
  std::string mime;       // empty if not detected
  std::string analyzers;  // "name@version,..." of the plugins that ran
  std::string signature;  // the plugin set's signature when analyzed (re-analysis trigger)
};

// A key/value a plugin recorded about a document.
struct FindingRecord {
  std::string plugin;
  std::string key;
  std::string value;
};

// The metadata vocabulary (plugin-api/README.md): the finding keys format plugins describe a
// document with, whichever plugin recorded them. Hits and documents carry these findings as the
// document's metadata.
inline constexpr std::string_view kMetadataKeys[] = {
    "title",        "author", "subject",    "keywords",    "created",  "modified",    "pages",
    "sheets",       "slides", "language",   "creator",     "producer", "from",        "to",
    "cc",           "date",   "message_id", "description", "width",    "height",      "camera_make",
    "camera_model", "lens",   "taken",      "gps_lat",     "gps_lon",  "orientation",
};

inline bool IsMetadataKey(std::string_view key) {
  for (std::string_view k : kMetadataKeys) {
    if (k == key) return true;
  }
  return false;
}

// One metadata value of a document: a finding with a key of kMetadataKeys.
struct MetadataEntry {
  std::string key;
  std::string value;
  bool operator==(const MetadataEntry&) const = default;
};

// A part of a document's text that a plugin marked with a kind (ABI 1.4 emit_text_as, e.g.
// "ocr"): bytes [offset, offset + size) of the text.
struct TextPart {
  std::string plugin;
  std::string kind;
  uint64_t offset = 0;
  uint64_t size = 0;
  bool operator==(const TextPart&) const = default;
};

// A document's preview (ABI 1.4 emit_preview): a small image, kept outside the full-text index.
struct Preview {
  std::string plugin;  // the plugin that made it
  std::string mime;    // "image/webp", "image/jpeg" or "image/png"
  std::string bytes;
};

// Everything one analysis of a document produced, written as a unit.
struct DocumentWrite {
  DocumentRecord document;
  std::vector<FindingRecord> findings;  // replace the document's previous findings
  std::string text;                     // replaces the indexed text
  std::vector<TextPart> text_parts;     // replace the previous ones; each lies within `text`
  std::optional<Preview> preview;       // replaces the previous one (none: removes it)
};

// A document with everything recorded about it.
struct DocumentDetail {
  DocumentRecord document;
  std::vector<FindingRecord> findings;
  bool has_preview = false;  // Catalog::GetPreview has an image for it
};

// The beginning of a document's text (Catalog::GetText).
struct DocumentText {
  std::string text;             // at most the bytes asked for, cut at a character boundary
  uint64_t total_size = 0;      // bytes of the whole text
  std::vector<TextPart> parts;  // the marked parts that overlap `text`, clipped to it
};

// The child-document path of `member` inside `parent`: "parent!/member".
inline std::string ChildPath(std::string_view parent, std::string_view member) {
  std::string p(parent);
  p += "!/";
  p += member;
  return p;
}

// One document matching a query.
struct SearchHit {
  DocumentRecord document;              // path, size, mtime_ns and mime are filled
  double score = 0;                     // higher is better
  std::string snippet;                  // matches between [ and ]; empty without free text
  std::vector<FindingRecord> findings;  // the findings named by the query's plugin filters
  // The document's metadata (SearchOptions::metadata), in the order it was recorded.
  std::vector<MetadataEntry> metadata;
};

// The order of a search's hits (SearchOptions::sort). Ties keep the relevance order (for a
// ranked full-text query its score, higher first), then the path. The name is the path's last
// component (DocumentRecord::name) with ASCII letters folded to lower case.
enum class SortOrder {
  kRelevance,     // best match first; without free text, by path
  kModifiedDesc,  // newest modification time first
  kModifiedAsc,
  kSizeDesc,  // largest first
  kSizeAsc,
  kNameAsc,  // by name, A to Z
  kNameDesc,
};

// One value of a facet and how many documents of the result set have it.
struct FacetValue {
  std::string value;  // as shown: "application/pdf", "pdf", "2024", "2024-03", "1 MiB - 10 MiB"
  uint64_t count = 0;
  // A term of the query language (query/parser.h) selecting documents with this value; empty
  // when the language has none for it (a creator recorded by several plugins, or holding '*';
  // an extension holding '*', '?' or '['). Appended to the query it refines the result set to
  // exactly `count` documents, except for metadata values, whose terms match words (author:"jane
  // doe" also selects "Jane Doe Jr."): those select at least `count`.
  std::string query;
  bool operator==(const FacetValue&) const = default;
};

// Counts of a result set by one facet (Catalog::Facets).
//   mime       the MIME type, lower-cased (documents without one are not counted)
//   extension  the extension; "" for documents without one (query ext:"")
//   year       "YYYY" of the modification time (UTC); newest first
//   month      "YYYY-MM" of the modification time (UTC); newest first
//   size       bands, smallest first: "< 10 KiB", "10 KiB - 1 MiB", "1 MiB - 10 MiB",
//              "10 MiB - 100 MiB", ">= 100 MiB" (KiB and MiB: 1024 and 1024²; query size<10K ...)
//   author, language, creator, from, camera_make, camera_model: the metadata values (any plugin)
//              of that key, most frequent first, each document counted once per value; values
//              longer than kMaxFacetValueBytes are not counted. Returned only when some document
//              of the set has one.
// Except where stated, values are listed most frequent first (ties by value). Documents
// without a value of a facet are not counted in it.
struct Facet {
  std::string name;
  std::vector<FacetValue> values;  // at most kMaxFacetValues
  // The counts of the values not listed (for the metadata facets, document-value pairs).
  uint64_t other = 0;
  bool operator==(const Facet&) const = default;
};

inline constexpr size_t kMaxFacetValues = 20;
inline constexpr size_t kMaxFacetValueBytes = 256;

// How much of each hit Search fills in.
struct SearchOptions {
  // Whether ranked hits get snippets. Quoting reads each hit's text: callers that only need
  // the paths (e.g. to intersect with other results) turn it off.
  bool snippets = true;
  // Whether hits get their metadata (one index lookup per hit); off for the same callers.
  bool metadata = true;
  // The order of the hits, and so which of them the page [offset, offset + limit) holds.
  SortOrder sort = SortOrder::kRelevance;
  // Whether SearchResult::facets counts the whole result set (before offset/limit).
  bool facets = false;
};

// Some of a document's child documents (archive members), with how many it has.
struct ChildList {
  std::vector<std::string> paths;  // sorted
  uint64_t total = 0;              // all of its children, listed or not
};

struct SearchResult {
  std::vector<SearchHit> hits;  // best first (or in SearchOptions::sort order), after offset/limit
  uint64_t total = 0;           // matches before offset/limit
  // With SearchOptions::facets: mime, extension, year, month, size, then the metadata facets
  // that have values, in the order listed at Facet (a facet without values is left out).
  std::vector<Facet> facets;
};

// Content a plugin version must not be given again: the plugin crashed or timed out on it. Keyed
// by (sha256, plugin, plugin_version): the same bytes under any path, and only that version.
struct QuarantineEntry {
  std::string sha256;  // content digest, lower-case hex
  std::string plugin;  // plugin name
  std::string plugin_version;
  std::string reason;  // e.g. "crashed: SIGSEGV", "timeout after 2s"
  std::string path;    // catalog path of the file it happened on (the latest)
  int64_t at_ns = 0;   // wall-clock time it was recorded, ns since the Unix epoch
};

// A move of cataloged documents to another path (Catalog::Rename): what watch mode does when a
// file or directory is renamed, so that the documents keep their identity instead of being
// analyzed again.
struct RenameRequest {
  std::string from;  // a cataloged file path, or a directory holding cataloged documents
  std::string to;    // where it now is
  // DocumentRecord::name and ::ext of the document at `to` itself (its base name and extension,
  // as the pipeline derives them); unused when `from` is a directory.
  std::string name;
  std::string ext;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Where the catalog keeps its data, for logs: the database file of the embedded catalog.
  virtual std::string Describe() const = 0;

  // The stored record for `path`, or nullopt if the path is not cataloged.
  virtual StatusOr<std::optional<DocumentRecord>> Find(std::string_view path) = 0;

  // Every document whose path equals `dir` or lies below it (dir + "/..."), sorted by path.
  virtual StatusOr<std::vector<DocumentRecord>> ListUnder(std::string_view dir) = 0;

  // How many documents the catalog holds, archive members included (for the metrics: a count
  // at scrape time, which may read every entry of an index).
  virtual StatusOr<uint64_t> CountDocuments() = 0;

  // Atomically writes `writes` and deletes `removals`: either all of it is durable afterwards or
  // none of it is. Writing or removing a document also removes its previous child documents
  // (paths "path!/..."), which the same batch may then write anew.
  virtual Status Commit(const std::vector<DocumentWrite>& writes,
                        const std::vector<std::string>& removals) = 0;

  // The document at `path` with its findings, or nullopt.
  virtual StatusOr<std::optional<DocumentDetail>> Get(std::string_view path) = 0;

  // The preview of the document at `path`; nullopt if the path is not cataloged or has none.
  virtual StatusOr<std::optional<Preview>> GetPreview(std::string_view path) = 0;

  // The first `max_bytes` of the document's text (cut back to a UTF-8 character boundary) and
  // its marked parts; nullopt if the path is not cataloged.
  virtual StatusOr<std::optional<DocumentText>> GetText(std::string_view path,
                                                        uint64_t max_bytes) = 0;

  // The first `limit` paths (in path order) of the documents whose parent is `path`, and how
  // many there are; empty when there are none or `path` is not cataloged.
  virtual StatusOr<ChildList> ListChildren(std::string_view path, uint32_t limit) = 0;

  // The metadata (kMetadataKeys findings, in recorded order) of each document in `paths`, in the
  // same order; empty for a path that is not cataloged.
  virtual StatusOr<std::vector<std::vector<MetadataEntry>>> Metadata(
      const std::vector<std::string>& paths) = 0;

  // Evaluates the catalog part of a parsed query (query/parser.h): words are compared folded
  // (case, compatibility forms, diacritics) and Chinese, Japanese and Korean are found inside
  // longer runs of their characters; the metadata fields test the kMetadataKeys findings of any
  // plugin. Precondition: `query.where` is set. `total` is exact. Errors: INVALID_ARGUMENT for a
  // query the store cannot evaluate.
  virtual StatusOr<SearchResult> Search(const query::Query& query, uint32_t limit, uint32_t offset,
                                        const SearchOptions& options) = 0;
  // The same with default options (snippets included).
  StatusOr<SearchResult> Search(const query::Query& query, uint32_t limit, uint32_t offset) {
    return Search(query, limit, offset, SearchOptions{});
  }

  // The facets (as SearchResult::facets) of the cataloged documents among `paths` (a path that
  // is not cataloged, or repeated, adds nothing): for results the host assembled itself, such
  // as a plugin verb's. Errors: INVALID_ARGUMENT when `paths` holds more than kMaxFacetPaths.
  virtual StatusOr<std::vector<Facet>> Facets(const std::vector<std::string>& paths) = 0;
  static constexpr size_t kMaxFacetPaths = 100000;

  // Moves the document at `from` with its child documents ("from!/..."), and every document below
  // `from` as a directory ("from/..."), to the same place under `to`: paths and parents are
  // rewritten, and the document at `from` takes `name` and `ext`. Ids, findings, texts, previews
  // and analysis times are kept. When anything is moved, documents already at those destination
  // paths (`to`, "to!/...", "to/...") are removed first; when nothing is cataloged at or below
  // `from`, nothing changes. All in one transaction. Returns how many documents moved. Errors:
  // INVALID_ARGUMENT if `from` or `to` is empty, they are equal, or one lies below the other. The
  // default answers UNIMPLEMENTED (a catalog that cannot move keeps working: callers remove and
  // ingest again).
  virtual StatusOr<uint64_t> Rename(const RenameRequest& request) {
    (void)request;
    return Unimplemented("this catalog cannot rename documents");
  }

  // The quarantine (QuarantineEntry). Durable once these return OK, like Commit.
  // Inserts `entry`, or replaces the reason, path and time of the entry with the same (sha256,
  // plugin, plugin_version).
  virtual Status AddQuarantine(const QuarantineEntry& entry) = 0;
  // Every entry, the most recently recorded first (ties in key order).
  virtual StatusOr<std::vector<QuarantineEntry>> ListQuarantine() = 0;
  // Removes the entries whose plugin equals `plugin` and whose sha256 equals `sha256`, an empty
  // filter matching any; returns how many were removed (both empty: all of them).
  virtual StatusOr<uint64_t> ClearQuarantine(std::string_view plugin, std::string_view sha256) = 0;
};

}  // namespace archivum::store
