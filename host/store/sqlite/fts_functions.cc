#include "store/sqlite/fts_functions.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace archivum::store::sqlite {
namespace {

constexpr int kBodyColumn = 1;
constexpr int kSnippetTokens = 12;
// Instances per phrase considered when choosing the snippet window: enough to find a spot where
// several phrases meet, bounded so a word occurring 10,000 times in a body costs no more.
constexpr int kSnippetInstancesPerPhrase = 64;
constexpr std::string_view kEllipsis = "…";

// Per-query BM25 constants, computed on the first row (FTS5 auxdata lives for one query).
struct Bm25Data {
  double avgdl = 1;
  std::vector<double> idf;
  std::vector<double> freq;    // scratch, one per phrase
  std::vector<double> weight;  // per column, from the function's arguments (default 1.0)
  std::shared_ptr<const DocLengths> lengths;

  double Weight(int column) const {
    return column >= 0 && static_cast<size_t>(column) < weight.size()
               ? weight[static_cast<size_t>(column)]
               : 1.0;
  }
};

int CountRow(const Fts5ExtensionApi*, Fts5Context*, void* user) {
  ++*static_cast<int64_t*>(user);
  return SQLITE_OK;
}

double Idf(int64_t rows, int64_t hits) {
  // The same formula and floor as FTS5's bm25(), so scores are the same numbers.
  double idf =
      std::log((static_cast<double>(rows - hits) + 0.5) / (static_cast<double>(hits) + 0.5));
  if (idf <= 0.0) idf = 1e-6;
  return idf;
}

int LoadBm25Data(const Fts5ExtensionApi* api, Fts5Context* fts, Bm25Data* data,
                 FtsFunctionContext* context) {
  const int phrases = api->xPhraseCount(fts);
  sqlite3_int64 rows = 0;
  sqlite3_int64 tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc != SQLITE_OK) return rc;
  data->avgdl = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0;
  data->idf.assign(static_cast<size_t>(phrases), 0.0);
  data->freq.assign(static_cast<size_t>(phrases), 0.0);
  if (phrases == 1 && context->may_defer_idf && context->collect) {
    data->idf[0] = 1.0;
    context->idf_deferred = true;
    context->table_rows = rows;
    return SQLITE_OK;
  }
  for (int i = 0; i < phrases; ++i) {
    int64_t hits = 0;
    rc = api->xQueryPhrase(fts, i, &hits, CountRow);
    if (rc != SQLITE_OK) return rc;
    data->idf[static_cast<size_t>(i)] = Idf(rows, hits);
  }
  return SQLITE_OK;
}

// Occurrences of a phrase in the current row, each weighted by its column's weight, through the
// documented iteration: one xPhraseNext call per occurrence, from the iterator xPhraseFirst
// started (at column `col`, offset `off`; col < 0 when the row holds none).
double WeightedFrequencyByApi(const Fts5ExtensionApi* api, Fts5Context* fts, Fts5PhraseIter it,
                              int col, int off, const Bm25Data& data) {
  // A position list is ordered by column: count a column's run, then weigh it.
  double sum = 0;
  int last_col = -1;
  int64_t in_col = 0;
  for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off)) {
    if (col != last_col) {
      if (last_col >= 0) sum += static_cast<double>(in_col) * data.Weight(last_col);
      last_col = col;
      in_col = 0;
    }
    ++in_col;
  }
  if (last_col >= 0) sum += static_cast<double>(in_col) * data.Weight(last_col);
  return sum;
}

