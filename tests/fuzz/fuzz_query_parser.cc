// libFuzzer harness: the Analyze query language, as the daemon runs it for every Analyze request.
//
// The input is the query text. It is parsed (with one plugin verb registered), compiled with a
// few limit/offset pairs, and evaluated against a small real catalog (SQLite with FTS5, created
// once per process in a temporary directory), so SQL the compiler gets wrong shows up too.
//
// Contracts checked beyond "no crash, no sanitizer report": Parse fails only with
// INVALID_ARGUMENT and a message; a parsed query always compiles; the compiled SQL binds exactly
// the parameters it numbers; the catalog evaluates it or refuses it with INVALID_ARGUMENT, never
// INTERNAL (which would be a compiler bug). A broken contract aborts, which libFuzzer reports.
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "query/parser.h"
#include "store/open_catalog.h"
#include "store/sqlite/query_compiler.h"

namespace {

namespace fs = std::filesystem;
using archivum::Status;
using archivum::StatusCode;

[[noreturn]] void Fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "contract broken: %s\ninput: %.*s\n", what.c_str(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

// The highest N of the "?N" placeholders in `sql`.
size_t HighestPlaceholder(const std::string& sql) {
  size_t highest = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '?') continue;
    size_t n = 0;
    while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      n = n * 10 + static_cast<size_t>(sql[++i] - '0');
    }
    highest = std::max(highest, n);
  }
  return highest;
}

class Catalog {
 public:
  Catalog() {
    std::string tmpl = (fs::temp_directory_path() / "archivum-fuzz-query-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir_ = tmpl;
    archivum::config::Store store_config;
    store_config.path = dir_;
    store_config.backend = archivum::config::StoreBackend::kSqlite;
    auto opened = archivum::store::OpenCatalog(store_config);
    if (!opened.ok()) {
      std::fprintf(stderr, "cannot open a catalog: %s\n", opened.status().ToString().c_str());
      std::abort();
    }
    catalog_ = std::move(*opened);
    std::vector<archivum::store::DocumentWrite> writes(3);
    const char* paths[] = {"/docs/report-2024.txt", "/docs/a b/notes.md", "/src/main.cc"};
    const char* texts[] = {"quarterly report with numbers, Straße",
                           "meeting notes: \"alpha\" 東京都", "int main() { return 0; }"};
    for (size_t i = 0; i < writes.size(); ++i) {
      auto& d = writes[i].document;
      d.path = paths[i];
      d.name = fs::path(d.path).filename().string();
      d.ext = fs::path(d.path).extension().string().substr(1);
      d.size = 100 * (i + 1);
      d.mtime_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(i);
      d.mime = i == 2 ? "text/x-c" : "text/plain";
      d.sha256 = std::string(64, i == 2 ? 'b' : 'a');
      writes[i].text = texts[i];
      writes[i].findings.push_back({"filetype", "mime", d.mime});
      writes[i].findings.push_back({"hash", "sha256", d.sha256});
    }
    // The metadata vocabulary, so that the metadata fields have words, counts and times to meet.
    writes[0].findings.push_back({"pdf", "author", "Jane Doe"});
    writes[0].findings.push_back({"pdf", "title", "Quarterly Report"});
    writes[0].findings.push_back({"pdf", "pages", "12"});
    writes[0].findings.push_back({"pdf", "created", "2024-03-01T09:30:00Z"});
    writes[1].findings.push_back({"mail", "from", "Ann <ann@example.org>"});
    writes[1].findings.push_back({"mail", "created", "2024-03-02"});
    writes[1].findings.push_back({"mail", "language", "pt-BR"});
    // The photo vocabulary, so that camera:, taken, width, height and near: meet values too.
    writes[2].findings.push_back({"image", "camera_make", "Canon"});
    writes[2].findings.push_back({"image", "camera_model", "Canon EOS 5D Mark IV"});
    writes[2].findings.push_back({"image", "taken", "2024-06-01T14:30:00+02:00"});
    writes[2].findings.push_back({"image", "width", "6720"});
    writes[2].findings.push_back({"image", "height", "4480"});
    writes[2].findings.push_back({"image", "gps_lat", "48.858361"});
    writes[2].findings.push_back({"image", "gps_lon", "2.294481"});
    writes[1].findings.push_back({"image", "gps_lat", "89.99"});
    writes[1].findings.push_back({"image", "gps_lon", "-180"});
    if (!catalog_->Commit(writes, {}).ok()) std::abort();
  }
  ~Catalog() {
    catalog_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  archivum::store::Catalog& get() { return *catalog_; }

 private:
  fs::path dir_;
  std::unique_ptr<archivum::store::Catalog> catalog_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Function-local: created on first use, destroyed at exit (libFuzzer exits normally).
  static Catalog catalog;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  archivum::query::ParseOptions options;
  options.verbs = {"similar"};
  auto parsed = archivum::query::Parse(text, options);
  if (!parsed.ok()) {
    if (parsed.status().code() != StatusCode::kInvalidArgument) {
      Fail("Parse failed with " + parsed.status().ToString(), text);
    }
    if (parsed.status().message().empty()) Fail("Parse failed without a message", text);
    return 0;
  }

  for (const auto& [limit, offset] : {std::pair<int64_t, int64_t>{20, 0}, {1, 2}}) {
    auto compiled = archivum::store::sqlite::Compile(*parsed, limit, offset);
    if (!compiled.ok()) Fail("Compile failed: " + compiled.status().ToString(), text);
    if (!compiled->has_catalog_terms) continue;
    if (HighestPlaceholder(compiled->sql) != compiled->params.size()) {
      Fail("sql numbers " + std::to_string(HighestPlaceholder(compiled->sql)) +
               " parameters but binds " + std::to_string(compiled->params.size()),
           text);
    }
    if (HighestPlaceholder(compiled->count_sql) != compiled->count_params().size()) {
      Fail("count_sql parameters do not match", text);
    }
  }

  if (parsed->where) {
    auto result = catalog.get().Search(*parsed, 20, 0);
    if (!result.ok() && result.status().code() != StatusCode::kInvalidArgument) {
      Fail("Search failed with " + result.status().ToString(), text);
    }
  }
  return 0;
}
