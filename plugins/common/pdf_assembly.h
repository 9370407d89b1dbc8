// A PDF file from its objects: header, numbered objects, an exact cross-reference table and the
// trailer, so that a PDF library reads it without repairs. For the small documents the PDF
// plugins make of their own to warm their libraries up at create, and for tests.
//
// Pure; reentrant.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace archivum::bundled {

// `objects[i]` is the body of object i + 1 (e.g. "<< /Type /Catalog /Pages 2 0 R >>"); object 1
// must be the document catalog.
inline std::string AssemblePdf(std::span<const std::string> objects) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
  for (const size_t offset : offsets) {
    const std::string digits = std::to_string(offset);
    pdf += std::string(10 - digits.size(), '0') + digits + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R >>\n";
  return pdf + "startxref\n" + std::to_string(xref) + "\n%%EOF\n";
}

}  // namespace archivum::bundled
