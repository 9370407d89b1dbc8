// archivum_bench_report: turns one bench/run's raw outputs into the results table and a small
// JSON file.
//
//   archivum_bench_report --fragments DIR [--out FILE.json] [--markdown OUT.md]
//                         [--documents-markdown OUT.md]
//
// DIR holds one JSON file per measurement, as bench/run leaves them: meta, ingest (+ the CLI's
// ingest summaries), hyperfine exports of the floors, recoll, startup, grpc_*/http_* (load
// client and wrk script), query (in-process latency), abi (Google Benchmark), ocr (the ocr plugin
// and the tesseract command, archivum_bench_ocr) and documents_*
// (the document corpus: the generator's summary, the daemon's ingest, recollindex, and the
// recall of both). A missing fragment shows as "-" and its targets as "n/a", so a partial run
// still reports. There are two tables: the tree's (not made when meta says only the documents
// section ran) and the document corpus's (made when its fragments are there). They are Markdown
// (readable in a terminal, pasted as is into bench/README.md); the JSON keeps only the figures,
// rounded, so it stays small and diffs well between runs.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/latency.h"
#include "report/documents_table.h"
#include "report/figures.h"

namespace {

using archivum::bench::report::Div;
using archivum::bench::report::DocumentsTable;
using archivum::bench::report::Fmt;
using archivum::bench::report::Fragments;
using archivum::bench::report::J;
using archivum::bench::report::json;
using archivum::bench::report::Num;
using archivum::bench::report::Scale;
using archivum::bench::report::Sum;
using archivum::bench::report::Target;
using archivum::bench::report::TargetCounts;

struct Row {
  std::string area;
  std::string measure;
  std::string value;
  std::string target;
  std::string status;  // "met", "MISSED", "n/a" or "" (no target)
};

class Report {
 public:
  explicit Report(const Fragments& f) : f_(f) {}

  void Build() {
    Meta();
    if (HasTree()) {
      Ingest();
      Grpc();
      Http();
      ServerSide();
      Abi();
      Startup();
      Ocr();
      Photos();
    }
    if (f_.Get("documents_corpus") != nullptr) documents_.Build(results_["documents"]);
    // The yara section's summary, as bench/run computed it.
    if (const json* yara = f_.Get("yara")) results_["yara"] = *yara;
    // The photo section's summary, as bench/run computed it.
    if (const json* photos = f_.Get("photos")) results_["photos"] = *photos;
  }

  // Whether the run measured the tree (all sections), not only the document corpus.
  bool HasTree() const { return f_.S("meta", "/sections", "all") != "documents"; }

  // The tree's table; empty if the run did not measure the tree.
  std::string Markdown() const {
    if (!HasTree()) return "";
    std::string out = header_ + "\n| area | measure | value | target | |\n|---|---|---|---|---|\n";
    for (const Row& r : rows_) {
      out += "| " + r.area + " | " + r.measure + " | " + r.value + " | " + r.target + " | " +
             r.status + " |\n";
    }
    return out + TargetCounts(targets_);
  }

  // The document corpus's table; empty if the run did not make the corpus.
  std::string DocumentsMarkdown() const {
    if (f_.Get("documents_corpus") == nullptr) return "";
    return documents_.Markdown(HasTree() ? "" : header_);
  }

  json Json() const {
    json targets = json::array();
    std::vector<const Target*> all;
    for (const Target& t : targets_) all.push_back(&t);
    for (const Target& t : documents_.targets()) all.push_back(&t);
    for (const Target* tp : all) {
      const Target& t = *tp;
      targets.push_back(
          {{"name", t.name}, {"value", J(t.value)}, {"target", t.Text()}, {"status", t.Status()}});
    }
    json out = results_;
    out["schema"] = 1;
    out["targets"] = std::move(targets);
    return out;
  }

 private:
  void Add(std::string area, std::string measure, std::string value,
           const Target* target = nullptr) {
    rows_.push_back({std::move(area), std::move(measure), std::move(value),
                     target ? target->Text() : "", target ? target->Status() : ""});
  }
  const Target* AddTarget(std::string name, Num value, bool at_least, double bound,
                          std::string unit) {
    targets_.push_back({std::move(name), value, at_least, bound, std::move(unit)});
    return &targets_.back();
  }

