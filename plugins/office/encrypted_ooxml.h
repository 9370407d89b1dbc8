// Recognizes a password-protected OOXML document (DOCX, XLSX, PPTX). Office encrypts the whole
// ZIP package and stores it as the stream "EncryptedPackage", next to its key data in
// "EncryptionInfo", in an OLE compound file (CFB, [MS-CFB]); libmagic reports such a file as
// application/encrypted (or application/CDFV2). Nothing in it is readable without the password,
// so the plugin only tags the document "encrypted".
//
// The check reads the CFB header and walks the directory's sector chain through the FAT, looking
// for both stream names. It is bounded: at most kMaxDirectorySectors directory sectors and as many
// DIFAT sectors, every offset checked against the input.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace archivum::bundled::office {

inline constexpr size_t kMaxDirectorySectors = 64;

// True if `bytes` starts with the CFB signature.
bool IsCompoundFile(std::string_view bytes);

// True if `bytes` is a compound file whose directory lists the streams "EncryptionInfo" and
// "EncryptedPackage" (an encrypted OOXML package).
bool IsEncryptedOoxml(std::string_view bytes);

}  // namespace archivum::bundled::office
