#include "report/documents_table.h"

#include <algorithm>
#include <utility>

namespace archivum::bench::report {
namespace {

std::string Percent(Num part, Num whole) {
  const Num p = Scale(Div(part, whole), 100);
  return Fmt(part, 0) + " / " + Fmt(whole, 0) + " (" + Fmt(p, 1) + "%)";
}

// "zip/pdf 2, eml 1": the kinds of document with misses, most first; "none" if there are none.
std::string MissesByKind(const json* by_kind, bool count_file_as_found) {
  if (by_kind == nullptr || !by_kind->is_object()) return "-";
  std::vector<std::pair<long, std::string>> misses;
  for (const auto& [kind, counts] : by_kind->items()) {
    long missed = counts.value("missed", 0L);
    if (!count_file_as_found) missed += counts.value("file", 0L);
    if (missed > 0) misses.emplace_back(-missed, kind);
  }
  std::sort(misses.begin(), misses.end());
  std::string out;
  for (const auto& [negative, kind] : misses) {
    out += (out.empty() ? "" : ", ") + kind + " " + std::to_string(-negative);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

void DocumentsTable::Add(std::string measure, std::string archivum, std::string recoll,
                         std::string comparison, const Target* target) {
  rows_.push_back(
      {std::move(measure), std::move(archivum), std::move(recoll), std::move(comparison), target});
}

json DocumentsTable::Recall(const std::string& tool) const {
  const std::string file = "documents_recall_" + tool;
  // Markers in members (archive members, mail attachments) are the kinds "container/format".
  Num member_queries, member_exact;
  if (const json* by_kind = f_.Get(file, "/by_kind"); by_kind != nullptr && by_kind->is_object()) {
    member_queries = member_exact = 0.0;
    for (const auto& [kind, counts] : by_kind->items()) {
      if (kind.find('/') == std::string::npos) continue;
      *member_queries += counts.value("queries", 0.0);
      *member_exact += counts.value("exact", 0.0);
    }
  }
  json out = {{"queries", J(f_.N(file, "/queries"), 0)},
              {"exact", J(f_.N(file, "/exact"), 0)},
              {"file", J(f_.N(file, "/file"), 0)},
              {"missed", J(f_.N(file, "/missed"), 0)},
              {"false_positives", J(f_.N(file, "/false_positives"), 0)},
              {"failed_queries", J(f_.N(file, "/failed_queries"), 0)},
              {"member_queries", J(member_queries, 0)},
              {"member_exact", J(member_exact, 0)},
              {"median_query_ms", J(f_.N(file, "/median_query_ms"), 2)}};
  if (const json* by_kind = f_.Get(file, "/by_kind")) out["by_kind"] = *by_kind;
  return out;
}

void DocumentsTable::Build(json& results) {
  const std::string corpus = "documents_corpus";
  const Num files = f_.N(corpus, "/files");
  const Num mb = Scale(f_.N(corpus, "/bytes"), 1e-6);
  std::string formats;
  if (const json* by = f_.Get(corpus, "/files_by_format"); by != nullptr && by->is_object()) {
    for (const auto& [format, t] : by->items()) {
      formats += (formats.empty() ? "" : ", ") + format + " " + Fmt(t.value("files", 0.0), 0) +
                 " (" + Fmt(t.value("bytes", 0.0) * 1e-6, 1) + " MB)";
    }
  }
  const Num sample = f_.N("documents_recall_archivum", "/sample");
  // A corpus that was not made (skipped, not built, failed) has a status and nothing else.
  if (const std::string status = f_.S(corpus, "/status"); !status.empty()) {
    caption_ = "Document corpus: " + status + "\n";
    results = {{"status", status}};
    return;
  }
  caption_ = "Document corpus (bench/documents, seed " + Fmt(f_.N(corpus, "/seed"), 0) +
             "): " + Fmt(files, 0) + " files, " + Fmt(mb, 1) + " MB: " + formats + "; " +
             Fmt(f_.N(corpus, "/members"), 0) + " members in the archives " + "and mails; " +
             Fmt(f_.N(corpus, "/markers"), 0) + " marker words; generated in " +
             Fmt(f_.N(corpus, "/seconds"), 1) + " s. Recall: " + Fmt(sample, 0) +
             " markers drawn with seed " + Fmt(f_.N("documents_recall_archivum", "/seed"), 0) +
             ".\n";

  const std::string ingest = "documents_ingest", summary = "ingest_documents";
  const std::string recoll = "documents_recoll";
  const Num wall = f_.N(ingest, "/wall_s"), cpu = f_.N(ingest, "/cpu_s");
  const Num hwm = Scale(f_.N(ingest, "/hwm_kb"), 1.0 / 1024);
  const std::string recoll_status = f_.S(recoll, "/status", "not run");
  const bool recoll_ok = recoll_status == "ok";
  const Num r_wall = recoll_ok ? f_.N(recoll, "/wall_s") : std::nullopt;
  const Num r_cpu = recoll_ok ? f_.N(recoll, "/cpu_s") : std::nullopt;
  const Num r_hwm = recoll_ok ? Scale(f_.N(recoll, "/hwm_kb"), 1.0 / 1024) : std::nullopt;
  const auto recoll_or_status = [&](const std::string& value) {
    return recoll_ok ? value : recoll_status;
  };

  const Num speedup = Div(r_wall, wall);
  targets_.push_back({"document corpus: recollindex wall / ingest wall", speedup, true, 10, "x"});
  Add("wall time (`archivum ingest` / `recollindex -z`)", Fmt(wall, 2) + " s",
      recoll_or_status(Fmt(r_wall, 2) + " s"), Fmt(speedup, 1) + "x faster", &targets_.back());
  Add("CPU, user + system (the daemon and its workers / recollindex and its filters)",
      Fmt(cpu, 2) + " s", recoll_or_status(Fmt(r_cpu, 2) + " s"),
      Fmt(Div(r_cpu, cpu), 1) + "x less CPU");
  Add("throughput: files/s; MB/s",
      Fmt(Div(files, wall), 0) + " files/s; " + Fmt(Div(mb, wall), 1) + " MB/s",
      recoll_or_status(Fmt(Div(files, r_wall), 0) + " files/s; " + Fmt(Div(mb, r_wall), 1) +
                       " MB/s"));
  targets_.push_back(
      {"document corpus: ingest peak RSS", hwm, false, 300, " MB", "< 300 MB (archivumd)"});
  Add("peak RSS (sum of VmHWM: the daemon and its workers / recollindex's process tree, sampled "
      "every 0.2 s)",
      Fmt(hwm) + " MB", recoll_or_status(Fmt(r_hwm) + " MB"), "", &targets_.back());

  const json a = Recall("archivum"), r = Recall("recoll");
  const auto num = [](const json& j, const char* key) -> Num {
    return j.contains(key) && j[key].is_number() ? Num(j[key].get<double>()) : std::nullopt;
  };
  // Archivum's hit is the document itself (a member's own path); recoll's is the right file,
  // with or without the member, since it names members by ipath (see bench/README.md).
  const Num a_hits = num(a, "exact");
  const Num r_hits = Sum(num(r, "exact"), num(r, "file"));
  const Num a_recall = Scale(Div(a_hits, num(a, "queries")), 100);
  const Num r_recall = Scale(Div(r_hits, num(r, "queries")), 100);
  targets_.push_back({"document corpus: recall minus recollindex's (percentage points)",
                      Num(a_recall && r_recall ? Num(*a_recall - *r_recall) : std::nullopt), true,
                      0, "", ">= recollindex's"});
  Add("recall: markers found in the right document (archivumd: the document itself; "
      "recollindex: its file)",
      Percent(a_hits, num(a, "queries")), Percent(r_hits, num(r, "queries")),
      a_recall && r_recall ? Fmt(*a_recall - *r_recall, 1) + " points" : "-", &targets_.back());
  Add("markers in members (archive members, attachments) found in the member itself",
      Percent(num(a, "member_exact"), num(a, "member_queries")),
      Percent(num(r, "member_exact"), num(r, "member_queries")));
  Add("misses by kind of document (container/format)",
      MissesByKind(f_.Get("documents_recall_archivum", "/by_kind"), false),
      MissesByKind(f_.Get("documents_recall_recoll", "/by_kind"), true));
  Add("false positives (other documents returned); failed queries",
      Fmt(num(a, "false_positives"), 0) + "; " + Fmt(num(a, "failed_queries"), 0),
      Fmt(num(r, "false_positives"), 0) + "; " + Fmt(num(r, "failed_queries"), 0));
  Add("one query, median (archivumd: gRPC Analyze; recollindex: one `recollq` process)",
      Fmt(num(a, "median_query_ms"), 2) + " ms", Fmt(num(r, "median_query_ms"), 1) + " ms");
  Add("files seen / documents cataloged (files and members) / failed / plugin errors",
      Fmt(f_.N(summary, "/filesSeen"), 0) + " / " +
          Fmt(f_.N("documents_catalog", "/documents"), 0) + " / " +
          Fmt(f_.N(summary, "/filesFailed"), 0) + " / " + Fmt(f_.N(summary, "/pluginErrors"), 0),
      "-");

  results = {{"corpus",
              {{"files", J(files, 0)},
               {"bytes", J(f_.N(corpus, "/bytes"), 0)},
               {"members", J(f_.N(corpus, "/members"), 0)},
               {"markers", J(f_.N(corpus, "/markers"), 0)},
               {"seed", J(f_.N(corpus, "/seed"), 0)},
               {"generate_s", J(f_.N(corpus, "/seconds"), 2)}}},
             {"archivum",
              {{"wall_s", J(wall, 3)},
               {"cpu_s", J(cpu, 2)},
               {"peak_rss_mb", J(hwm, 1)},
               {"files_seen", J(f_.N(summary, "/filesSeen"), 0)},
               {"documents", J(f_.N("documents_catalog", "/documents"), 0)},
               {"files_failed", J(f_.N(summary, "/filesFailed"), 0)},
               {"plugin_errors", J(f_.N(summary, "/pluginErrors"), 0)},
               {"recall", a}}},
             {"recoll",
              {{"status", recoll_status},
               {"wall_s", J(r_wall, 3)},
               {"cpu_s", J(r_cpu, 2)},
               {"peak_rss_mb", J(r_hwm, 1)},
               {"recall", r}}},
             {"speedup", J(speedup, 2)},
             {"cpu_ratio", J(Div(r_cpu, cpu), 2)}};
  if (const json* by = f_.Get(corpus, "/files_by_format")) results["corpus"]["by_format"] = *by;
}

std::string DocumentsTable::Markdown(const std::string& header) const {
  if (rows_.empty()) return header + (header.empty() ? "" : "\n") + caption_;
  std::string out =
      header + (header.empty() ? "" : "\n") + caption_ +
      "\n| measure | archivumd | recollindex | archivumd vs recollindex | target | |\n"
      "|---|---|---|---|---|---|\n";
  for (const Row& r : rows_) {
    out += "| " + r.measure + " | " + r.archivum + " | " + r.recoll + " | " + r.comparison + " | " +
           (r.target ? r.target->Text() : "") + " | " + (r.target ? r.target->Status() : "") +
           " |\n";
  }
  return out + TargetCounts(targets_);
}

}  // namespace archivum::bench::report