  void Meta() {
    const std::string mode = f_.S("meta", "/mode", "?");
    header_ =
        "Archivum bench, " + f_.S("meta", "/date") + ", commit " + f_.S("meta", "/commit") + ", " +
        mode + " run" + (HasTree() ? "" : ", document corpus only") + ", " +
        Fmt(f_.N("meta", "/cpus"), 0) + " cores (" + f_.S("meta", "/cpu_model") + "), Linux " +
        f_.S("meta", "/kernel") + "\n" +
        (HasTree() ? "Tree: " + f_.S("meta", "/tree") + ", " + Fmt(f_.N("meta", "/files"), 0) +
                         " files, " + Fmt(Scale(f_.N("meta", "/bytes"), 1e-6), 1) + " MB\n"
                   : "") +
        "Load average at start / end: " + f_.S("meta", "/loadavg_start", "?") + " / " +
        f_.S("meta_end", "/loadavg_end", "?") + " (other work on the machine competes)\n";
    results_["date"] = f_.S("meta", "/date");
    results_["commit"] = f_.S("meta", "/commit");
    results_["mode"] = mode;
    results_["machine"] = {{"cpus", J(f_.N("meta", "/cpus"), 0)},
                           {"cpu_model", f_.S("meta", "/cpu_model")},
                           {"kernel", f_.S("meta", "/kernel")},
                           {"loadavg_start", f_.S("meta", "/loadavg_start")},
                           {"loadavg_end", f_.S("meta_end", "/loadavg_end")}};
    results_["sections"] = f_.S("meta", "/sections", "all");
    if (HasTree()) {
      results_["tree"] = {{"path", f_.S("meta", "/tree")},
                          {"files", J(f_.N("meta", "/files"), 0)},
                          {"bytes", J(f_.N("meta", "/bytes"), 0)}};
    }
  }

