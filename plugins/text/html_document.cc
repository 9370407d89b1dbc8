#include "text/html_document.h"

#include <algorithm>

#include "common/html_text.h"
#include "common/utf8.h"
#include "text/document_text.h"

namespace archivum::bundled::text {
namespace {

std::string Cut(std::string value) {
  if (value.size() > kMaxMetadataBytes) value.resize(Utf8Boundary(value, kMaxMetadataBytes));
  return value;
}

}  // namespace

size_t MaxHtmlInput() {
  return HtmlMaxInput(HtmlLimits{});
}

std::string HtmlDeclaredCharset(std::string_view content) {
  HtmlLimits limits;
  return HtmlToText(content.substr(0, kHtmlPrescanBytes), limits).charset;
}

std::optional<DocumentText> ReadHtml(std::string_view html,
                                     const std::function<bool()>& cancelled) {
  HtmlLimits limits;
  limits.cancelled = cancelled;
  HtmlText parsed = HtmlToText(html, limits);
  if (parsed.cancelled) return std::nullopt;

  DocumentText out;
  out.text = std::move(parsed.text);
  out.truncated = parsed.truncated;
  auto add = [&out](std::string key, std::string value) {
    if (!value.empty()) out.metadata.emplace_back(std::move(key), Cut(std::move(value)));
  };
  add("title", std::move(parsed.title));
  add("language", LanguageTag(std::move(parsed.language)));
  std::string keywords;
  for (auto& [name, content] : parsed.meta) {
    if (name == "author") {
      add("author", std::move(content));
    } else if (name == "description" || name == "subject") {
      add("subject", std::move(content));
    } else if (name == "keywords") {
      if (!keywords.empty()) keywords += ", ";
      keywords += content;
    }
  }
  add("keywords", std::move(keywords));
  return out;
}

}  // namespace archivum::bundled::text
