// Streams bytes in some character encoding as UTF-8, piece by piece, for the `text` plugin.
//
// With an Encoding whose converter is empty the input is well-formed UTF-8 without NUL and the
// pieces are views of the input itself (no copy). Otherwise ICU's converters decode it into a
// buffer of kPieceBytes: every ill-formed or unmappable sequence becomes one U+FFFD, and NUL
// characters are dropped (they would cut C strings in the full-text index). When the input is a
// prefix cut at an arbitrary byte (`complete` false), a character cut off by its end is dropped
// rather than replaced.
//
// Thread safety: one object per thread; pieces are valid until the next call to Next().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "text/encoding.h"

struct UConverter;

namespace archivum::bundled::text {

inline constexpr size_t kPieceBytes = size_t{64} << 10;

// The length of the longest prefix of well-formed UTF-8 `s` that ends with a whole character: `s`
// without a multi-byte character cut off by its end.
size_t CompleteUtf8Prefix(std::string_view s);

class Utf8Decoder {
 public:
  // `input` starts after any byte-order mark (the caller skips encoding.bom bytes) and must outlive
  // the decoder. Throws sdk::Error(ARCHIVUM_ERROR) if ICU cannot open encoding.converter
  // (ChooseEncoding only picks converters it can open).
  Utf8Decoder(std::string_view input, const Encoding& encoding, bool complete);
  ~Utf8Decoder();
  Utf8Decoder(const Utf8Decoder&) = delete;
  Utf8Decoder& operator=(const Utf8Decoder&) = delete;

  // The next piece of text: well-formed UTF-8 of at most about kPieceBytes bytes, never splitting a
  // character. Empty once the input is used up.
  std::string_view Next();
  // Input bytes consumed so far (for progress and cancellation checks).
  size_t consumed() const;

 private:
  static constexpr size_t kPivotUnits = 4096;

  std::string_view input_;
  size_t position_ = 0;  // pass-through: input bytes returned so far
  size_t end_ = 0;       // pass-through: input bytes to return (a cut-off character excluded)
  const bool complete_;
  UConverter* source_ = nullptr;  // null for pass-through
  UConverter* utf8_ = nullptr;
  const char* source_next_ = nullptr;
  char16_t pivot_[kPivotUnits];
  char16_t* pivot_source_ = pivot_;
  char16_t* pivot_target_ = pivot_;
  bool reset_ = true;
  bool done_ = false;
  std::string buffer_;     // decoded UTF-8
  size_t carry_from_ = 0;  // a character cut off by the end of the last piece starts here
  size_t carry_ = 0;       // and has this many bytes in buffer_
};

}  // namespace archivum::bundled::text