  void Ingest() {
    const Num files = f_.N("meta", "/files");
    const Num mb = Scale(f_.N("meta", "/bytes"), 1e-6);
    json ingest;
    for (const char* pass : {"first", "second"}) {
      const std::string p = std::string("/") + pass;
      const std::string summary = std::string("ingest_") + pass;
      const Num wall = f_.N("ingest", p + "/wall_s");
      const Num seen = f_.N(summary, "/filesSeen");
      ingest[pass] = {{"wall_s", J(wall)},
                      {"cpu_s", J(f_.N("ingest", p + "/cpu_s"), 2)},
                      {"files_per_s", J(Div(seen, wall), 0)},
                      {"mb_per_s", J(Div(mb, wall), 1)},
                      {"server_ms", J(f_.N(summary, "/durationMs"), 0)},
                      {"files_seen", J(seen, 0)},
                      {"files_ingested", J(f_.N(summary, "/filesIngested"), 0)},
                      {"files_unchanged", J(f_.N(summary, "/filesUnchanged"), 0)},
                      {"files_failed", J(f_.N(summary, "/filesFailed"), 0)},
                      {"files_skipped", J(f_.N(summary, "/filesSkipped"), 0)},
                      {"plugin_errors", J(f_.N(summary, "/pluginErrors"), 0)},
                      {"peak_rss_mb", J(Scale(f_.N("ingest", p + "/hwm_kb"), 1.0 / 1024), 1)}};
    }
    const Num wall = f_.N("ingest", "/first/wall_s");
    const Num rate = Div(f_.N("ingest_first", "/filesSeen"), wall);
    const Num file_mime = f_.N("floor_file_mime", "/results/0/mean");
    // CPU seconds (user + system) of a floor's hyperfine export.
    const auto cpu_of = [&](const std::string& floor) {
      return Sum(f_.N(floor, "/results/0/user"), f_.N(floor, "/results/0/system"));
    };
    const Num file_mime_cpu = cpu_of("floor_file_mime");
    const Num cpu = f_.N("ingest", "/first/cpu_s");
    const Num sha = f_.N("floor_sha256sum", "/results/0/mean");
    const Num sha_cpu = cpu_of("floor_sha256sum");
    const Num fts_catalog_cpu = cpu_of("floor_fts5_catalog");
    const Num fts_positions_cpu = cpu_of("floor_fts5_positions");
    const Num file_distinct_cpu = cpu_of("floor_file_mime_distinct");
    const Num cat_warm_cpu = cpu_of("floor_cat_warm");
    const Num distinct = f_.N("distinct", "/distinct_files");
    const Num cores = f_.N("meta", "/cpus");
    const Num cold = f_.N("floor_cat_cold", "/results/0/mean");
    const Num warm = f_.N("floor_cat_warm", "/results/0/mean");
    const std::string recoll_status = f_.S("recoll", "/status", "not run");
    const Num recoll = f_.N("recoll", "/wall_s");
    const Num hwm = Scale(f_.N("ingest", "/first/hwm_kb"), 1.0 / 1024);

    // bench/run ingests the tree several times into fresh stores; "first" holds their means.
    std::string run_walls;
    json runs = json::array();
    for (int i = 0;; ++i) {
      const Num run_wall = f_.N("ingest", "/first_runs/" + std::to_string(i) + "/wall_s");
      if (!run_wall) break;
      run_walls += (run_walls.empty() ? "" : " / ") + Fmt(run_wall, 2);
      runs.push_back(
          {{"wall_s", J(run_wall)},
           {"cpu_s", J(f_.N("ingest", "/first_runs/" + std::to_string(i) + "/cpu_s"), 2)}});
    }
    ingest["first_runs"] = runs;
    Add("ingest", "first ingest (mean of " + std::to_string(runs.size()) + "): wall; files/s; MB/s",
        Fmt(wall, 2) + " s; " + Fmt(rate, 0) + " files/s; " + Fmt(Div(mb, wall)) + " MB/s" +
            (runs.size() > 1 ? " (runs: " + run_walls + " s)" : ""),
        AddTarget("ingest files/s", rate, true, 5000, " files/s"));
    // The same ingest with the plugins in the daemon's process: what the sandboxed workers cost.
    const Num inprocess = f_.N("ingest_inprocess", "/wall_s");
    const Num inprocess_cpu = f_.N("ingest_inprocess", "/cpu_s");
    const json* inprocess_runs = f_.Get("ingest_inprocess", "/runs");
    Add("ingest",
        "first ingest with `plugins.isolation: inprocess` (mean of " +
            std::to_string(inprocess_runs != nullptr ? inprocess_runs->size() : 0) +
            "): wall; CPU; isolated (default) / in process",
        Fmt(inprocess, 2) + " s; " + Fmt(inprocess_cpu, 2) + " s CPU; isolated " +
            Fmt(Div(wall, inprocess), 3) + "x the wall, " + Fmt(Div(cpu, inprocess_cpu), 3) +
            "x the CPU",
        AddTarget("isolated ingest wall / in-process ingest wall", Div(wall, inprocess), false,
                  1.10, "x"));
    ingest["inprocess"] = {{"wall_s", J(inprocess)}, {"cpu_s", J(inprocess_cpu, 2)}};
    Add("ingest", "first ingest / `file --mime-type` wall", Fmt(Div(wall, file_mime), 2) + "x",
        AddTarget("ingest wall / file --mime-type wall", Div(wall, file_mime), false, 1.5, "x"));
    Add("ingest", "first ingest CPU (daemon) vs `file --mime-type` CPU",
        Fmt(cpu, 2) + " s (" + Fmt(Scale(Div(cpu, files), 1e3), 2) + " ms/file) vs " +
            Fmt(file_mime_cpu, 2) + " s (" + Fmt(Scale(Div(file_mime_cpu, files), 1e3), 2) +
            " ms/file): " + Fmt(Div(cpu, file_mime_cpu), 2) + "x");
    Add("ingest", "recollindex / first ingest wall",
        recoll ? Fmt(Div(recoll, wall), 1) + "x faster" : recoll_status,
        AddTarget("recollindex wall / ingest wall", Div(recoll, wall), true, 10, "x"));
    // The filetype analyzer runs libmagic on every file, so `file --mime-type` over the same
    // files bounds the whole ingest from below; the two rate targets are compared with it here.
    Add("ingest", "bound: libmagic alone (`file --mime-type`) on every file",
        Fmt(Div(files, file_mime), 0) + " files/s; 10x recollindex needs a wall of " +
            Fmt(Scale(recoll, 0.1), 2) + " s = " + Fmt(Div(Scale(recoll, 0.1), file_mime), 2) +
            "x `file --mime-type`");
    // A lower bound on any ingest's wall: it must run libmagic on every distinct content at
    // least once, read and hash every file, and index the text with positions (phrases, BM25);
    // all of it CPU work. `file` and `sha256sum` both read every byte, the ingest once: one warm
    // `cat` is taken off. Left out: similar's MinHash and the catalog's own writes.
    const Num floors_cpu =
        Sum(Sum(Sum(file_distinct_cpu, sha_cpu), fts_positions_cpu), Scale(cat_warm_cpu, -1));
    const Num floors_wall = Div(floors_cpu, cores);
    Add("ingest", "bound: CPU that any such ingest needs, over the cores (see the floors)",
        Fmt(floors_cpu, 2) + " s (" + Fmt(file_distinct_cpu, 2) + " libmagic on distinct files + " +
            Fmt(sha_cpu, 2) + " sha256sum + " + Fmt(fts_positions_cpu, 2) + " FTS5 positions - " +
            Fmt(cat_warm_cpu, 2) + " one read) / " + Fmt(cores, 0) + " = a wall of at least " +
            Fmt(floors_wall, 2) + " s: at most " + Fmt(Div(files, floors_wall), 0) + " files/s, " +
            Fmt(Div(recoll, floors_wall), 1) + "x recollindex; this ingest is " +
            Fmt(Div(wall, floors_wall), 2) + "x the bound");
    Add("ingest", "peak RSS of the daemon and its plugin workers (sum of VmHWM)", Fmt(hwm) + " MB",
        AddTarget("ingest peak RSS", hwm, false, 200, " MB"));
    const Num errors = f_.N("ingest_first", "/pluginErrors");
    Add("ingest", "files seen / failed / skipped / plugin errors",
        Fmt(f_.N("ingest_first", "/filesSeen"), 0) + " / " +
            Fmt(f_.N("ingest_first", "/filesFailed"), 0) + " / " +
            Fmt(f_.N("ingest_first", "/filesSkipped"), 0) + " / " + Fmt(errors, 0));
    const Num wall2 = f_.N("ingest", "/second/wall_s");
    Add("ingest", "second ingest, unchanged tree: wall; files/s",
        Fmt(wall2, 2) + " s; " + Fmt(Div(f_.N("ingest_second", "/filesSeen"), wall2), 0) +
            " files/s; peak RSS " + Fmt(Scale(f_.N("ingest", "/second/hwm_kb"), 1.0 / 1024)) +
            " MB");
    Add("floors", "cat, cold (pages evicted) / warm", Fmt(cold, 2) + " s / " + Fmt(warm, 2) + " s");
    Add("floors", "`sha256sum`, xargs -P" + Fmt(cores, 0),
        Fmt(sha, 2) + " s (" + Fmt(Div(files, sha), 0) + " files/s)");
    Add("floors", "`file --mime-type`, xargs -P" + Fmt(cores, 0),
        Fmt(file_mime, 2) + " s (" + Fmt(Div(files, file_mime), 0) + " files/s)");
    Add("floors", "`recollindex` (fresh index)",
        recoll ? Fmt(recoll, 1) + " s (" + Fmt(Div(files, recoll), 0) + " files/s)"
               : recoll_status);
    Add("floors", "`file --mime-type` on one file per distinct content, xargs -P" + Fmt(cores, 0),
        Fmt(f_.N("floor_file_mime_distinct", "/results/0/mean"), 2) + " s, " +
            Fmt(file_distinct_cpu, 2) + " s CPU (" + Fmt(distinct, 0) + " files)");
    Add("floors",
        "FTS5 alone indexing the ingested text (sqlite3, CPU): catalog layout / positions only",
        Fmt(fts_catalog_cpu, 2) + " s / " + Fmt(fts_positions_cpu, 2) + " s");
    results_["ingest"] = std::move(ingest);
    results_["floors"] = {
        {"cat_cold_s", J(cold)},
        {"cat_warm_s", J(warm)},
        {"resident_after_evict_pct", J(f_.N("floors", "/resident_after_evict_pct"), 1)},
        {"sha256sum_s", J(sha)},
        {"file_mime_s", J(file_mime)},
        {"file_mime_cpu_s", J(file_mime_cpu)},
        {"sha256sum_cpu_s", J(sha_cpu)},
        {"fts5_catalog_cpu_s", J(fts_catalog_cpu)},
        {"fts5_positions_cpu_s", J(fts_positions_cpu)},
        {"file_mime_distinct_cpu_s", J(file_distinct_cpu)},
        {"distinct_files", J(distinct, 0)},
        {"cat_warm_cpu_s", J(cat_warm_cpu)},
        {"recollindex_s", J(recoll)},
        {"recollindex_status", recoll_status}};
  }

