#include "cli/text.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <utility>

namespace archivum::cli {
namespace {

bool IsContinuationByte(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Shared by OneLine and SafeText. C1 controls (U+0080..U+009F, encoded 0xC2 0x80..0x9F) matter
// because some terminals treat U+009B as CSI, the start of an escape sequence.
std::string Sanitize(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && keep_newlines) {
      pending_space = false;
      out.push_back('\n');
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = true;
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (c < 0x20 || c == 0x7F) {
      out.push_back('?');
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out.push_back('?');
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (pending_space) out.push_back(' ');
  return out;
}

// Byte offset of the code point with index `n` (or text.size() if there are fewer).
std::size_t OffsetOfCodePoint(std::string_view text, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (IsContinuationByte(static_cast<unsigned char>(text[i]))) continue;
    if (seen == n) return i;
    ++seen;
  }
  return text.size();
}

std::string Printf(const char* format, double value) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), format, value);
  return buf.data();
}

}  // namespace

std::string OneLine(std::string_view text) {
  return Sanitize(text, /*keep_newlines=*/false);
}

std::string SafeText(std::string_view text) {
  return Sanitize(text, /*keep_newlines=*/true);
}

std::size_t DisplayWidth(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return !IsContinuationByte(static_cast<unsigned char>(c));
  }));
}

std::string Truncate(std::string_view text, std::size_t max_width, Elide elide) {
  constexpr std::string_view kEllipsis = "...";
  const std::size_t width = DisplayWidth(text);
  if (max_width == 0 || width <= max_width) return std::string(text);
  if (max_width <= kEllipsis.size()) {
    return std::string(text.substr(0, OffsetOfCodePoint(text, max_width)));
  }
  const std::size_t keep = max_width - kEllipsis.size();
  if (elide == Elide::kEnd) {
    std::string out(text.substr(0, OffsetOfCodePoint(text, keep)));
    // A cut right after a space would show "word ..." ; trimming it reads better.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out.append(kEllipsis);
  }
  std::string out(kEllipsis);
  return out.append(text.substr(OffsetOfCodePoint(text, width - keep)));
}

std::string FormatBytes(std::uint64_t bytes) {
  constexpr std::array<const char*, 6> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  // 1023.95 would print as "1024.0 KiB"; move up a unit before rounding can do that.
  while (value >= 1023.95 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  return Printf("%.1f ", value) + kUnits[unit];
}

std::string FormatDuration(std::chrono::microseconds duration) {
  const std::int64_t us = std::max<std::int64_t>(duration.count(), 0);
  if (us < 1000) return std::to_string(us) + " us";
  if (us < 1'000'000) return Printf("%.1f ms", static_cast<double>(us) / 1e3);
  if (us < 60'000'000) return Printf("%.2f s", static_cast<double>(us) / 1e6);
  const std::int64_t total_s = us / 1'000'000;
  const std::int64_t h = total_s / 3600;
  const std::int64_t m = (total_s / 60) % 60;
  const std::int64_t s = total_s % 60;
  std::array<char, 64> buf{};
  if (h > 0) {
    std::snprintf(buf.data(), buf.size(), "%" PRId64 "h %02" PRId64 "m %02" PRId64 "s", h, m, s);
  } else {
    std::snprintf(buf.data(), buf.size(), "%" PRId64 "m %02" PRId64 "s", m, s);
  }
  return buf.data();
}

std::string FormatTimestampNs(std::int64_t ns) {
  if (ns == 0) return "-";
  // Floor division, so times before 1970 still land on the right second.
  std::int64_t seconds = ns / 1'000'000'000;
  if (ns % 1'000'000'000 < 0) --seconds;
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "-";
  std::array<char, 64> buf{};
  if (std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return "-";
  return buf.data();
}

std::string FormatScore(double score) {
  return Printf("%.3f", score);
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    cells[i] = Truncate(OneLine(cells[i]), columns_[i].max_width, columns_[i].elide);
  }
  lines_.push_back(Line{std::move(cells), {}});
  ++row_count_;
}

void Table::AddNote(std::string_view note) {
  lines_.push_back(Line{{}, OneLine(note)});
}

std::string Table::Render(std::string_view indent) const {
  std::vector<std::size_t> widths(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    widths[i] = DisplayWidth(columns_[i].header);
  }
  for (const Line& line : lines_) {
    for (std::size_t i = 0; i < line.cells.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(line.cells[i]));
    }
  }

  std::string out;
  auto append_row = [&](const std::vector<std::string>& cells) {
    std::string row(indent);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) row.append("  ");
      const std::size_t pad = widths[i] - DisplayWidth(cells[i]);
      if (columns_[i].align == Align::kRight) row.append(pad, ' ');
      row.append(cells[i]);
      if (columns_[i].align == Align::kLeft) row.append(pad, ' ');
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out.append(row).push_back('\n');
  };

  std::vector<std::string> headers;
  headers.reserve(columns_.size());
  for (const Column& column : columns_) headers.push_back(column.header);
  append_row(headers);
  for (const Line& line : lines_) {
    if (line.cells.empty()) {
      out.append(indent).append("  ").append(line.note).push_back('\n');
    } else {
      append_row(line.cells);
    }
  }
  return out;
}

}  // namespace archivum::cli
