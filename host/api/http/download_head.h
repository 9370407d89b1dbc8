// What the gateway tells a browser about a download (GET /v1/content): the Content-Type and
// Content-Disposition of a cataloged document's bytes, chosen so that the bytes are saved, never
// rendered as a page (or run as script) from the daemon's origin.
//
// Pure functions; reentrant; none throws except std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace archivum::api::gateway {

// The Content-Type to serve content of the cataloged `mime` as: the type and subtype lower-cased,
// without parameters, except "application/octet-stream" for what a browser could render as
// active content (HTML, XHTML, SVG, any XML, anything with javascript or ecmascript, multipart)
// and for what is not a well-formed "type/subtype" of RFC 9110 token characters (unknown,
// including empty).
std::string DownloadMediaType(std::string_view mime);

// `attachment; filename="NAME"; filename*=UTF-8''NAME` (RFC 6266, RFC 8187) for a catalog path:
// NAME is its last component (after the last '/', so an archive member's own name), "download"
// if that is empty. The quoted form holds printable ASCII only (other bytes, '"', '\\' and '%'
// become '_'); the extended form percent-encodes every byte outside RFC 8187's attr-char. No
// control character (CR, LF) can reach the header.
std::string ContentDisposition(std::string_view path);

}  // namespace archivum::api::gateway
