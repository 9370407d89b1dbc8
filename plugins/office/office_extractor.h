// The logic of the `office` plugin: the text and metadata of DOCX, XLSX, PPTX, ODT, ODS, ODP and
// EPUB documents. Each is a ZIP package of XML parts (libarchive reads the ZIP from memory,
// libxml2's SAX push parser reads the parts as they are decompressed: see zip_package.h and
// xml_stream.h). A document is ONE document whose text is its content, never an archive of its
// parts: the plugin emits no children.
//
// What it emits (plugin-api/README.md vocabulary):
//  - text, in reading order: DOCX body paragraphs, then headers, footers, footnotes and endnotes;
//    XLSX sheets in workbook order, each its name then its rows (cells tab-separated); PPTX
//    slides in presentation order; ODF content.xml (paragraphs, headings, table cells, frames);
//    EPUB chapters in spine order. A paragraph is a line; a table row is a line of
//    tab-separated cells;
//  - findings: title, author (one each), subject (one each; the description when no subject is
//    stated), keywords, created, modified (UTC ISO 8601), language, creator (the application),
//    pages (DOCX, ODT), sheets (XLSX, ODS), slides (PPTX, ODP), where the file states them;
//    "truncated" = "true" when a limit cut the text short;
//  - a preview (ABI 1.4; common/thumbnail.h) made from the image the package keeps to show the
//    document, when it is a raster image (JPEG, PNG, GIF, WebP, TIFF) of at most kMaxCoverBytes:
//    OOXML's thumbnail (docProps/thumbnail.jpeg, named by the package relationships), ODF's
//    Thumbnails/thumbnail.png, EPUB's cover image (the manifest item with the "cover-image"
//    property, or the one EPUB 2's <meta name="cover"> names). A log line when there is none
//    that can be read; the document is OK either way;
//  - the tag "encrypted" for a password-protected document: an OOXML package encrypted into a
//    compound file (its metadata is encrypted too: nothing else is emitted), an ODF document
//    whose content.xml is encrypted (see META-INF/manifest.xml), an EPUB whose chapters are
//    (META-INF/encryption.xml), or encrypted ZIP members. Such a document is still OK.
// Errors (ARCHIVUM_ERROR), for a file whose detected type is an office type or whose package
// says it is one ("mimetype" member, [Content_Types].xml): bytes that are not a ZIP, a damaged or
// truncated ZIP, a package without its main part ("not a readable DOCX: word/document.xml
// missing") or with malformed XML in it. Declined (ARCHIVUM_UNSUPPORTED): a file of another type
// that is no office package (which only a routing configuration sends here), and a compound file
// that is not an encrypted OOXML package.
//
// Bounds: members are never decompressed whole (at most max_part_size bytes of one member and
// max_total_size of the package are read); the text stops at max_text; the parser's own state is
// bounded (xml_stream.h); the cancellation check is polled for every 64 KiB.
//
// Thread safety: Extract and Process are reentrant and may run concurrently (libxml2 is
// initialized once, see InitXml; libarchive readers are per call).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archivum/plugin.hpp"

namespace archivum::bundled::office {

// The cover or thumbnail image read from a package, at most (a larger one is skipped).
inline constexpr size_t kMaxCoverBytes = size_t{16} << 20;

struct Options {
  bool thumbnails = true;                        // make the preview from the cover image
  uint64_t max_text = uint64_t{8} << 20;         // bytes of UTF-8 text emitted at most
  uint64_t max_part_size = uint64_t{256} << 20;  // decompressed bytes read from one member
  uint64_t max_total_size = uint64_t{1} << 30;   // decompressed bytes read from one document
};

// Parses {"max_text": <size>, "max_part_size": <size>, "max_total_size": <size>, "thumbnails":
// <bool>} (sizes as common/config.h reads them, 1 byte to 1 GiB for max_text, 4 GiB for the
// others). Throws
// sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the offending key.
Options ParseOptions(std::string_view config_json);

enum class Kind { kDocx, kXlsx, kPptx, kOdt, kOds, kOdp, kEpub };

// "DOCX", "XLSX", ... for messages.
std::string_view KindName(Kind kind);
// The kind libmagic's MIME type names (parameters and case ignored; ODF templates count as their
// document kind), or nullopt for any other type.
std::optional<Kind> KindForMime(std::string_view mime);

struct Document {
  Kind kind = Kind::kDocx;
  std::string text;  // well-formed UTF-8, at most Options::max_text bytes
  std::vector<std::pair<std::string, std::string>> findings;  // in vocabulary order
  bool encrypted = false;
  bool truncated = false;     // a limit cut the text short
  std::string cover;          // the bytes of the cover image (see above), or empty
  std::string cover_problem;  // why a cover the package names could not be read; empty if none
};

// Reads the document in `bytes` (not copied; never modified). `mime` is the detected type (may be
// empty or generic: the package then says what it is). `cancelled` is polled in every long loop.
// Throws sdk::Error: ARCHIVUM_ERROR with a message such as "not a readable DOCX: ..." for an
// unreadable document, ARCHIVUM_UNSUPPORTED for input that is no office document (see above),
// ARCHIVUM_CANCELLED once `cancelled` returned true.
// The cover image is read only when options.thumbnails is set.
Document Extract(std::string_view bytes, std::string_view mime, const Options& options,
                 const std::function<bool()>& cancelled);

// Extract on the file, then its results to the sink: the tag, the text in pieces of at most
// 64 KiB, the findings, the preview (when options.thumbnails). The host's refusal of text for its
// own output limit (RESOURCE_EXHAUSTED) truncates the text without failing. Returns ARCHIVUM_OK or
// throws as Extract does (or sdk::Error(ARCHIVUM_ERROR) if the host refuses output for another
// reason).
archivum_rc Process(const sdk::File& file, sdk::Sink& sink, const Options& options);

}  // namespace archivum::bundled::office
