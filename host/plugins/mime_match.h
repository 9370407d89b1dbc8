// MIME routing: whether a plugin's accept/reject patterns match a file's MIME type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace archivum::plugins {

// Shell-style, case-insensitive match of `pattern` ("text/*", "*/*", "application/pdf") against
// `mime`, ignoring MIME parameters ("text/plain; charset=utf-8" is "text/plain"). An unknown
// (empty) MIME matches only the universal patterns "*" and "*/*".
bool MimeMatches(std::string_view pattern, std::string_view mime);

// True if any pattern matches.
bool AnyMimeMatches(const std::vector<std::string>& patterns, std::string_view mime);

}  // namespace archivum::plugins
