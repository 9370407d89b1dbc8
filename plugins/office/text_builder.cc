#include "office/text_builder.h"

#include <algorithm>

#include "common/utf8.h"

namespace archivum::bundled::office {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

size_t TextBudget::Take(size_t wanted) {
  const size_t granted = std::min(wanted, remaining_);
  remaining_ -= granted;
  if (granted < wanted) truncated_ = true;
  return granted;
}

void TextBuilder::Append(std::string_view text) {
  if (text.empty()) return;
  Flush();
  Put(text);
}

void TextBuilder::AppendCollapsed(std::string_view text) {
  while (!text.empty()) {
    if (IsSpace(text.front())) {
      pending_space_ = true;
      text.remove_prefix(1);
      continue;
    }
    size_t end = 1;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    Append(text.substr(0, end));
    text.remove_prefix(end);
  }
}

void TextBuilder::Space() {
  pending_space_ = true;
}

void TextBuilder::CellBreak() {
  if (!text_.empty() && pending_break_ != '\n') pending_break_ = '\t';
  pending_space_ = false;
}

void TextBuilder::LineBreak() {
  if (!text_.empty()) pending_break_ = '\n';
  pending_space_ = false;
}

void TextBuilder::Flush() {
  if (pending_break_ != 0) {
    while (!text_.empty() && text_.back() == ' ') text_.pop_back();
    const char c = pending_break_;
    pending_break_ = 0;
    pending_space_ = false;
    if (!text_.empty() && text_.back() == '\n' && c == '\n') return;
    Put(std::string_view(&c, 1));
  } else if (pending_space_) {
    pending_space_ = false;
    if (!text_.empty() && !IsSpace(text_.back())) Put(" ");
  }
}

void TextBuilder::Put(std::string_view s) {
  if (budget_->exhausted()) {
    budget_->MarkTruncated();
    return;
  }
  if (s.size() <= budget_->remaining()) {
    budget_->Take(s.size());
    text_.append(s);
    return;
  }
  const size_t fit = Utf8Boundary(s, budget_->remaining());
  budget_->Take(s.size());  // spends the rest and records the truncation
  text_.append(s.substr(0, fit));
}

}  // namespace archivum::bundled::office
