#include "office/parts.h"

#include <memory>
#include <utility>

#include "common/utf8.h"
#include "office/metadata.h"

namespace archivum::bundled::office {
namespace {

constexpr size_t kMaxProperties = 4096;
// The attributes that state values in the formats' property elements: ODF statistics, OPF <meta>
// and the event of an OPF 2 dc:date.
constexpr std::pair<std::string_view, std::string_view> kKeptAttributes[] = {
    {"urn:oasis:names:tc:opendocument:xmlns:meta:1.0", "page-count"},
    {"urn:oasis:names:tc:opendocument:xmlns:meta:1.0", "table-count"},
    {"http://www.idpf.org/2007/opf", "event"},
    {"", "name"},
    {"", "content"},
    {"", "property"},
};
constexpr size_t kMaxRelationships = 65536;
constexpr std::string_view kRelationshipsNs =
    "http://schemas.openxmlformats.org/package/2006/relationships";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

class RelationshipsHandler : public XmlHandler {
 public:
  explicit RelationshipsHandler(std::string base) : base_(std::move(base)) {}

  void StartElement(std::string_view ns, std::string_view local,
                    const XmlAttributes& attributes) override {
    if (ns != kRelationshipsNs || local != "Relationship") return;
    if (relationships_.size() >= kMaxRelationships) return;
    Relationship r;
    r.id = std::string(attributes.Get("", "Id").value_or(""));
    const std::string_view type = attributes.Get("", "Type").value_or("");
    r.type = std::string(type.substr(type.rfind('/') + 1));
    if (attributes.Get("", "TargetMode").value_or("Internal") != "External") {
      r.target = ResolvePart(base_, attributes.Get("", "Target").value_or(""));
    }
    relationships_.push_back(std::move(r));
  }
  void EndElement(std::string_view, std::string_view) override {}
  void Characters(std::string_view) override {}

  std::vector<Relationship> Take() { return std::move(relationships_); }

 private:
  std::string base_;
  std::vector<Relationship> relationships_;
};

}  // namespace

std::vector<PartResult> ParseParts(ZipPackage& package, const std::vector<size_t>& indices,
                                   const std::vector<XmlHandler*>& handlers, XmlDialect dialect) {
  std::vector<PartResult> results(indices.size());
  std::vector<std::unique_ptr<XmlStream>> streams(indices.size());
  const auto stream = [&](size_t k) -> XmlStream& {
    if (streams[k] == nullptr) streams[k] = std::make_unique<XmlStream>(*handlers[k], dialect);
    return *streams[k];
  };
  package.Read(
      indices, [&](size_t k, std::string_view piece) { return stream(k).Feed(piece); },
      [&](size_t k, ZipPackage::End end) {
        PartResult& r = results[k];
        if (end == ZipPackage::End::kEncrypted) {
          r.encrypted = true;
          return;
        }
        r.read = true;
        XmlStream& s = stream(k);
        if (end == ZipPackage::End::kComplete) s.Finish();
        r.cut = end == ZipPackage::End::kLimit;
        r.error = s.error();
        streams[k].reset();  // one parser at a time: members are read one after the other
      });
  return results;
}

std::optional<PartResult> ParseNamedPart(ZipPackage& package, std::string_view name,
                                         XmlHandler& handler, XmlDialect dialect) {
  const std::optional<size_t> index = package.Find(name);
  if (!index) return std::nullopt;
  return ParseParts(package, {*index}, {&handler}, dialect).front();
}

std::optional<std::string> ReadSmallMember(ZipPackage& package, std::string_view name,
                                           size_t max_bytes) {
  const std::optional<size_t> index = package.Find(name);
  if (!index) return std::nullopt;
  std::string out;
  bool read = false;
  package.Read(
      {*index},
      [&](size_t, std::string_view piece) {
        out.append(piece.substr(0, max_bytes - out.size()));
        return out.size() < max_bytes;
      },
      [&](size_t, ZipPackage::End end) { read = end != ZipPackage::End::kEncrypted; });
  if (!read) return std::nullopt;
  return out;
}

std::string DirectoryOf(std::string_view part) {
  const size_t slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

std::string ResolvePart(std::string_view base_directory, std::string_view reference) {
  reference = reference.substr(0, reference.find('#'));
  std::string path = PercentDecode(reference);
  if (!path.empty() && path.front() == '/') {
    path.erase(0, 1);
  } else {
    path = std::string(base_directory) + path;
  }
  std::vector<std::string_view> segments;
  std::string_view rest = path;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string out;
  for (const std::string_view segment : segments) {
    if (!out.empty()) out.push_back('/');
    out.append(segment);
  }
  return out;
}

std::optional<std::string_view> Property::Attribute(std::string_view ns,
                                                    std::string_view local) const {
  for (const auto& a : attributes) {
    if (a[0] == ns && a[1] == local) return a[2];
  }
  return std::nullopt;
}

void PropertyCollector::StartElement(std::string_view ns, std::string_view local,
                                     const XmlAttributes& attributes) {
  ++current_;
  if (current_ != depth_ || properties_.size() >= kMaxProperties) return;
  Property p;
  p.ns = std::string(ns);
  p.local = std::string(local);
  for (const auto& [attr_ns, name] : kKeptAttributes) {
    if (const auto v = attributes.Get(attr_ns, name)) {
      p.attributes.push_back({std::string(attr_ns), std::string(name), Clean(*v)});
    }
  }
  properties_.push_back(std::move(p));
  capturing_ = true;
}

void PropertyCollector::EndElement(std::string_view, std::string_view) {
  if (current_ == depth_) capturing_ = false;
  --current_;
}

void PropertyCollector::Characters(std::string_view text) {
  if (!capturing_) return;
  std::string& out = properties_.back().text;
  const size_t room = 2 * kMaxValueBytes - std::min(out.size(), 2 * kMaxValueBytes);
  out.append(text.substr(0, room));
}

void TextHandler::StartElement(std::string_view ns, std::string_view local,
                               const XmlAttributes& attributes) {
  if (skipped_depth_ > 0) {
    ++skipped_depth_;
  } else if (Skip(ns, local)) {
    skipped_depth_ = 1;
  } else {
    Open(ns, local, attributes);
  }
}

void TextHandler::EndElement(std::string_view ns, std::string_view local) {
  if (skipped_depth_ > 0) {
    --skipped_depth_;
  } else {
    Close(ns, local);
  }
}

void TextHandler::Characters(std::string_view text) {
  if (skipped_depth_ == 0) Text(text);
}

std::vector<Relationship> ReadRelationships(ZipPackage& package, std::string_view part) {
  const std::string directory = DirectoryOf(part);
  const std::string file(part.substr(directory.size()));
  const std::string rels = directory + "_rels/" + file + ".rels";
  RelationshipsHandler handler(directory);
  const std::optional<PartResult> result = ParseNamedPart(package, rels, handler);
  if (!result || !result->ok()) return {};
  return handler.Take();
}

std::string TargetOf(const std::vector<Relationship>& relationships, std::string_view type) {
  for (const Relationship& r : relationships) {
    if (r.type == type && !r.target.empty()) return r.target;
  }
  return "";
}

std::string JoinTexts(std::vector<TextBuilder>& parts, size_t max_bytes) {
  std::string out;
  for (TextBuilder& part : parts) {
    std::string text = part.Take();
    if (text.empty()) continue;
    if (!out.empty()) out.push_back('\n');
    out.append(text);
  }
  if (out.size() > max_bytes) out.resize(Utf8Boundary(out, max_bytes));
  return out;
}

}  // namespace archivum::bundled::office
