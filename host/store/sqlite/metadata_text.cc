#include "store/sqlite/metadata_text.h"

namespace archivum::store::sqlite {

namespace {

// The index of `column` in kMetadataColumnNames (every kMetadataColumns entry names one).
constexpr size_t ColumnIndex(std::string_view column) {
  size_t c = 0;
  while (c < kMetadataColumnCount && kMetadataColumnNames[c] != column) ++c;
  return c;
}

constexpr bool EveryKeyHasAColumn() {
  for (const MetadataColumn& m : kMetadataColumns) {
    if (ColumnIndex(m.column) == kMetadataColumnCount) return false;
  }
  return true;
}
static_assert(EveryKeyHasAColumn());

}  // namespace

std::array<std::string, kMetadataColumnCount> MetadataRow(
    const std::vector<FindingRecord>& findings) {
  std::array<std::string, kMetadataColumnCount> row;
  for (const FindingRecord& f : findings) {
    for (const MetadataColumn& m : kMetadataColumns) {
      if (f.key != m.key) continue;
      std::string& cell = row[ColumnIndex(m.column)];
      if (!cell.empty()) cell += kMetadataValueSeparator;
      cell += f.value;
      break;
    }
  }
  return row;
}

std::string_view MetadataColumnFor(std::string_view key) {
  for (const MetadataColumn& c : kMetadataColumns) {
    if (c.key == key) return c.column;
  }
  return {};
}

std::string MetadataInsertSql() {
  std::string columns = "rowid";
  std::string values = "?1";
  for (size_t c = 0; c < kMetadataColumnCount; ++c) {
    columns += ", \"";
    columns += kMetadataColumnNames[c];
    columns += '"';
    values += ", ?" + std::to_string(c + 2);
  }
  return "INSERT INTO metadata_text(" + columns + ") VALUES(" + values + ")";
}

}  // namespace archivum::store::sqlite
