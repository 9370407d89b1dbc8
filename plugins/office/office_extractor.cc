#include "office/office_extractor.h"

#include <algorithm>
#include <cctype>

#include "common/config.h"
#include "common/thumbnail.h"
#include "common/utf8.h"
#include "office/encrypted_ooxml.h"
#include "office/formats.h"
#include "office/parts.h"
#include "office/xml_stream.h"
#include "office/zip_package.h"

namespace archivum::bundled::office {
namespace {

constexpr uint64_t kMaxTextLimit = uint64_t{1} << 30;
constexpr uint64_t kMaxSizeLimit = uint64_t{4} << 30;
// Text reaches the host in pieces of this size, so that no single copy is large.
constexpr size_t kChunkSize = size_t{64} << 10;

struct MimeKind {
  std::string_view mime;
  Kind kind;
};

// The types libmagic (file 5.44) reports for these packages: it reads the stored "mimetype"
// member of ODF and EPUB, and the first members' names of OOXML.
constexpr MimeKind kMimeKinds[] = {
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", Kind::kDocx},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Kind::kXlsx},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", Kind::kPptx},
    {"application/vnd.oasis.opendocument.text", Kind::kOdt},
    {"application/vnd.oasis.opendocument.text-template", Kind::kOdt},
    {"application/vnd.oasis.opendocument.spreadsheet", Kind::kOds},
    {"application/vnd.oasis.opendocument.spreadsheet-template", Kind::kOds},
    {"application/vnd.oasis.opendocument.presentation", Kind::kOdp},
    {"application/vnd.oasis.opendocument.presentation-template", Kind::kOdp},
    {"application/epub+zip", Kind::kEpub},
};

std::string Essence(std::string_view mime) {
  mime = mime.substr(0, mime.find(';'));
  std::string out;
  for (const char c : mime) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool IsOoxml(Kind kind) {
  return kind == Kind::kDocx || kind == Kind::kXlsx || kind == Kind::kPptx;
}

// What the package says it is: the "mimetype" member of ODF and EPUB, else [Content_Types].xml
// for OOXML, else the detected type.
std::optional<Kind> DetectKind(ZipPackage& package, std::optional<Kind> hinted) {
  if (const std::optional<std::string> stated = ReadSmallMember(package, "mimetype", 128)) {
    if (const std::optional<Kind> kind = KindForMime(*stated)) return kind;
  }
  if (hinted) return hinted;
  if (package.Find("[Content_Types].xml")) return Kind::kDocx;  // refined from its main part
  return std::nullopt;
}

// Whether a part's name says it is a raster image that libvips reads; Office also writes its
// thumbnails as EMF or WMF, which are vector drawings.
bool RasterName(std::string_view part) {
  const size_t dot = part.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string ext(part.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string_view raster : {"jpeg", "jpg", "png", "gif", "webp", "tif", "tiff"}) {
    if (ext == raster) return true;
  }
  return false;
}

// The bytes of the cover part, or "" (with the reason in *why) when it cannot be had: missing,
// not a raster image, too large, encrypted or damaged. A cover is never worth failing the
// document for.
std::string ReadCover(ZipPackage& package, const std::string& part, std::string* why) {
  if (!RasterName(part)) {
    *why = part + " is not a raster image";
    return {};
  }
  try {
    std::optional<std::string> bytes = ReadSmallMember(package, part, kMaxCoverBytes + 1);
    if (!bytes) {
      *why = part + " is missing or encrypted";
    } else if (bytes->size() > kMaxCoverBytes) {
      *why = part + " is larger than " + std::to_string(kMaxCoverBytes) + " bytes";
    } else {
      return std::move(*bytes);
    }
  } catch (const PackageError& e) {
    *why = part + ": " + SanitizeUtf8(e.what());
  }
  return {};
}

}  // namespace

Options ParseOptions(std::string_view config_json) {
  const PluginConfig config(config_json,
                            {"max_text", "max_part_size", "max_total_size", "thumbnails"});
  Options options;
  options.thumbnails = config.Bool("thumbnails", options.thumbnails);
  options.max_text = config.Size("max_text", options.max_text, 1, kMaxTextLimit);
  options.max_part_size = config.Size("max_part_size", options.max_part_size, 1, kMaxSizeLimit);
  options.max_total_size = config.Size("max_total_size", options.max_total_size, 1, kMaxSizeLimit);
  return options;
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kDocx: return "DOCX";
    case Kind::kXlsx: return "XLSX";
    case Kind::kPptx: return "PPTX";
    case Kind::kOdt: return "ODT";
    case Kind::kOds: return "ODS";
    case Kind::kOdp: return "ODP";
    case Kind::kEpub: return "EPUB";
  }
  return "office document";
}

std::optional<Kind> KindForMime(std::string_view mime) {
  const std::string essence = Essence(mime);
  for (const MimeKind& m : kMimeKinds) {
    if (essence == m.mime) return m.kind;
  }
  return std::nullopt;
}