  json Load(const std::string& file, const std::string& rate_key) const {
    return {{"rate", J(f_.N(file, "/" + rate_key), 0)},
            {"p50_ms", J(f_.N(file, "/p50_ms"))},
            {"p99_ms", J(f_.N(file, "/p99_ms"))},
            {"errors", J(f_.N(file, "/errors"), 0)}};
  }

  void Grpc() {
    const Num ceiling = f_.N("grpc_ceiling", "/qps");
    const Num cheap = f_.N("grpc_cheap", "/qps");
    const Num ratio = Div(cheap, ceiling);
    const std::string n = Fmt(f_.N("grpc_cheap", "/in_flight"), 0);
    auto line = [&](const std::string& file, const std::string& label, const Target* target,
                    std::string extra = "") {
      Add("gRPC", label + ", " + n + " in flight",
          Fmt(f_.N(file, "/qps"), 0) + " calls/s" + extra + "; p50 " +
              Fmt(f_.N(file, "/p50_ms"), 2) + " ms, p99 " + Fmt(f_.N(file, "/p99_ms"), 2) + " ms" +
              ErrorsNote(f_.N(file, "/errors")),
          target);
    };
    const Num onehit = f_.N("grpc_ceiling_onehit", "/qps");
    line("grpc_ceiling", "transport ceiling (constant server, the daemon's recorded answers)",
         nullptr);
    line("grpc_ceiling_onehit",
         "transport ceiling, one small answer to every query (runs 1-14's ceiling)", nullptr);
    line("grpc_cheap", "Analyze cheap (sha256:/path:)",
         AddTarget("gRPC cheap QPS / ceiling", ratio, true, 0.5, "x ceiling"),
         " (" + Fmt(ratio, 2) + "x ceiling; " + Fmt(Div(cheap, onehit), 2) +
             "x runs 1-14's ceiling)");
    const Num p99 = f_.N("grpc_cheap", "/p99_ms");
    Add("gRPC", "Analyze cheap p99, " + n + " in flight", Fmt(p99, 2) + " ms",
        AddTarget("gRPC cheap p99", p99, false, 5, " ms"));
    line("grpc_fulltext", "Analyze full-text", nullptr);
    Add("gRPC", "peak RSS of the daemon during the gRPC and HTTP load",
        Fmt(Scale(f_.N("load_rss", "/hwm_kb"), 1.0 / 1024)) + " MB");
    json grpc = {{"in_flight", J(f_.N("grpc_cheap", "/in_flight"), 0)},
                 {"ceiling", Load("grpc_ceiling", "qps")},
                 {"ceiling_onehit", Load("grpc_ceiling_onehit", "qps")},
                 {"cheap", Load("grpc_cheap", "qps")},
                 {"fulltext", Load("grpc_fulltext", "qps")}};
    grpc["cheap"]["ratio_to_ceiling"] = J(ratio, 3);
    grpc["cheap"]["ratio_to_ceiling_onehit"] = J(Div(cheap, onehit), 3);
    grpc["peak_rss_mb"] = J(Scale(f_.N("load_rss", "/hwm_kb"), 1.0 / 1024), 1);
    results_["grpc"] = std::move(grpc);
  }

