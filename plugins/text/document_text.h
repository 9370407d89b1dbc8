// The text of a markup document (HTML, XML) as the `text` plugin's readers return it.
//
// Thread safety: plain data and pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace archivum::bundled::text {

struct DocumentText {
  std::string text;        // well-formed UTF-8
  bool truncated = false;  // the text covers only part of the document
  // Findings under the metadata vocabulary of plugin-api/README.md, in the order to emit them;
  // a key may repeat (one finding per value). Values are well-formed UTF-8 and non-empty.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// `lang` (a document's language attribute) as a BCP 47 tag for the "language" finding: subtags of
// 1-8 ASCII letters or digits joined by '-', the first all letters ("en", "pt-BR", "zh-Hant-TW");
// an underscore, as in "en_US", is read as a hyphen. Empty if `lang` does not have that shape.
std::string LanguageTag(std::string lang);

}  // namespace archivum::bundled::text