Document Extract(std::string_view bytes, std::string_view mime, const Options& options,
                 const std::function<bool()>& cancelled) {
  InitXml();
  const std::optional<Kind> hinted = KindForMime(mime);
  Document doc;
  if (IsCompoundFile(bytes)) {
    if (!IsEncryptedOoxml(bytes)) {
      throw sdk::Error(ARCHIVUM_UNSUPPORTED,
                       "a compound file that is not an encrypted OOXML package");
    }
    doc.kind = hinted.value_or(Kind::kDocx);
    doc.encrypted = true;
    return doc;
  }

  std::string name(hinted ? KindName(*hinted) : "office document");
  // Input whose type is not an office type is only ours if the package says it is: short of
  // that it is declined (the host routes by type, so only a configuration that sends other
  // files here gets that far), while a package of a known kind that cannot be read is an error.
  bool recognized = hinted.has_value();
  try {
    PackageLimits limits;
    limits.max_member_bytes = options.max_part_size;
    limits.max_total_bytes = options.max_total_size;
    ZipPackage package(bytes, limits, cancelled);
    const std::optional<Kind> kind = DetectKind(package, hinted);
    if (!kind) throw PackageError("neither a mimetype member nor [Content_Types].xml");
    name = KindName(*kind);
    recognized = true;
    Extraction x(package, *kind, static_cast<size_t>(options.max_text));
    if (IsOoxml(*kind)) {
      ExtractOoxml(x);
    } else if (*kind == Kind::kEpub) {
      ExtractEpub(x);
    } else {
      ExtractOdf(x);
    }
    doc.kind = x.kind;
    doc.text = SanitizeUtf8(x.text);
    doc.findings = x.metadata.Findings();
    doc.encrypted = x.encrypted;
    doc.truncated = x.budget.truncated() || x.cut || package.limited();
    if (options.thumbnails && !x.encrypted && !x.cover.empty()) {
      std::string why;
      doc.cover = ReadCover(package, x.cover, &why);
      if (doc.cover.empty()) doc.cover_problem = SanitizeUtf8(why);
    }
  } catch (const PackageError& e) {
    // The reason may quote a member name, which need not be UTF-8.
    const std::string reason = SanitizeUtf8(e.what());
    if (!recognized) throw sdk::Error(ARCHIVUM_UNSUPPORTED, "not an office document: " + reason);
    throw sdk::Error(ARCHIVUM_ERROR, "not a readable " + name + ": " + reason);
  }
  if (cancelled && cancelled()) throw sdk::Error(ARCHIVUM_CANCELLED, "cancelled");
  return doc;
}

archivum_rc Process(const sdk::File& file, sdk::Sink& sink, const Options& options) {
  Document doc = Extract(file.bytes(), file.mime(), options, [&file] { return file.cancelled(); });
  const auto check = [](archivum_rc rc, std::string_view what) {
    if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
      throw sdk::Error(ARCHIVUM_ERROR, "the host refused " + std::string(what) + " (code " +
                                           std::to_string(rc) + ")");
    }
  };
  if (doc.encrypted) check(sink.Tag("encrypted"), "the tag");
  std::string_view text = doc.text;
  while (!text.empty()) {
    if (file.cancelled()) throw sdk::Error(ARCHIVUM_CANCELLED, "cancelled");
    size_t n = text.size() <= kChunkSize ? text.size() : Utf8Boundary(text, kChunkSize);
    if (n == 0) n = std::min(text.size(), kChunkSize);
    const archivum_rc rc = sink.Text(text.substr(0, n));
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) {
      doc.truncated = true;  // the host's output budget is smaller than ours
      break;
    }
    check(rc, "extracted text");
    text.remove_prefix(n);
  }
  for (const auto& [key, value] : doc.findings) check(sink.Finding(key, value), "a finding");
  if (doc.truncated) check(sink.Finding("truncated", "true"), "a finding");
  if (!doc.cover_problem.empty()) {
    sink.Log(sdk::LogLevel::kDebug, "no thumbnail: " + doc.cover_problem);
  } else if (!doc.cover.empty() && sink.TakesPreviews()) {
    if (file.cancelled()) throw sdk::Error(ARCHIVUM_CANCELLED, "cancelled");
    const Thumbnail thumbnail = ThumbnailFromEncoded(doc.cover);
    if (thumbnail.ok()) {
      const archivum_rc rc = sink.Preview(kThumbnailMime, thumbnail.webp);
      if (rc != ARCHIVUM_UNSUPPORTED) check(rc, "the preview");
    } else {
      sink.Log(sdk::LogLevel::kInfo, "no thumbnail of the cover image: " + thumbnail.error);
    }
  }
  return ARCHIVUM_OK;
}

}  // namespace archivum::bundled::office