  void Http() {
    const std::string c = Fmt(f_.N("meta", "/connections"), 0);
    for (const char* klass : {"cheap", "fulltext"}) {
      const std::string file = std::string("http_") + klass;
      const Num rps = f_.N(file, "/rps");
      const Num errors = [&]() -> Num {
        Num sum = 0.0;
        for (const char* k : {"connect", "read", "write", "status", "timeout"}) {
          const Num e = f_.N(file, std::string("/errors/") + k);
          if (!e) return std::nullopt;
          *sum += *e;
        }
        return sum;
      }();
      const bool cheap = std::string(klass) == "cheap";
      Add("HTTP", std::string("wrk POST /analyze ") + (cheap ? "cheap" : "full-text") + ", -c" + c,
          Fmt(rps, 0) + " req/s; p50 " + Fmt(f_.N(file, "/latency_ms/p50"), 2) + " ms, p99 " +
              Fmt(f_.N(file, "/latency_ms/p99"), 2) + " ms" + ErrorsNote(errors),
          cheap ? AddTarget("HTTP cheap req/s", rps, true, 40000, " req/s") : nullptr);
      results_["http"][klass] = {{"rate", J(rps, 0)},
                                 {"p50_ms", J(f_.N(file, "/latency_ms/p50"))},
                                 {"p99_ms", J(f_.N(file, "/latency_ms/p99"))},
                                 {"errors", J(errors, 0)}};
    }
    results_["http"]["connections"] = J(f_.N("meta", "/connections"), 0);
  }

