// Text, HTML and XML documents built in memory for tests: natural text in several languages
// encoded in legacy charsets (ICU's converters), HTML pages with metadata, and hostile XML (entity
// expansion, external entities). Used by the text plugin's tests and by the daemon-level tests.
//
// Thread safety: the functions are reentrant; SampleText returns static data.
#pragma once

#include <string>
#include <string_view>

namespace archivum::testing {

// Languages of SampleText: a few sentences written for these tests, long enough for a charset
// detector to recognize their encoding.
enum class Language {
  kRussian,
  kJapanese,
  kChineseSimplified,
  kChineseTraditional,
  kKorean,
  kFrench,
  kGerman,
};

// A paragraph in `language`, UTF-8, ending with a line feed.
std::string_view SampleText(Language language);

// `utf8` encoded in `charset` (any name ICU knows: "windows-1251", "KOI8-R", "Shift_JIS",
// "EUC-JP", "GB18030", "Big5", "EUC-KR", "UTF-16LE", "ISO-8859-1", "ISO-2022-JP", ...), preceded
// by the charset's byte-order mark if `bom` (UTF-8, UTF-16LE/BE and UTF-32LE/BE only). Aborts the
// test program if a character has no encoding in `charset` (a broken fixture is a bug in the
// test).
std::string EncodeText(std::string_view utf8, std::string_view charset, bool bom = false);

// An HTML page. Empty fields are left out of the markup.
struct HtmlPage {
  std::string lang;         // <html lang="...">
  std::string charset;      // <meta charset="...">
  std::string title;        // <title>, written as given (may hold character references)
  std::string author;       // <meta name="author">
  std::string keywords;     // <meta name="keywords">
  std::string description;  // <meta name="description">
  std::string head;         // more markup in <head> (e.g. <style>, <script>)
  std::string body;         // the markup of <body>
};

// The page as an HTML5 document (UTF-8 markup around the fields as given).
std::string MakeHtml(const HtmlPage& page);

// The "billion laughs" document: `levels` nested entities, each referencing the previous ten
// times (10^levels "lol"s if expanded), referenced in the root element between "start" and "end".
std::string BillionLaughsXml(int levels = 10);

// A document whose one internal entity of `entity_bytes` bytes is referenced `references` times
// (quadratic blowup if expanded).
std::string QuadraticBlowupXml(size_t entity_bytes, size_t references);

// A document with an external entity &xxe; whose system identifier is `url` (e.g.
// "file:///etc/passwd"), referenced in its root element between "before" and "after".
std::string ExternalEntityXml(std::string_view url);

// A document whose DOCTYPE names the external DTD at `url`, referencing an entity &dtdent; that
// only that DTD would define, between "before" and "after".
std::string ExternalDtdXml(std::string_view url);

// A document declaring an external parameter entity at `url` and referencing it in its internal
// subset (the DTD would be read from there), then &dtdent; between "before" and "after".
std::string ExternalParameterEntityXml(std::string_view url);

}  // namespace archivum::testing
