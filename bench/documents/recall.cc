// archivum_bench_recall: how many of a sample of the corpus's marker words an index finds, and
// whether it finds them in the right document.
//
//   archivum_bench_recall --manifest FILE --root DIR [--sample 300] [--seed 7]
//                         (--archivum HOST:PORT | --recoll CONFDIR) [--json OUT]
//
// The sample is drawn from the manifest (bench/documents/manifest.h) with the seed, so two runs
// with the same manifest, sample size and seed ask the same markers, whichever tool they ask.
// Each marker is one query: with --archivum a gRPC Analyze call (all of them over one
// channel), with --recoll one `recollq -c CONFDIR -F "url ipath filename" MARKER`.
//
// Each answer is classed as
//   exact  the document that holds the marker: for a member of a container, Archivum's
//          "container!/member" path, or a recoll result for the container file whose ipath is
//          the member's name (or, for a mail attachment, whose filename is);
//   file   not exact, but the file that holds it (the container of a member);
//   missed neither.
// Other documents in an answer are counted as false positives (each marker is in one document).
// Prints a summary; --json writes the counts, per kind of document too, and the first misses.
// Exits 1 if a query failed (the counts then leave it out).
#include <absl/strings/escaping.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "documents/manifest.h"
#include "documents/prose.h"

extern char** environ;

namespace {

namespace pb = ::aichemist_archivum;
using archivum::bench::ManifestEntry;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// One document an index returned: a path for Archivum; a URL, ipath and file name for recoll.
struct Result {
  std::string path;      // Archivum: the catalog path; recoll: the URL's file path
  std::string ipath;     // recoll only: the position inside the file ("" for the file itself)
  std::string filename;  // recoll only: the document's file name (an attachment's name)
};

// What one result is to the marker asked: its document, the file holding that document, or some
// other document.
enum class Match { kExact, kFile, kOther };
enum class Verdict { kExact, kFile, kMissed };

// Where the asked marker is: `expected` is the document's path under the corpus root
// ("root/a/pack.zip!/x.pdf"), `file` the path of the file holding it ("root/a/pack.zip").
struct Expected {
  const ManifestEntry& entry;
  std::string expected;
  std::string file;
};

struct Answer {
  bool ok = false;
  std::string error;
  std::vector<Result> results;
};

// Asks one marker. Implementations are used from one thread.
class Index {
 public:
  virtual ~Index() = default;
  virtual Answer Ask(const std::string& marker) = 0;
  virtual Match Classify(const Result& r, const Expected& e) const = 0;
};

class ArchivumIndex final : public Index {
 public:
  explicit ArchivumIndex(const std::string& target)
      : stub_(pb::FileManager::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  Answer Ask(const std::string& marker) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::AnalyzeRequest request;
    request.set_query(marker);
    request.set_limit(20);
    pb::AnalyzeResponse response;
    const grpc::Status status = stub_->Analyze(&context, request, &response);
    Answer answer;
    if (!status.ok()) {
      answer.error = "Analyze: " + status.error_message();
      return answer;
    }
    answer.ok = true;
    for (const pb::Hit& hit : response.hits()) answer.results.push_back({hit.path(), "", ""});
    return answer;
  }

  // A member has a catalog path of its own ("file!/member").
  Match Classify(const Result& r, const Expected& e) const override {
    if (r.path == e.expected) return Match::kExact;
    if (r.path == e.file || r.path.rfind(e.file + "!/", 0) == 0) return Match::kFile;
    return Match::kOther;
  }

 private:
  std::unique_ptr<pb::FileManager::Stub> stub_;
};

class RecollIndex final : public Index {
 public:
  RecollIndex(std::string config, std::string recollq)
      : config_(std::move(config)), recollq_(std::move(recollq)) {}

