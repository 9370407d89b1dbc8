#include "store/sqlite/metadata_text.h"

namespace archivum::store::sqlite {

std::array<std::string, kMetadataColumnCount> MetadataRow(
    const std::vector<FindingRecord>& findings) {
  std::array<std::string, kMetadataColumnCount> row;
  for (const FindingRecord& f : findings) {
    for (size_t c = 0; c < kMetadataColumnCount; ++c) {
      if (f.key != kMetadataColumns[c].key) continue;
      if (!row[c].empty()) row[c] += kMetadataValueSeparator;
      row[c] += f.value;
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
    columns += kMetadataColumns[c].column;
    columns += '"';
    values += ", ?" + std::to_string(c + 2);
  }
  return "INSERT INTO metadata_text(" + columns + ") VALUES(" + values + ")";
}

}  // namespace archivum::store::sqlite
