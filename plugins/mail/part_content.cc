#include "mail/part_content.h"

#include <vector>

#include "mail/gmime_util.h"

namespace archivum::bundled::mail {

std::string TextCharset(GMimeObject* part) {
  const char* declared = g_mime_object_get_content_type_parameter(part, "charset");
  if (declared == nullptr || *declared == '\0') return "";
  const char* canon = g_mime_charset_canon_name(declared);
  if (canon == nullptr) return "";
  if (g_ascii_strcasecmp(canon, "utf-8") == 0 || g_ascii_strcasecmp(canon, "us-ascii") == 0) {
    return "";
  }
  // As browsers do (WHATWG Encoding Standard: the label "iso-8859-1" means windows-1252): mail
  // declared ISO-8859-1 often holds Windows quotes and dashes in 0x80-0x9F, which ISO-8859-1
  // would turn into invisible control characters.
  if (g_ascii_strcasecmp(canon, "iso-8859-1") == 0) return "windows-1252";
  return canon;
}

ContentEnd ReadContent(GMimePart* part, bool to_utf8, size_t piece_size,
                       const std::function<bool(std::string_view)>& consume) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return ContentEnd::kComplete;
  GMimeStream* raw = g_mime_data_wrapper_get_stream(content);
  if (raw == nullptr) return ContentEnd::kComplete;
  g_mime_stream_reset(raw);

  GRef<GMimeStream> decoded(g_mime_stream_filter_new(raw));
  auto* filters = GMIME_STREAM_FILTER(decoded.get());
  switch (const GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding(content)) {
    case GMIME_CONTENT_ENCODING_BASE64:
    case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
    case GMIME_CONTENT_ENCODING_UUENCODE: {
      GRef<GMimeFilter> basic(g_mime_filter_basic_new(encoding, FALSE));
      g_mime_stream_filter_add(filters, basic.get());
      break;
    }
    default: break;
  }
  if (to_utf8) {
    const std::string charset = TextCharset(GMIME_OBJECT(part));
    if (!charset.empty()) {
      // NULL when iconv cannot convert from this charset: the bytes are then taken as UTF-8.
      GRef<GMimeFilter> convert(g_mime_filter_charset_new(charset.c_str(), "UTF-8"));
      if (convert != nullptr) g_mime_stream_filter_add(filters, convert.get());
    }
    GRef<GMimeFilter> newlines(g_mime_filter_dos2unix_new(FALSE));
    g_mime_stream_filter_add(filters, newlines.get());
  }

  // GMime's filter stream yields at most 4 KiB per read; the pieces are gathered up to
  // piece_size so that the host sees few, large writes.
  std::vector<char> buffer(piece_size);
  size_t filled = 0;
  while (true) {
    const ssize_t n =
        g_mime_stream_read(decoded.get(), buffer.data() + filled, piece_size - filled);
    if (n > 0) filled += static_cast<size_t>(n);
    const bool end = n < 0 || (n == 0 && g_mime_stream_eos(decoded.get()));
    if (filled == piece_size || (end && filled > 0)) {
      if (!consume(std::string_view(buffer.data(), filled))) return ContentEnd::kStopped;
      filled = 0;
    }
    if (end) return ContentEnd::kComplete;
  }
}

}  // namespace archivum::bundled::mail