  Answer Ask(const std::string& marker) override {
    Answer answer;
    std::string out;
    const std::vector<std::string> args = {recollq_, "-c", config_, "-F", "url ipath filename",
                                           marker};
    if (!Run(args, &out, &answer.error)) return answer;
    // "Recoll query: ...", "N results", then one line per result: the fields in base64,
    // separated by one space (an empty field is an empty string between two spaces).
    std::istringstream lines(out);
    std::string line;
    bool in_results = false;
    while (std::getline(lines, line)) {
      if (!in_results) {
        in_results = line.size() > 8 && line.compare(line.size() - 8, 8, " results") == 0;
        continue;
      }
      if (line.empty()) continue;
      std::vector<std::string> fields;
      size_t start = 0;
      for (size_t space; (space = line.find(' ', start)) != std::string::npos; start = space + 1) {
        fields.push_back(line.substr(start, space - start));
      }
      fields.push_back(line.substr(start));
      std::vector<std::string> decoded(3);
      for (size_t i = 0; i < 3 && i < fields.size(); ++i) {
        if (!absl::Base64Unescape(fields[i], &decoded[i])) {
          answer.error = "recollq printed a field that is not base64: " + line;
          return answer;
        }
      }
      constexpr std::string_view kScheme = "file://";
      std::string path = decoded[0];
      if (path.compare(0, kScheme.size(), kScheme) == 0) path.erase(0, kScheme.size());
      answer.results.push_back({path, decoded[1], decoded[2]});
    }
    if (!in_results) {
      answer.error = "recollq printed no result count: " + out.substr(0, 200);
      return answer;
    }
    answer.ok = true;
    return answer;
  }

  // recoll returns the file's URL and, for a document inside it, an ipath: an archive member's
  // path in the archive, or a mail part's number (the attachment's name is then the result's
  // file name).
  Match Classify(const Result& r, const Expected& e) const override {
    if (r.path != e.file) return Match::kOther;
    const std::string_view member = e.entry.Member();
    if (member.empty()) return r.ipath.empty() ? Match::kExact : Match::kFile;
    if (r.ipath.empty()) return Match::kFile;
    const size_t slash = member.rfind('/');
    const std::string_view name = member.substr(slash == std::string_view::npos ? 0 : slash + 1);
    return r.ipath == member || r.filename == name ? Match::kExact : Match::kFile;
  }

 private:
  // Runs `args` (no shell) with stdout captured and stderr discarded.
  static bool Run(const std::vector<std::string>& args, std::string* out, std::string* error) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
      *error = "pipe failed";
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (rc != 0) {
      close(pipe_fds[0]);
      *error = "cannot run " + args[0] + ": " + std::strerror(rc);
      return false;
    }
    char buffer[65536];
    for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      out->append(buffer, static_cast<size_t>(n));
    }
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      *error = args[0] + " failed (status " + std::to_string(status) + ")";
      return false;
    }
    return true;
  }

  std::string config_;
  std::string recollq_;
};

struct Counts {
  size_t queries = 0, exact = 0, file = 0, missed = 0, false_positives = 0;

  void Add(Verdict v, size_t extra) {
    ++queries;
    (v == Verdict::kExact ? exact : v == Verdict::kFile ? file : missed)++;
    false_positives += extra;
  }
  json Json() const {
    return {{"queries", queries},
            {"exact", exact},
            {"file", file},
            {"missed", missed},
            {"false_positives", false_positives}};
  }
};

