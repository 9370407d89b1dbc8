// The text of an office document, built run by run as its parts are parsed, within one byte
// budget for the whole document.
//
// Layout: a paragraph is a line; table cells of a row are separated by a tab and a row ends a
// line. Breaks are written lazily, only before the next character, so that the text never starts
// with a break, never holds an empty line and never ends with a break or a space.
//
// Thread safety: none; a TextBudget and its builders belong to one extraction.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace archivum::bundled::office {

// Bytes of text the document may still produce. Shared by the builders of its parts (each part's
// text is built separately because parts are read in archive order and joined in reading order).
class TextBudget {
 public:
  explicit TextBudget(size_t bytes) : remaining_(bytes) {}
  size_t remaining() const { return remaining_; }
  bool exhausted() const { return remaining_ == 0; }
  // Set once any text had to be dropped for lack of budget.
  bool truncated() const { return truncated_; }

  // Takes up to `wanted` bytes from the budget; returns how many were granted.
  size_t Take(size_t wanted);
  void MarkTruncated() { truncated_ = true; }

 private:
  size_t remaining_;
  bool truncated_ = false;
};

class TextBuilder {
 public:
  // `budget` must outlive the builder.
  explicit TextBuilder(TextBudget* budget) : budget_(budget) {}

  // Appends `text` (UTF-8) as it is: spaces, tabs and newlines are kept.
  void Append(std::string_view text);
  // Appends `text` with each run of white space (space, tab, CR, LF) read as one space, as ODF
  // paragraphs and HTML read character data; a space at the start of a line is dropped.
  void AppendCollapsed(std::string_view text);
  // A separator between two words that the markup states (ODF paragraphs of one table cell).
  void Space();
  // Ends the current cell: a tab before the next character unless a line break is pending.
  void CellBreak();
  // Ends the current line (paragraph, row, <br>).
  void LineBreak();

  // True once the budget is spent: further text is dropped, so parsing may stop.
  bool full() const { return budget_->exhausted(); }
  const std::string& text() const { return text_; }
  std::string Take() { return std::move(text_); }

 private:
  // Writes a pending break or space before the next character.
  void Flush();
  // Appends `s` within the budget; cuts it at a character boundary when the budget ends.
  void Put(std::string_view s);

  TextBudget* budget_;
  std::string text_;
  char pending_break_ = 0;  // '\n' or '\t', written before the next character
  bool pending_space_ = false;
};

}  // namespace archivum::bundled::office
