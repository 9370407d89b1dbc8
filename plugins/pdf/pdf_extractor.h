// Text and metadata of PDF documents with poppler's C++ API (poppler-cpp), the logic of the `pdf`
// plugin.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"

namespace poppler {
class document;
}

namespace archivum::bundled::pdf {

// Separates the text of consecutive pages: a form feed on a line of its own.
inline constexpr std::string_view kPageSeparator = "\n\f\n";

// Text goes to the sink one page per call; a page longer than this goes in pieces of at most
// this many bytes, so that no single copy the host makes is large.
inline constexpr size_t kMaxTextPiece = size_t{256} << 10;

// An Info value longer than this many UTF-16 code units is not emitted (and logged instead):
// it is not a title or an author, and copying it would only let a hostile file make us allocate.
inline constexpr size_t kMaxInfoUnits = size_t{64} << 10;

// Whether a file is for this plugin: its MIME type says PDF (application/pdf or the older
// application/x-pdf, in any case, with or without parameters), or "%PDF-" starts within its first
// 1024 bytes, where poppler (like other readers) looks for the header. A file with neither sign
// reached the plugin only through a routing override or a tool that offers it every file; it is
// not a broken PDF, and an error would misreport it.
bool IsPdfCandidate(std::string_view mime, std::string_view bytes);

// Reads PDF documents from memory.
//
// Memory: the input is read in place, never copied. poppler holds the parsed objects and one
// page's text at a time, this class at most two copies of that page's text. poppler-cpp has no
// limit on what one page expands to (a content stream can inflate a thousandfold), so a hostile
// page can make poppler allocate without bound; the host's worker limits (memory rlimits,
// deadline) are what stop it.
//
// Thread safety: Process() may run concurrently, on one instance and on several; construction and
// destruction may not overlap other calls on the same instance. This holds because poppler keeps
// everything about a document in that document's objects, and a document is used here by one
// call only. What poppler shares between documents is guarded in poppler itself (GlobalParams'
// caches lock a mutex; GlobalParamsIniter counts documents under a lock), with one exception on
// this path: GfxState's constructor creates process-wide LittleCMS profiles the first time it runs
// without any lock, so two first page extractions at once would race. The constructor therefore
// extracts the text of a built-in page first, and renders it when thumbnails are on (so that the
// rendering path's first use, with whatever shared state it sets up, happens there too),
// serialized across instances, before any Process() can run. It also keeps that
// document open for the instance's lifetime, which keeps poppler's GlobalParams alive: poppler-cpp
// builds them for the first open document and frees them with the last, and rebuilding them for
// every file would cost more than reading a small PDF (1.6 ms against 0.12 ms).
class PdfExtractor {
 public:
  // Prepares poppler as described above; poppler's messages about the built-in document go to
  // `host`'s log (only used during the constructor). `thumbnails`: whether Process renders page 1
  // as the preview. Throws sdk::Error(ARCHIVUM_ERROR) if poppler cannot read that document (a
  // broken installation).
  explicit PdfExtractor(const sdk::Host& host, bool thumbnails = true);
  ~PdfExtractor();
  PdfExtractor(const PdfExtractor&) = delete;
  PdfExtractor& operator=(const PdfExtractor&) = delete;

  // Reads file.bytes() as a PDF without copying them and emits to `sink`:
  //  - findings in the metadata vocabulary (plugin-api/README.md): "pages"; "title", "author",
  //    "subject", "keywords", "creator", "producer" when the Info dictionary states them
  //    (trimmed, non-empty); "created", "modified" when they hold a valid date (see
  //    NormalizePdfDate). Then "truncated" = "true" if the host refused more text. The catalog's
  //    /Lang is not emitted: poppler-cpp does not expose it.
  //  - the text of every page in reading order (poppler's non-raw, non-physical layout), trimmed,
  //    pages separated by kPageSeparator (also around empty pages, so the n-th form feed always
  //    starts page n + 1).
  //  - for a document that needs a password: the tag "encrypted" and nothing else (poppler-cpp
  //    does not give the page count of a locked document). An empty user password is not one:
  //    such a document is read normally.
  //  - with thumbnails on, a preview (ABI 1.4; common/thumbnail.h): page 1 rendered at the
  //    resolution that makes its long side about kThumbnailMaxSide pixels, as a WebP. After the
  //    text, so that a page slow to render costs the preview, not the text. A page that cannot
  //    be rendered gets a log line instead; the document is still OK.
  // Returns ARCHIVUM_OK; ARCHIVUM_UNSUPPORTED, emitting nothing, for a file that is not a PDF by
  // either sign (see IsPdfCandidate); or ARCHIVUM_CANCELLED once file.cancelled() (polled before
  // and after loading and before each page; poppler itself cannot be interrupted).
  // Throws sdk::Error with ARCHIVUM_ERROR and a message starting "not a readable PDF: " for
  // empty, truncated or garbage input that is a PDF by one sign (with poppler's last complaint)
  // and for a document with a page poppler cannot find; with ARCHIVUM_RESOURCE_EXHAUSTED for a file
  // over INT_MAX bytes (poppler-cpp takes the length as an int); with ARCHIVUM_ERROR if the host
  // refuses output for another reason than its size limit.
  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) const;

 private:
  bool thumbnails_;
  std::string keepalive_bytes_;  // the built-in document; poppler reads it in place
  std::unique_ptr<poppler::document> keepalive_;
};

}  // namespace archivum::bundled::pdf