// The markers to ask: `n` of the entries (all if fewer), drawn without replacement.
std::vector<ManifestEntry> Sample(std::vector<ManifestEntry> entries, size_t n, uint64_t seed) {
  archivum::bench::Rng rng(seed);
  n = std::min(n, entries.size());
  for (size_t i = 0; i < n; ++i) {
    std::swap(entries[i], entries[i + rng.Below(entries.size() - i)]);
  }
  entries.resize(n);
  return entries;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_recall: which of the corpus's marker words an index finds"};
  std::string manifest_path, root, archivum_target, recoll_config, recollq = "recollq", json_out;
  size_t sample_size = 300;
  uint64_t seed = 7;
  size_t max_misses = 20;
  app.add_option("--manifest", manifest_path, "the corpus manifest")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--root", root, "the corpus directory the manifest's paths are relative to")
      ->required();
  app.add_option("--sample", sample_size, "markers to ask (default 300)");
  app.add_option("--seed", seed, "seed of the sample (default 7)");
  auto* a = app.add_option("--archivum", archivum_target, "ask archivumd's gRPC API at HOST:PORT");
  auto* r = app.add_option("--recoll", recoll_config, "ask recoll's index (its config directory)");
  a->excludes(r);
  app.add_option("--recollq", recollq, "the recollq program (default: recollq on PATH)");
  app.add_option("--misses", max_misses, "misses listed in the JSON (default 20)");
  app.add_option("--json", json_out, "write the counts as JSON here");
  CLI11_PARSE(app, argc, argv);
  if (archivum_target.empty() == recoll_config.empty()) {
    std::cerr << "archivum_bench_recall: give --archivum or --recoll\n";
    return 2;
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();

  std::ifstream manifest(manifest_path);
  std::string error;
  std::vector<ManifestEntry> entries = archivum::bench::ReadManifest(manifest, &error);
  if (!error.empty() || entries.empty()) {
    std::cerr << "archivum_bench_recall: " << manifest_path << ": "
              << (error.empty() ? "no entries" : error) << "\n";
    return 2;
  }
  const std::vector<ManifestEntry> sample = Sample(std::move(entries), sample_size, seed);

  std::unique_ptr<Index> index;
  if (!archivum_target.empty()) {
    index = std::make_unique<ArchivumIndex>(archivum_target);
  } else {
    index = std::make_unique<RecollIndex>(recoll_config, recollq);
  }

  Counts total;
  std::map<std::string, Counts> by_kind;  // "pdf", "zip/pdf", "eml/docx", ...
  json misses = json::array();
  size_t failures = 0;
  std::vector<double> latencies_ms;
  const auto start = Clock::now();
  for (const ManifestEntry& e : sample) {
    const auto t0 = Clock::now();
    const Answer answer = index->Ask(e.marker);
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!answer.ok) {
      if (failures++ < 5)
        std::cerr << "archivum_bench_recall: " << e.marker << ": " << answer.error << "\n";
      continue;
    }
    const Expected where{e, root + "/" + e.path, root + "/" + std::string(e.File())};
    Verdict verdict = Verdict::kMissed;
    size_t extra = 0;
    for (const Result& result : answer.results) {
      switch (index->Classify(result, where)) {
        case Match::kExact: verdict = Verdict::kExact; break;
        case Match::kFile:
          if (verdict == Verdict::kMissed) verdict = Verdict::kFile;
          break;
        case Match::kOther: ++extra; break;
      }
    }
    total.Add(verdict, extra);
    by_kind[e.container == "-" ? e.format : e.container + "/" + e.format].Add(verdict, extra);
    if (verdict != Verdict::kExact && misses.size() < max_misses) {
      json got = json::array();
      for (size_t i = 0; i < answer.results.size() && i < 3; ++i) {
        const Result& res = answer.results[i];
        got.push_back(res.ipath.empty() ? res.path : res.path + " [" + res.ipath + "]");
      }
      misses.push_back({{"marker", e.marker},
                        {"expected", e.path},
                        {"verdict", verdict == Verdict::kFile ? "file" : "missed"},
                        {"got", got}});
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double median = latencies_ms.empty() ? 0 : latencies_ms[latencies_ms.size() / 2];

  const std::string tool = archivum_target.empty() ? "recoll" : "archivum";
  std::cerr << "archivum_bench_recall (" << tool << "): " << total.queries
            << " markers: " << total.exact << " exact, " << total.file << " right file only, "
            << total.missed << " missed, " << total.false_positives << " false positives, "
            << failures << " failed queries; " << seconds << " s\n";
  if (!json_out.empty()) {
    json out = total.Json();
    out["tool"] = tool;
    out["sample"] = sample_size;
    out["seed"] = seed;
    out["failed_queries"] = failures;
    out["seconds"] = seconds;
    out["median_query_ms"] = median;
    for (const auto& [kind, counts] : by_kind) out["by_kind"][kind] = counts.Json();
    out["misses"] = std::move(misses);
    std::ofstream file(json_out);
    file << out.dump(1) << "\n";
    if (!file) {
      std::cerr << "archivum_bench_recall: cannot write " << json_out << "\n";
      return 1;
    }
  }
  return failures == 0 ? 0 : 1;
}
