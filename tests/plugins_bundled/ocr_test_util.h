// Shared by the ocr plugin's tests: images of printed words (rendered once per test program with
// support/documents/text_image.h) and a case-insensitive check for words in recognized text.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/documents/text_image.h"

namespace archivum::bundled::ocr::testing {

// The words of the test images, and the images: one line in a clean sans-serif face at 300 dpi,
// black on white, as a clean scan of a printed page gives.
inline constexpr std::string_view kPhrase = "Archivum recognizes printed words";
inline constexpr std::string_view kOtherPhrase = "Quarterly budget meeting tomorrow";
inline const std::vector<std::string> kPhraseWords = {"archivum", "recognizes", "printed", "words"};
inline const std::vector<std::string> kOtherPhraseWords = {"quarterly", "budget", "meeting",
                                                           "tomorrow"};

inline archivum::testing::GrayImage RenderLines(std::string_view text) {
  return archivum::testing::RenderTextImage({.text = std::string(text)});
}

// kPhrase, rendered once.
inline const archivum::testing::GrayImage& PhraseImage() {
  static const archivum::testing::GrayImage image = RenderLines(kPhrase);
  return image;
}

inline std::string PhrasePng() {
  return archivum::testing::EncodeImage(PhraseImage(), archivum::testing::TextImageFormat::kPng);
}

inline std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether `text` holds every one of `words` (lower case), ignoring case. tesseract's output for a
// given image and version is deterministic, but the tests assert the words a reader would see,
// not its exact spacing and line breaks.
inline ::testing::AssertionResult HasWords(std::string_view text,
                                           const std::vector<std::string>& words) {
  const std::string lower = Lower(text);
  for (const std::string& word : words) {
    if (lower.find(word) == std::string::npos) {
      return ::testing::AssertionFailure() << "\"" << word << "\" not in: \"" << text << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

inline std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF),
          static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}

// A PNG that declares a width x height gray image and holds no pixel data worth the name.
inline std::string PngDeclaring(uint32_t width, uint32_t height) {
  std::string chunk = "IHDR" + Be32(width) + Be32(height) + std::string("\x08\x00\x00\x00\x00", 5);
  const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(chunk.data()), chunk.size());
  return std::string("\x89PNG\r\n\x1a\n", 8) + Be32(13) + chunk + Be32(static_cast<uint32_t>(crc)) +
         Be32(0) + "IEND" + Be32(0xAE426082);
}

}  // namespace archivum::bundled::ocr::testing