// The same sum, counted from the bytes the iterator spans instead of one xPhraseNext call per
// occurrence, which dominates ranking for a word that occurs hundreds of thousands of times over
// a query's matches. Those bytes are FTS5's position list, the format its
// doclists store on disk (fts5Int.h, stable since FTS5 shipped): a run of SQLite varints, one
// per occurrence (offset delta + 2, so never 1), where the single byte 0x01 at the start of a
// varint announces a new column, whose number follows as a varint. The iterator is only read
// (fts5.h asks that its fields not be modified), every read stays inside [it.a, it.b), and
// anything that does not parse as that format (a truncated varint, a column out of range or out
// of order) gives nullopt, for the caller to count through the API instead: an unexpected
// layout costs speed, never a wrong count. CatalogSearch tests compare the results with FTS5's
// own bm25().
std::optional<double> WeightedFrequencyFromBytes(const Fts5PhraseIter& it, int col,
                                                 const Bm25Data& data) {
  if (col < 0) return 0.0;
  const int columns = static_cast<int>(data.weight.size());
  const unsigned char* q = it.a;
  const unsigned char* const end = it.b;
  if (q == nullptr || end == nullptr || q > end || col >= columns) return std::nullopt;
  double sum = 0;
  int current = col;
  int64_t in_col = 1;  // the occurrence xPhraseFirst decoded
  while (q < end) {
    if (*q == 0x01) {
      sum += static_cast<double>(in_col) * data.Weight(current);
      in_col = 0;
      ++q;
      uint32_t next = 0;
      int bytes = 0;
      while (q < end && (*q & 0x80) != 0 && bytes < 4) {
        next = (next << 7) | (*q & 0x7fu);
        ++q;
        ++bytes;
      }
      if (q == end || (*q & 0x80) != 0) return std::nullopt;
      next = (next << 7) | *q;
      ++q;
      if (next >= static_cast<uint32_t>(columns) || static_cast<int>(next) <= current) {
        return std::nullopt;
      }
      current = static_cast<int>(next);
      continue;
    }
    // One occurrence: skip its varint (continuation bytes have the high bit set).
    while ((*q & 0x80) != 0) {
      if (++q == end) return std::nullopt;
    }
    ++q;
    ++in_col;
  }
  return sum + static_cast<double>(in_col) * data.Weight(current);
}

// BM25's term frequency of `phrase` in the current row, column weights applied.
int WeightedFrequency(const Fts5ExtensionApi* api, Fts5Context* fts, int phrase,
                      const Bm25Data& data, double* f) {
  Fts5PhraseIter it;
  int col = -1;
  int off = 0;
  const int rc = api->xPhraseFirst(fts, phrase, &it, &col, &off);
  if (rc != SQLITE_OK) return rc;
  const std::optional<double> counted = WeightedFrequencyFromBytes(it, col, data);
  *f = counted ? *counted : WeightedFrequencyByApi(api, fts, it, col, off, data);
  return SQLITE_OK;
}

void RankFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int nval,
                  sqlite3_value** vals) {
  try {
    constexpr double k1 = 1.2;
    constexpr double b = 0.75;
    auto* context = static_cast<FtsFunctionContext*>(api->xUserData(fts));
    auto* data = static_cast<Bm25Data*>(api->xGetAuxdata(fts, 0));
    if (!data) {
      auto owned = std::make_unique<Bm25Data>();
      const int rc = LoadBm25Data(api, fts, owned.get(), context);
      if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
      }
      owned->lengths = context->lengths;
      owned->weight.assign(static_cast<size_t>(std::max(0, api->xColumnCount(fts))), 1.0);
      for (int c = 0; c < nval && c < static_cast<int>(owned->weight.size()); ++c) {
        owned->weight[static_cast<size_t>(c)] = sqlite3_value_double(vals[c]);
      }
      data = owned.get();
      if (api->xSetAuxdata(fts, owned.release(),
                           [](void* p) { delete static_cast<Bm25Data*>(p); }) != SQLITE_OK) {
        sqlite3_result_error_nomem(ctx);
        return;
      }
    }
    const int phrases = static_cast<int>(data->idf.size());
    for (int p = 0; p < phrases; ++p) {
      double f = 0;
      const int rc = WeightedFrequency(api, fts, p, *data, &f);
      if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
      }
      data->freq[static_cast<size_t>(p)] = f;
    }
    double length = 0;
    const sqlite3_int64 rowid = api->xRowid(fts);
    if (data->lengths && rowid >= 0 && static_cast<uint64_t>(rowid) < data->lengths->size() &&
        (*data->lengths)[static_cast<size_t>(rowid)] != 0) {
      length = (*data->lengths)[static_cast<size_t>(rowid)];
    } else {
      int tokens = 0;
      const int rc = api->xColumnSize(fts, -1, &tokens);
      if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
      }
      length = tokens;
    }
    double score = 0;
    for (int p = 0; p < phrases; ++p) {
      const double f = data->freq[static_cast<size_t>(p)];
      score += data->idf[static_cast<size_t>(p)] *
               ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * length / data->avgdl)));
    }
    if (context->collect) {
      context->collect->emplace_back(score, rowid);
      sqlite3_result_null(ctx);
    } else {
      sqlite3_result_double(ctx, score);
    }
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  }
}

