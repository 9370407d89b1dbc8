// The format readers behind Extract (office_extractor.h): one per family of packages. Each reads
// the parts its format needs, fills the extraction's metadata and text, and throws PackageError
// naming the part for an unreadable document ("word/document.xml missing"); the caller prefixes
// "not a readable DOCX: ".
//
// Thread safety: an Extraction belongs to one call on one thread.
#pragma once

#include <cstddef>
#include <string>

#include "office/metadata.h"
#include "office/office_extractor.h"
#include "office/text_builder.h"
#include "office/zip_package.h"

namespace archivum::bundled::office {

struct Extraction {
  Extraction(ZipPackage& package_in, Kind kind_in, size_t max_text_in)
      : package(package_in), kind(kind_in), max_text(max_text_in), budget(max_text_in) {}

  ZipPackage& package;
  Kind kind;  // an OOXML reader may correct it from the package's main part
  size_t max_text;
  TextBudget budget;
  Metadata metadata;
  std::string text;
  bool encrypted = false;
  bool cut = false;  // a size limit stopped the read of a part
  // The part name of the image that shows the document (OOXML's package thumbnail, ODF's
  // Thumbnails/thumbnail.png, EPUB's cover image), if the package names one; "" otherwise.
  std::string cover;
};

// DOCX, XLSX and PPTX (ECMA-376 transitional and strict).
void ExtractOoxml(Extraction& x);
// ODT, ODS and ODP (OpenDocument 1.x).
void ExtractOdf(Extraction& x);
// EPUB 2 and 3.
void ExtractEpub(Extraction& x);

}  // namespace archivum::bundled::office
