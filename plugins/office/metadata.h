// The metadata of an office document in the shared vocabulary (plugin-api/README.md), collected
// while its parts are parsed and emitted as findings at the end.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archivum::bundled::office {

// Longest metadata value kept (a longer one is cut at a character boundary): a description may
// be long, a hostile one anything.
inline constexpr size_t kMaxValueBytes = 4096;

struct Metadata {
  std::string title;
  std::vector<std::string> authors;   // one per person, in the file's order, no duplicates
  std::vector<std::string> subjects;  // one per stated subject
  std::string description;            // the subject when no subject is stated
  std::string keywords;               // one comma-separated text
  std::string created;                // normalized (NormalizeTime)
  std::string modified;
  std::string language;  // a BCP 47 tag
  std::string creator;   // the application
  std::optional<uint64_t> pages;
  std::optional<uint64_t> sheets;
  std::optional<uint64_t> slides;

  // Adds each non-empty, not yet listed value, after Clean().
  void AddAuthor(std::string_view name);
  void AddSubject(std::string_view subject);
  // Sets `field` to Clean(value) unless it is already set or the value is empty.
  static void SetOnce(std::string& field, std::string_view value);
  // Sets `field` to NormalizeTime(value) unless already set or the value is not a time.
  static void SetTimeOnce(std::string& field, std::string_view value);
  // Sets `field` to the language tag unless already set or the value is not a plausible tag.
  static void SetLanguageOnce(std::string& field, std::string_view value);
  // Sets `field` to the count in `value` (a decimal integer) unless already set or malformed.
  static void SetCountOnce(std::optional<uint64_t>& field, std::string_view value);

  // The findings, in vocabulary order: title, author..., subject..., keywords, created,
  // modified, language, creator, pages, sheets, slides. The description stands in for the
  // subject when none is stated.
  std::vector<std::pair<std::string, std::string>> Findings() const;
};

// `value` as valid UTF-8, its white space collapsed and trimmed, cut to kMaxValueBytes.
std::string Clean(std::string_view value);

// A W3C date-time (OOXML dcterms, EPUB dc:date) or an ODF xsd:dateTime, normalized to the
// vocabulary's UTC form: "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD" when only the day is given.
// An offset ("+02:00") is applied; a time without a zone is taken as UTC (the file does not say,
// and ODF writers store local time without one); fractions of a second are dropped. Returns
// std::nullopt for anything else (a year alone, a malformed or impossible date).
std::optional<std::string> NormalizeTime(std::string_view value);

}  // namespace archivum::bundled::office
