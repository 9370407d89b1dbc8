// Names of the child documents a message hands over: its attachments and attached messages.
//
// Thread safety: none; one ChildNamer per message.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace archivum::bundled::mail {

// Whether `mime_type` ("type/subtype", any case) is one of the types GMime reads as an
// attached message: message/rfc822, message/rfc2822, message/global, message/news.
bool IsMessageType(std::string_view mime_type);

// The file name extension usual for a MIME type ("application/pdf" -> ".pdf", ".eml" for
// IsMessageType), or "" when there is no obvious one. `mime_type` is "type/subtype", any case.
std::string ExtensionFor(std::string_view mime_type);

class ChildNamer {
 public:
  // The name of the next child, the n-th of the message (n counts every call, from 1):
  // `filename` as the message states it (decoded by GMime), made a single valid UTF-8 path
  // component (control characters, '/' and '\' become '_', at most kMaxNameBytes bytes), or,
  // when it is empty or only dots and spaces, "part-n" with the extension of `mime_type`
  // ("message-n.eml" for IsMessageType). A name given before gets "-2", "-3"... before its
  // extension, so that no two children of a message share one.
  std::string Next(std::string_view filename, std::string_view mime_type);

  static constexpr size_t kMaxNameBytes = 200;

 private:
  size_t count_ = 0;
  std::set<std::string, std::less<>> used_;
};

}  // namespace archivum::bundled::mail