  void ServerSide() {
    const Num p50 = f_.N("query", "/fulltext/p50_ms");
    const Num p99 = f_.N("query", "/fulltext/p99_ms");
    Add("query", "full-text, server-side (in-process Searcher), median",
        Fmt(p50, 3) + " ms (" + Fmt(f_.N("query", "/fulltext/queries"), 0) + " queries x " +
            Fmt(f_.N("query", "/repeat"), 0) + ")",
        AddTarget("full-text median (server-side)", p50, false, 1, " ms"));
    Add("query", "full-text, server-side, p99 (max)",
        Fmt(p99, 3) + " ms (" + Fmt(f_.N("query", "/fulltext/max_ms"), 2) + " ms)",
        AddTarget("full-text p99 (server-side)", p99, false, 10, " ms"));
    if (const json* slow = f_.Get("query", "/fulltext/slowest"); slow && !slow->empty()) {
      const json& s = slow->at(0);
      Add("query", "slowest full-text query (median)",
          Fmt(s.value("median_ms", 0.0), 2) + " ms: `" + s.value("query", "") + "` (" +
              Fmt(s.value("total", 0.0), 0) + " matches)");
    }
    Add("query", "cheap, server-side: median / p99",
        Fmt(f_.N("query", "/cheap/p50_ms"), 3) + " / " + Fmt(f_.N("query", "/cheap/p99_ms"), 3) +
            " ms");
    // The facet counts of broad result sets (ext:h, the whole tree, common words), and the
    // same sets sorted by size: what the browser UI asks for.
    const Num facets = f_.N("query", "/facets/p50_ms");
    Add("query", "facets of a broad query (facets=true), server-side, median / max",
        Fmt(facets, 2) + " / " + Fmt(f_.N("query", "/facets/max_ms"), 2) + " ms",
        AddTarget("facets median (server-side)", facets, false, 20, " ms"));
    if (const json* slow = f_.Get("query", "/facets/slowest"); slow && !slow->empty()) {
      const json& s = slow->at(0);
      Add("query", "slowest facets query (median)",
          Fmt(s.value("median_ms", 0.0), 2) + " ms: `" + s.value("query", "") + "` (" +
              Fmt(s.value("total", 0.0), 0) + " matches)");
    }
    Add("query", "sorted by size (broad queries), server-side: median / max",
        Fmt(f_.N("query", "/sorted/p50_ms"), 2) + " / " + Fmt(f_.N("query", "/sorted/max_ms"), 2) +
            " ms");
    json server;
    for (const char* klass : {"fulltext", "cheap", "facets", "sorted"}) {
      const std::string k = std::string("/") + klass;
      server[klass] = {{"p50_ms", J(f_.N("query", k + "/p50_ms"))},
                       {"p90_ms", J(f_.N("query", k + "/p90_ms"))},
                       {"p99_ms", J(f_.N("query", k + "/p99_ms"))},
                       {"max_ms", J(f_.N("query", k + "/max_ms"))}};
      if (const json* slow = f_.Get("query", k + "/slowest")) server[klass]["slowest"] = *slow;
    }
    results_["server_side"] = std::move(server);
  }

  // Google Benchmark's CPU time of `name` in ns (the median aggregate when repeated). CPU time,
  // not real time: the calls are single-threaded, and on a shared machine real time also counts
  // the time the benchmark was not running.
  // A benchmark's CPU time (or, with `real`, its wall time) in ns: the median of its
  // repetitions, else its one run.
  Num Bench(const std::string& name, bool real = false) const {
    const json* list = f_.Get("abi", "/benchmarks");
    if (list == nullptr) return std::nullopt;
    Num plain;
    for (const json& b : *list) {
      const std::string n = b.value("name", "");
      const std::string unit = b.value("time_unit", "ns");
      const double scale = unit == "us" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9 : 1;
      const double t = b.value(real ? "real_time" : "cpu_time", 0.0) * scale;
      if (n == name + "_median") return t;
      if (n == name) plain = t;
    }
    return plain;
  }

  void Abi() {
    const Num raw = Bench("BM_RawDescriptorProcess");
    const Num host = Bench("BM_HostDispatch/noop");
    const Num locked = Bench("BM_HostDispatch/serialized");
    Add("plugin ABI", "raw descriptor->process(), no-op plugin (CPU time)",
        Fmt(raw, 1) + " ns/call");
    Add("plugin ABI", "host dispatch (pipeline::Stages::Process), no-op plugin",
        Fmt(host, 1) + " ns/call",
        AddTarget("ABI dispatch through the host", host, false, 50, " ns"));
    Add("plugin ABI", "host dispatch, non-thread-safe no-op plugin", Fmt(locked, 1) + " ns/call");
    static constexpr const char* kPlugins[] = {"filetype", "+text", "+hash", "+similar"};
    std::string bundled;
    json bundled_json;
    for (int i = 1; i <= 4; ++i) {
      const Num t = Scale(Bench("BM_BundledPipeline/" + std::to_string(i)), 1e-3);
      bundled += std::string(i > 1 ? ", " : "") + kPlugins[i - 1] + " " + Fmt(t, 1);
      bundled_json[kPlugins[i - 1]] = J(t, 2);
    }
    Add("plugin ABI", "bundled pipeline on a 3 KiB header, cumulative (CPU us/file)", bundled);
    // The same calls with the plugins in a sandboxed worker: wall time, since the cost is the two
    // processes waking each other.
    const Num isolated = Scale(Bench("BM_IsolatedDispatch/real_time", true), 1e-3);
    const Num isolated_pipeline = Scale(Bench("BM_IsolatedPipeline/real_time", true), 1e-3);
    const Num worker_start = Scale(Bench("BM_WorkerStart/real_time", true), 1e-6);
    const Num round_trip = Scale(Bench("BM_SocketPairRoundTrip/real_time", true), 1e-3);
    Add("plugin ABI", "floor: one byte to another process and back (socketpair, wall)",
        Fmt(round_trip, 1) + " us");
    Add("plugin ABI", "isolated dispatch: no-op plugin in a worker, tiny file (wall)",
        Fmt(isolated, 1) + " us/call",
        AddTarget("isolated call overhead", isolated, false, 20, " us"));
    Add("plugin ABI", "isolated bundled pipeline on the 3 KiB header, one round trip (wall)",
        Fmt(isolated_pipeline, 1) + " us/file");
    Add("plugin ABI", "replacing a killed worker: start of the bundled group's worker (wall)",
        Fmt(worker_start, 1) + " ms", AddTarget("worker replaced", worker_start, false, 50, " ms"));
    results_["abi"] = {{"raw_ns", J(raw, 2)},
                       {"host_ns", J(host, 2)},
                       {"host_serialized_ns", J(locked, 2)},
                       {"bundled_us", std::move(bundled_json)},
                       {"isolated_us", J(isolated, 2)},
                       {"isolated_pipeline_us", J(isolated_pipeline, 1)},
                       {"worker_start_ms", J(worker_start, 1)},
                       {"round_trip_us", J(round_trip, 2)}};
  }

