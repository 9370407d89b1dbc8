// Plain-text rendering for the `archivum` client: sanitizing untrusted strings for a terminal,
// eliding long cells, human-readable sizes, durations and timestamps, and aligned tables.
//
// Everything the server sends (paths, snippets, messages) passes through here before reaching
// the terminal, so a crafted file name cannot inject escape sequences or break table layout.
//
// Widths are counted in UTF-8 code points: exact for ASCII and most scripts, an approximation for
// wide (CJK) and combining characters. Thread safety: pure functions; Table is a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::cli {

// Returns `text` safe to print on one terminal line: tabs, carriage returns and newlines become
// single spaces (runs of them collapse), other control characters (C0, DEL, C1) become '?'.
std::string OneLine(std::string_view text);

// Like OneLine, but keeps newlines (for multi-line messages such as query errors).
std::string SafeText(std::string_view text);

// The number of UTF-8 code points in `text` (each invalid byte counts as one).
std::size_t DisplayWidth(std::string_view text);

// Which end of an over-long string is replaced by "...".
enum class Elide {
  kEnd,    // "the beginning..." (text, snippets)
  kStart,  // "...the/file/name" (paths, whose tail matters most)
};

// Returns `text` if it fits in `max_width` code points; otherwise a cut at a code-point boundary
// plus "..." that is exactly `max_width` wide. max_width == 0 means unlimited.
std::string Truncate(std::string_view text, std::size_t max_width, Elide elide = Elide::kEnd);

// "512 B", "1.5 KiB", "3.2 MiB", ... (binary units, one decimal above bytes).
std::string FormatBytes(std::uint64_t bytes);

// "250 us", "12.3 ms", "1.23 s", "2m 03s", "1h 02m 03s".
std::string FormatDuration(std::chrono::microseconds duration);

// "2024-01-02T03:04:05Z" (UTC, second precision) for nanoseconds since the Unix epoch; "-" for 0,
// which the API uses for "unknown".
std::string FormatTimestampNs(std::int64_t ns);

// A score as shown in tables: three decimals.
std::string FormatScore(double score);

// A text table with a header row, columns separated by two spaces, no trailing whitespace.
// Cells are sanitized with OneLine and elided to their column's max width when added.
class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string header;
    Align align = Align::kLeft;
    std::size_t max_width = 0;  // 0: unlimited
    Elide elide = Elide::kEnd;
  };

  explicit Table(std::vector<Column> columns);

  // Adds a row. Missing trailing cells are empty; extra cells are ignored.
  void AddRow(std::vector<std::string> cells);
  // Adds a free-form line under the last row, indented by two spaces, not part of the columns
  // (e.g. why a plugin failed). Sanitized with OneLine, never truncated.
  void AddNote(std::string_view note);

  std::size_t rows() const { return row_count_; }
  // The table, each line starting with `indent` and ending in '\n'.
  std::string Render(std::string_view indent = "") const;

 private:
  struct Line {
    std::vector<std::string> cells;  // empty for a note
    std::string note;
  };
  std::vector<Column> columns_;
  std::vector<Line> lines_;
  std::size_t row_count_ = 0;
};

}  // namespace archivum::cli
