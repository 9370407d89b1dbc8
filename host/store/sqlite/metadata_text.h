// The metadata words index (schema.h: table metadata_text): what the query language's metadata
// fields (title:, author:, subject:, from:, to:, lang:, camera:) search.
//
// One FTS5 row per document that has a finding of any of these keys (rowid = documents.id), one
// column per field holding every value of its keys (camera: both camera_make and camera_model),
// whichever plugin recorded them, joined with U+001E, which the catalog's tokenizer makes a token
// of its own, so that a phrase never spans two values ("Jane Doe" and "John Smith" do not make
// the phrase "doe john"; nor do "Canon" and "Canon EOS R5" make "canon canon"). The tokenizer
// folds the values as it folds the text index and the queries (tokenizer.h).
//
// Why a full-text index rather than an index on findings(key, value): a field matches a word or a
// phrase inside a value ("author:doe" finds "Jane Doe", "from:ann@example.org" finds
// "Ann <ann@example.org>"), case- and diacritic-insensitively; a b-tree over the values serves
// only whole values and their prefixes, and would have to scan every value of the key with a
// folding LIKE, where the full-text index answers with one posting-list lookup per word. Why one
// row per document rather than per finding: the row is replaced and deleted with its document
// (keyed by documents.id, like texts), whereas findings have no stable key of their own (their
// implicit rowids may change on VACUUM).
//
// Thread safety: constants and pure functions.
#pragma once

#include <array>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "store/catalog.h"

namespace archivum::store::sqlite {

// The columns of metadata_text, in the table's order (schema.cc creates it with these). The
// names are SQL keywords for from and to: SQL text quotes every one of them.
inline constexpr std::string_view kMetadataColumnNames[] = {
    "title", "author", "subject", "from", "to", "language", "camera",
};

inline constexpr size_t kMetadataColumnCount = std::size(kMetadataColumnNames);

// A finding key and the column of metadata_text that holds its values.
struct MetadataColumn {
  std::string_view key;
  std::string_view column;
};

// Every indexed key with its column; a column may hold several keys (camera).
inline constexpr MetadataColumn kMetadataColumns[] = {
    {"title", "title"},
    {"author", "author"},
    {"subject", "subject"},
    {"from", "from"},
    {"to", "to"},
    {"language", "language"},
    {"camera_make", "camera"},
    {"camera_model", "camera"},
};

// Joins the values of one column.
inline constexpr char kMetadataValueSeparator = '\x1e';

// The column values of a document with `findings`, in kMetadataColumnNames order, each column's
// values in recorded order; all empty when it has none of the keys (then it gets no row).
std::array<std::string, kMetadataColumnCount> MetadataRow(
    const std::vector<FindingRecord>& findings);

// The column holding `key`'s values; empty when the key is not indexed.
std::string_view MetadataColumnFor(std::string_view key);

// "INSERT INTO metadata_text(rowid, "title", ...) VALUES(?1, ?2, ...)": the row's id, then the
// columns in kMetadataColumnNames order.
std::string MetadataInsertSql();

}  // namespace archivum::store::sqlite