  void Startup() {
    const Num serving = f_.N("startup", "/serving_ms/median");
    const Num rss = Scale(f_.N("startup", "/idle_rss_kb/median"), 1.0 / 1024);
    Add("start-up", "exec -> health SERVING, median of " + Fmt(f_.N("startup", "/runs"), 0),
        Fmt(serving, 1) + " ms (min " + Fmt(f_.N("startup", "/serving_ms/min"), 1) + ", max " +
            Fmt(f_.N("startup", "/serving_ms/max"), 1) + "; first, empty store " +
            Fmt(f_.N("startup", "/first_run_serving_ms"), 1) + ")",
        AddTarget("start-up to SERVING", serving, false, 150, " ms"));
    Add("start-up", "idle RSS after start (VmRSS)",
        Fmt(rss, 1) + " MB (" + Fmt(f_.N("startup", "/threads"), 0) + " threads)",
        AddTarget("idle RSS", rss, false, 40, " MB"));
    Add("start-up", "SIGTERM -> exit, idle daemon with one idle gRPC client connected",
        Fmt(f_.N("startup", "/shutdown_ms/median"), 0) + " ms");
    Add("start-up", "RSS after ingesting the tree (idle, index loaded)",
        Fmt(Scale(f_.N("ingest", "/rss_after_second_kb"), 1.0 / 1024), 1) + " MB");
    results_["startup"] = {{"serving_ms", J(serving, 2)},
                           {"serving_min_ms", J(f_.N("startup", "/serving_ms/min"), 2)},
                           {"first_run_serving_ms", J(f_.N("startup", "/first_run_serving_ms"), 2)},
                           {"shutdown_ms", J(f_.N("startup", "/shutdown_ms/median"), 2)},
                           {"idle_rss_mb", J(rss, 1)},
                           {"threads", J(f_.N("startup", "/threads"), 0)}};
  }

  // Camera-sized photos through the daemon with the bundled plugins (bench/run's photo section).
  void Photos() {
    const std::string status = f_.S("photos", "/status");
    if (f_.Get("photos") == nullptr || status != "ok") {
      Add("photos", "camera-sized JPEGs: images/s with EXIF and thumbnails",
          status.empty() ? "not run" : status);
      return;
    }
    Add("photos",
        "ingest of " + Fmt(f_.N("photos", "/files"), 0) + " JPEGs of " +
            Fmt(f_.N("photos", "/width"), 0) + " x " + Fmt(f_.N("photos", "/height"), 0) + " (" +
            Fmt(Scale(f_.N("photos", "/bytes"), 1e-6), 0) + " MB): EXIF and a WebP thumbnail each",
        Fmt(f_.N("photos", "/images_per_s"), 1) + " images/s, " +
            Fmt(f_.N("photos", "/mb_per_s"), 1) + " MB/s (" +
            Fmt(f_.N("photos", "/cpu_s_per_image"), 3) + " s CPU per image; image plugin " +
            Fmt(f_.N("photos", "/image_plugin_ms_per_call"), 1) + " ms per photo; " +
            Fmt(f_.N("photos", "/previews"), 0) + " thumbnails stored)");
  }