struct Instance {
  int offset;
  int size;
  int phrase;
};

// Byte ranges of the tokens of one body with index in [first, last); stops past `last`.
struct TokenScan {
  int first = 0;
  int last = 0;
  int index = 0;  // tokens seen so far
  bool more = false;
  std::vector<std::pair<int, int>> spans;  // spans[i] = token first + i
};

int CollectToken(void* user, int flags, const char*, int, int start, int end) {
  auto* scan = static_cast<TokenScan*>(user);
  if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;  // same position as the previous token
  if (scan->index >= scan->last) {
    scan->more = true;
    return SQLITE_DONE;  // stops the tokenizer
  }
  if (scan->index >= scan->first) scan->spans.emplace_back(start, end);
  ++scan->index;
  return SQLITE_OK;
}

void SnippetFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int,
                     sqlite3_value**) {
  try {
    const auto* context = static_cast<FtsFunctionContext*>(api->xUserData(fts));
    if (context->snippet_rows &&
        !std::binary_search(context->snippet_rows->begin(), context->snippet_rows->end(),
                            api->xRowid(fts))) {
      sqlite3_result_null(ctx);
      return;
    }
    const char* text = nullptr;
    int text_size = 0;
    int rc = api->xColumnText(fts, kBodyColumn, &text, &text_size);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    if (!text || text_size <= 0) {
      sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
      return;
    }

    // The first instances of every phrase in the body, in position order.
    std::vector<Instance> found;
    const int phrases = api->xPhraseCount(fts);
    for (int p = 0; p < phrases; ++p) {
      const int size = std::max(1, api->xPhraseSize(fts, p));
      Fts5PhraseIter it;
      int col = -1;
      int off = 0;
      rc = api->xPhraseFirst(fts, p, &it, &col, &off);
      if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
      }
      int taken = 0;
      for (; col >= 0 && taken < kSnippetInstancesPerPhrase;
           api->xPhraseNext(fts, &it, &col, &off)) {
        if (col != kBodyColumn) continue;
        found.push_back({off, size, p});
        ++taken;
      }
    }
    std::sort(found.begin(), found.end(), [](const Instance& a, const Instance& b) {
      return a.offset != b.offset ? a.offset < b.offset : a.phrase < b.phrase;
    });

    // The window start covering the most distinct phrases (the earliest such), centred on them.
    int window = 0;
    if (!found.empty()) {
      size_t best_distinct = 0;
      int best_first = 0;
      int best_end = 0;
      for (size_t i = 0; i < found.size(); ++i) {
        const int start = found[i].offset;
        std::vector<bool> seen(static_cast<size_t>(phrases), false);
        size_t distinct = 0;
        int end = start + found[i].size;
        for (size_t j = i; j < found.size() && found[j].offset < start + kSnippetTokens; ++j) {
          const int inst_end = found[j].offset + found[j].size;
          if (inst_end > start + kSnippetTokens && j != i) continue;
          end = std::max(end, inst_end);
          if (!seen[static_cast<size_t>(found[j].phrase)]) {
            seen[static_cast<size_t>(found[j].phrase)] = true;
            ++distinct;
          }
        }
        if (distinct > best_distinct) {
          best_distinct = distinct;
          best_first = start;
          best_end = end;
          if (distinct == static_cast<size_t>(phrases)) break;  // cannot do better
        }
      }
      const int covered = std::min(best_end - best_first, kSnippetTokens);
      window = std::max(0, best_first - (kSnippetTokens - covered) / 2);
    }

    // Token byte ranges from a little before the window (in case the body ends early and the
    // window must move back) to its end.
    TokenScan scan;
    scan.first = std::max(0, window - kSnippetTokens);
    scan.last = window + kSnippetTokens;
    rc = api->xTokenize(fts, text, text_size, &scan, CollectToken);
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
    if (!scan.more && scan.index < scan.last) {
      window = std::max(0, std::min(window, scan.index - kSnippetTokens));
    }
    const int window_end = std::min(scan.index, window + kSnippetTokens);
    if (window_end <= window) {
      sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
      return;
    }
    auto span = [&](int token) { return scan.spans[static_cast<size_t>(token - scan.first)]; };

    // Which window tokens open and close a highlighted run (overlapping instances merge).
    const size_t n = static_cast<size_t>(window_end - window);
    std::vector<int> depth(n + 1, 0);
    for (const Instance& inst : found) {
      const int a = std::max(inst.offset, window);
      const int z = std::min(inst.offset + inst.size, window_end);
      if (a >= z) continue;
      ++depth[static_cast<size_t>(a - window)];
      --depth[static_cast<size_t>(z - window)];
    }
    std::vector<bool> marked(n, false);
    int running = 0;
    for (size_t i = 0; i < n; ++i) {
      running += depth[i];
      marked[i] = running > 0;
    }

    const std::string_view body(text, static_cast<size_t>(text_size));
    const bool at_end = !scan.more && window_end == scan.index;
    // The quoted bytes [from, to) with each marked run's bytes between brackets. Byte ranges,
    // not token by token: the tokens of a CJK run are overlapping bigrams, whose spans share a
    // character (tokenizer.h).
    std::vector<std::pair<int, int>> runs;
    int to = 0;
    for (size_t i = 0; i < n; ++i) {
      const auto [start, end] = span(window + static_cast<int>(i));
      to = std::max(to, end);
      if (!marked[i]) continue;
      if (i == 0 || !marked[i - 1]) {
        runs.emplace_back(start, end);
      } else {
        runs.back().second = std::max(runs.back().second, end);
      }
    }
    const int from = window > 0 ? span(window).first : 0;
    if (at_end) to = text_size;
    std::string out;
    out.reserve(160);
    if (window > 0) out += kEllipsis;
    int pos = from;
    auto copy = [&](int a, int b) {
      if (b > a) out += body.substr(static_cast<size_t>(a), static_cast<size_t>(b - a));
    };
    for (const auto& [run_start, run_end] : runs) {
      const int a = std::max(run_start, pos);
      const int z = std::max(run_end, a);
      copy(pos, a);
      out += '[';
      copy(a, z);
      out += ']';
      pos = z;
    }
    copy(pos, to);
    if (!at_end) out += kEllipsis;
    sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  }
}

}  // namespace

fts5_api* GetFts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api;
}

void ApplyDeferredIdf(FtsFunctionContext* context, std::vector<std::pair<double, int64_t>>* rows) {
  if (!context->idf_deferred) return;
  const double idf = Idf(context->table_rows, static_cast<int64_t>(rows->size()));
  for (auto& row : *rows) row.first *= idf;
  context->idf_deferred = false;
}

Status RegisterFtsFunctions(sqlite3* db, FtsFunctionContext* context) {
  fts5_api* api = GetFts5Api(db);
  if (!api) return Internal("the SQLite library has no FTS5");
  if (api->xCreateFunction(api, "archivum_rank", context, RankFunction, nullptr) != SQLITE_OK ||
      api->xCreateFunction(api, "archivum_snippet", context, SnippetFunction, nullptr) !=
          SQLITE_OK) {
    return Internal("registering the catalog's FTS5 functions failed");
  }
  return Status::Ok();
}

}  // namespace archivum::store::sqlite
