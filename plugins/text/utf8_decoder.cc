#include "text/utf8_decoder.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <cstdint>

#include "archivum/plugin.hpp"
#include "common/utf8.h"

namespace archivum::bundled::text {
namespace {

// The bytes a UTF-8 sequence with lead byte `lead` takes (1 for a byte that cannot lead one).
size_t SequenceLength(uint8_t lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  return 1;
}

// ICU's own substitution writes U+001A for an unmappable single byte in some converters; the
// text gets U+FFFD for every sequence it cannot decode.
void Replace(const void* /*context*/, UConverterToUnicodeArgs* args, const char* /*units*/,
             int32_t /*length*/, UConverterCallbackReason reason, UErrorCode* error) {
  if (reason > UCNV_IRREGULAR) return;  // reset, close or clone: nothing to write
  *error = U_ZERO_ERROR;
  static const UChar kReplacement = 0xFFFD;
  ucnv_cbToUWriteUChars(args, &kReplacement, 1, 0, error);
}

}  // namespace

size_t CompleteUtf8Prefix(std::string_view s) {
  size_t lead = s.size();
  while (lead > 0 && s.size() - lead < 4 && (static_cast<uint8_t>(s[lead - 1]) & 0xC0) == 0x80) {
    --lead;
  }
  if (lead == 0) return s.size();
  --lead;  // the byte before the continuation bytes, if any, leads the last sequence
  return lead + SequenceLength(static_cast<uint8_t>(s[lead])) > s.size() ? lead : s.size();
}

Utf8Decoder::Utf8Decoder(std::string_view input, const Encoding& encoding, bool complete)
    : input_(input), complete_(complete) {
  if (encoding.converter.empty()) {
    end_ = complete ? input.size() : CompleteUtf8Prefix(input);
    return;
  }
  if (input.empty()) {
    done_ = true;
    return;
  }
  UErrorCode error = U_ZERO_ERROR;
  source_ = ucnv_open(encoding.converter.c_str(), &error);
  if (U_SUCCESS(error)) ucnv_setToUCallBack(source_, &Replace, nullptr, nullptr, nullptr, &error);
  if (U_SUCCESS(error)) utf8_ = ucnv_open("UTF-8", &error);
  if (U_FAILURE(error)) {
    if (source_ != nullptr) ucnv_close(source_);
    throw sdk::Error(ARCHIVUM_ERROR, "cannot decode " + encoding.name + " (ICU converter " +
                                         encoding.converter + ": " + u_errorName(error) + ")");
  }
  source_next_ = input.data();
  buffer_.resize(kPieceBytes);
}

Utf8Decoder::~Utf8Decoder() {
  if (source_ != nullptr) ucnv_close(source_);
  if (utf8_ != nullptr) ucnv_close(utf8_);
}

size_t Utf8Decoder::consumed() const {
  return source_ == nullptr ? position_ : static_cast<size_t>(source_next_ - input_.data());
}

std::string_view Utf8Decoder::Next() {
  if (source_ == nullptr) {
    if (position_ >= end_) return {};
    const std::string_view rest = input_.substr(position_, end_ - position_);
    size_t n = rest.size() <= kPieceBytes ? rest.size() : Utf8Boundary(rest, kPieceBytes);
    if (n == 0) n = std::min(rest.size(), kPieceBytes);  // never loop forever
    position_ += n;
    return rest.substr(0, n);
  }
  // The UTF-8 converter may stop in the middle of a character when the buffer fills; those bytes
  // (at most three) are carried to the front of the next piece.
  while (!done_ || carry_ > 0) {
    std::copy(buffer_.data() + carry_from_, buffer_.data() + carry_from_ + carry_, buffer_.data());
    char* target = buffer_.data() + carry_;
    carry_ = 0;
    if (!done_) {
      UErrorCode error = U_ZERO_ERROR;
      ucnv_convertEx(utf8_, source_, &target, buffer_.data() + buffer_.size(), &source_next_,
                     input_.data() + input_.size(), pivot_, &pivot_source_, &pivot_target_,
                     pivot_ + kPivotUnits, reset_, complete_, &error);
      reset_ = false;
      if (error != U_BUFFER_OVERFLOW_ERROR) {
        if (U_FAILURE(error)) {
          throw sdk::Error(ARCHIVUM_ERROR,
                           std::string("decoding to UTF-8 failed: ") + u_errorName(error));
        }
        done_ = true;
      }
    }
    char* const end = std::remove(buffer_.data(), target, '\0');
    const std::string_view piece(buffer_.data(), static_cast<size_t>(end - buffer_.data()));
    const size_t whole = done_ ? piece.size() : CompleteUtf8Prefix(piece);
    carry_from_ = whole;
    carry_ = piece.size() - whole;
    if (whole > 0) return piece.substr(0, whole);
  }
  return {};
}

}  // namespace archivum::bundled::text