  // The ocr plugin next to the tesseract command on the same pages, one core (archivum_bench_ocr).
  void Ocr() {
    const std::string status = f_.S("ocr", "/status");
    if (!status.empty() || f_.Get("ocr") == nullptr) {
      Add("OCR", "pages/s on one core, ocr plugin and tesseract command",
          status.empty() ? "not run" : status);
      return;
    }
    const Num pages = f_.N("ocr", "/pages");
    const Num ours = f_.N("ocr", "/plugin/pages_per_s");
    const Num cli = f_.N("ocr", "/cli/pages_per_s");
    const Num ratio = f_.N("ocr", "/time_ratio");
    const std::string cli_status = f_.S("ocr", "/cli/status");
    Add("OCR",
        "ocr plugin, " + Fmt(pages, 0) + " A4 pages at 300 dpi (" +
            Fmt(f_.N("ocr", "/words_per_page"), 0) + " words each), one engine, one core",
        Fmt(ours, 2) + " pages/s (" + Fmt(f_.N("ocr", "/plugin/cpu_s_per_page"), 2) +
            " s CPU/page; create " + Fmt(f_.N("ocr", "/plugin/create_s"), 2) + " s, +" +
            Fmt(f_.N("ocr", "/plugin/rss_create_mb"), 0) + " MB RSS)");
    Add("OCR", "`tesseract PAGE OUT -l eng`, a process per page, OMP_THREAD_LIMIT=1",
        cli_status.empty()
            ? Fmt(cli, 2) + " pages/s (" + Fmt(f_.N("ocr", "/cli/cpu_s_per_page"), 2) +
                  " s CPU/page; " + f_.S("ocr", "/cli/version") + ")"
            : cli_status);
    Add("OCR", "time: ocr plugin / tesseract command, same pages", Fmt(ratio, 3) + "x",
        AddTarget("OCR time / tesseract command time", ratio, false, 1.1, "x"));
    Add("OCR", "words of the pages read (plugin / command); pages read alike",
        Fmt(Scale(f_.N("ocr", "/plugin/word_recall"), 100), 2) + "% / " +
            Fmt(Scale(f_.N("ocr", "/cli/word_recall"), 100), 2) + "%; " +
            Fmt(f_.N("ocr", "/same_text_pages"), 0) + " of " + Fmt(pages, 0));
    results_["ocr"] = {{"pages", J(pages, 0)},
                       {"plugin_pages_per_s", J(ours, 3)},
                       {"plugin_cpu_s_per_page", J(f_.N("ocr", "/plugin/cpu_s_per_page"), 3)},
                       {"plugin_create_s", J(f_.N("ocr", "/plugin/create_s"), 3)},
                       {"plugin_rss_create_mb", J(f_.N("ocr", "/plugin/rss_create_mb"), 1)},
                       {"cli_pages_per_s", J(cli, 3)},
                       {"cli_cpu_s_per_page", J(f_.N("ocr", "/cli/cpu_s_per_page"), 3)},
                       {"time_ratio", J(ratio, 3)},
                       {"plugin_word_recall", J(f_.N("ocr", "/plugin/word_recall"), 4)},
                       {"cli_word_recall", J(f_.N("ocr", "/cli/word_recall"), 4)},
                       {"same_text_pages", J(f_.N("ocr", "/same_text_pages"), 0)}};
  }

  static std::string ErrorsNote(Num errors) {
    return errors && *errors > 0 ? "; " + Fmt(errors, 0) + " ERRORS" : "";
  }

  const Fragments& f_;
  std::string header_;
  std::vector<Row> rows_;
  std::deque<Target> targets_;  // deque: Add() keeps pointers to its elements
  DocumentsTable documents_{f_};
  json results_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_report: the results table and JSON of one bench/run"};
  std::string dir, out, markdown, documents_markdown;
  app.add_option("--fragments", dir, "directory of the run's JSON fragments")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--out", out, "write the results JSON here");
  app.add_option("--markdown", markdown, "write the tree's table here too");
  app.add_option("--documents-markdown", documents_markdown,
                 "write the document corpus's table here too (empty if there is none)");
  CLI11_PARSE(app, argc, argv);

  const Fragments fragments(dir);
  Report report(fragments);
  report.Build();
  const std::string table = report.Markdown();
  const std::string documents = report.DocumentsMarkdown();
  std::cout << table << (table.empty() || documents.empty() ? "" : "\n") << documents;
  if (!markdown.empty()) std::ofstream(markdown) << table;
  if (!documents_markdown.empty()) std::ofstream(documents_markdown) << documents;
  if (!out.empty()) {
    std::ofstream file(out);
    file << report.Json().dump(1) << "\n";
    if (!file) {
      std::cerr << "archivum_bench_report: cannot write " << out << "\n";
      return 1;
    }
  }
  return 0;
}
