#include "documents/prose.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

namespace archivum::bench {
namespace {

// Word classes for sentences built from clause templates. Each list runs roughly from the most to
// the least common; Zipf() draws a rank with a Zipf-like law, so a few words come up often and
// most rarely, as in real text.
constexpr const char* kNouns[] = {
    "team",        "report",      "project",      "budget",      "customer",    "company",
    "plan",        "review",      "market",       "board",       "system",      "service",
    "process",     "contract",    "meeting",      "quarter",     "year",        "month",
    "result",      "cost",        "price",        "revenue",     "sales",       "product",
    "department",  "manager",     "office",       "staff",       "supplier",    "order",
    "delivery",    "account",     "invoice",      "payment",     "agreement",   "committee",
    "proposal",    "schedule",    "deadline",     "forecast",    "estimate",    "summary",
    "draft",       "update",      "analysis",     "audit",       "policy",      "risk",
    "issue",       "change",      "decision",     "target",      "milestone",   "release",
    "version",     "network",     "server",       "database",    "application", "platform",
    "interface",   "migration",   "deployment",   "incident",    "backup",      "test",
    "defect",      "feature",     "module",       "requirement", "design",      "training",
    "capacity",    "demand",      "inventory",    "warehouse",   "shipment",    "region",
    "partner",     "vendor",      "client",       "user",        "director",    "engineer",
    "analyst",     "consultant",  "auditor",      "lawyer",      "owner",       "sponsor",
    "unit",        "site",        "plant",        "store",       "branch",      "channel",
    "segment",     "margin",      "profit",       "loss",        "income",      "expense",
    "investment",  "fund",        "cash",         "debt",        "asset",       "balance",
    "statement",   "ledger",      "record",       "file",        "storage",     "traffic",
    "latency",     "throughput",  "architecture", "standard",    "procedure",   "guideline",
    "regulation",  "license",     "claim",        "dispute",     "notice",      "clause",
    "obligation",  "warranty",    "renewal",      "termination", "amendment",   "signature",
    "party",       "evidence",    "opinion",      "question",    "answer",      "detail",
    "example",     "reason",      "factor",       "trend",       "impact",      "benefit",
    "challenge",   "opportunity", "priority",     "goal",        "objective",   "scope",
    "phase",       "stage",       "task",         "role",        "feedback",    "survey",
    "interview",   "workshop",    "presentation", "conference",  "visit",       "equipment",
    "vehicle",     "material",    "energy",       "building",    "facility",    "contractor",
    "tender",      "bid",         "offer",        "discount",    "fee",         "rent",
    "salary",      "bonus",       "pension",      "insurance",   "safety",      "environment",
    "emissions",   "waste",       "community",    "campaign",    "brand",       "website",
    "content",     "pipeline",    "retention",    "acquisition", "conversion",  "compliance",
    "security",    "maintenance", "recovery",     "outage",      "workflow",    "dashboard",
    "spreadsheet", "handbook",    "roadmap",      "headcount",   "overtime",    "procurement",
    "logistics",   "valuation",   "dividend",     "subsidiary",  "merger",      "litigation",
    "settlement",  "invoice run", "price list",   "cash flow",   "work order",  "service level",
};
constexpr const char* kAdjectives[] = {
    "new",         "annual",    "current",     "final",        "revised",       "regional",
    "total",       "main",      "key",         "monthly",      "quarterly",     "previous",
    "next",        "internal",  "external",    "financial",    "technical",     "commercial",
    "operational", "strategic", "significant", "additional",   "available",     "required",
    "expected",    "planned",   "actual",      "average",      "higher",        "lower",
    "early",       "late",      "recent",      "initial",      "general",       "specific",
    "public",      "private",   "local",       "national",     "international", "central",
    "clear",       "strong",    "weak",        "stable",       "critical",      "minor",
    "major",       "detailed",  "preliminary", "consolidated", "outstanding",   "overdue",
    "approved",    "pending",   "delayed",     "unexpected",   "competitive",   "sustainable",
    "legacy",      "shared",    "dedicated",   "temporary",    "permanent",     "standard",
    "custom",      "digital",   "manual",
};
constexpr const char* kVerbs[] = {
    "reviewed",      "approved",       "increased",    "reduced",       "completed",
    "delivered",     "prepared",       "confirmed",    "discussed",     "requested",
    "submitted",     "updated",        "reported",     "improved",      "identified",
    "addressed",     "received",       "signed",       "planned",       "extended",
    "replaced",      "postponed",      "cancelled",    "resolved",      "escalated",
    "assigned",      "scheduled",      "estimated",    "validated",     "verified",
    "documented",    "tracked",        "negotiated",   "renewed",       "audited",
    "will review",   "will approve",   "will deliver", "will prepare",  "will confirm",
    "should reduce", "should improve", "must address", "must complete", "needs",
    "has completed", "has approved",   "has reduced",  "expects",       "requires",
    "includes",      "supports",       "affects",      "covers",        "replaces",
    "exceeds",       "follows",        "describes",    "outlines",      "summarizes",
    "recommends",    "highlights",     "depends on",   "relies on",
};
constexpr const char* kAdverbs[] = {
    "also",     "already",   "still",    "now",       "again",     "finally",
    "recently", "currently", "quickly",  "carefully", "fully",     "partly",
    "largely",  "mainly",    "formally", "jointly",   "gradually",
};
constexpr const char* kPrepositions[] = {
    "for",     "in",      "of",      "with",  "on",      "from",   "by",
    "after",   "before",  "during",  "under", "within",  "across", "against",
    "through", "without", "despite", "per",   "between", "beyond",
};
constexpr const char* kDeterminers[] = {"the",  "the",   "the", "our", "their",   "this",
                                        "each", "every", "its", "one", "another", "a"};
constexpr const char* kLinks[] = {", and",   ", but",     " while", " because", ", so",  " after",
                                  " before", " although", " once",  " until",   " since"};
constexpr const char* kOpeners[] = {
    "However,",       "In addition,",     "As agreed,",
    "In practice,",   "For now,",         "Overall,",
    "As a result,",   "In the meantime,", "According to the minutes,",
    "As noted above,"};

constexpr const char* kFirstNames[] = {
    "Anna",  "Ben",    "Carla", "David",  "Elena", "Frank",  "Grace", "Hugo",  "Ines",
    "Jonas", "Karin",  "Lucas", "Maria",  "Nils",  "Olga",   "Peter", "Rosa",  "Simon",
    "Tara",  "Ulrich", "Vera",  "Walter", "Xenia", "Yusuf",  "Zoe",   "Amir",  "Bianca",
    "Chen",  "Dmitri", "Emma",  "Fatima", "Georg", "Hanna",  "Ivan",  "Julia", "Kenji",
    "Laura", "Marco",  "Nora",  "Oscar",  "Paula", "Rafael", "Sara",  "Tomas", "Ursula",
};
constexpr const char* kLastNames[] = {
    "Keller", "Novak",    "Bauer",     "Rossi",  "Martin", "Larsen", "Fischer", "Moreau",
    "Silva",  "Kowalski", "Jensen",    "Weber",  "Dubois", "Costa",  "Nagel",   "Horvath",
    "Brandt", "Meyer",    "Lindqvist", "Santos", "Petrov", "Olsen",  "Schmidt", "Vogel",
    "Garcia", "Ito",      "Kim",       "Patel",  "Walsh",  "Young",  "Adams",   "Becker",
};
constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

// A word of `words` drawn by rank with probability about 1 / (rank + 3): Zipf's law, shifted so
// that the most common word is not overwhelmingly so (about 6% of the draws from 230 words).
template <size_t N>
const char* Zipf(Rng& rng, const char* const (&words)[N]) {
  constexpr double kShift = 3;
  const double lo = std::log(kShift);
  const double hi = std::log(static_cast<double>(N) + kShift);
  const double r = std::exp(lo + rng.Unit() * (hi - lo)) - kShift;
  return words[std::min(static_cast<size_t>(r), N - 1)];
}

std::string Capitalized(std::string_view word) {
  std::string out(word);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Rng::Below(uint64_t n) {
  return Next() % n;  // the bias (n / 2^64) is irrelevant here
}

int Rng::Between(int lo, int hi) {
  return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

double Rng::Unit() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

int Rng::LogBetween(int lo, int hi) {
  const double a = std::log(static_cast<double>(lo));
  const double b = std::log(static_cast<double>(hi) + 1);
  const int v = static_cast<int>(std::exp(a + Unit() * (b - a)));
  return std::clamp(v, lo, hi);
}

std::string Prose::PersonName() {
  return std::string(kFirstNames[rng_.Below(std::size(kFirstNames))]) + " " +
         kLastNames[rng_.Below(std::size(kLastNames))];
}

std::string Prose::Figure() {
  char buffer[64];
  switch (rng_.Below(5)) {
    case 0:
      std::snprintf(buffer, sizeof buffer, "%d.%d%%", rng_.Between(0, 60), rng_.Between(0, 9));
      break;
    case 1: std::snprintf(buffer, sizeof buffer, "%d units", rng_.LogBetween(2, 90000)); break;
    case 2:
      std::snprintf(buffer, sizeof buffer, "%d %s %d", rng_.Between(1, 28),
                    kMonths[rng_.Below(std::size(kMonths))], rng_.Between(2015, 2025));
      break;
    case 3: std::snprintf(buffer, sizeof buffer, "EUR %d", rng_.LogBetween(100, 5000000)); break;
    default: std::snprintf(buffer, sizeof buffer, "%d days", rng_.Between(2, 120)); break;
  }
  return buffer;
}

std::string Prose::NounPhrase() {
  const double roll = rng_.Unit();
  if (roll < 0.07) return PersonName();
  std::string noun = Zipf(rng_, kNouns);
  if (rng_.Chance(0.4)) noun = std::string(Zipf(rng_, kAdjectives)) + " " + noun;
  if (roll < 0.12) return noun;  // no determiner
  std::string det = Zipf(rng_, kDeterminers);
  if (det == "a" && std::string_view("aeiou").find(noun[0]) != std::string_view::npos) det = "an";
  return det + " " + noun;
}

std::string Prose::Clause() {
  std::string out = NounPhrase();
  if (rng_.Chance(0.15)) out += std::string(" ") + Zipf(rng_, kAdverbs);
  out += std::string(" ") + Zipf(rng_, kVerbs) + " " + NounPhrase();
  for (int i = rng_.Between(0, 2); i > 0; --i) {
    out += std::string(" ") + Zipf(rng_, kPrepositions) + " " +
           (rng_.Chance(0.2) ? Figure() : NounPhrase());
  }
  return out;
}

std::string Prose::Sentence() {
  std::string out;
  if (rng_.Chance(0.1)) out = std::string(kOpeners[rng_.Below(std::size(kOpeners))]) + " ";
  out += Clause();
  if (rng_.Chance(0.35)) out += std::string(kLinks[rng_.Below(std::size(kLinks))]) + " " + Clause();
  return Capitalized(std::move(out)) + '.';
}

std::string Prose::Paragraph(int sentences) {
  std::string out;
  for (int i = 0; i < sentences; ++i) {
    if (i > 0) out += ' ';
    out += Sentence();
  }
  return out;
}

std::vector<std::string> Prose::Paragraphs(size_t words) {
  std::vector<std::string> out;
  size_t total = 0;
  while (total < words || out.empty()) {
    out.push_back(Paragraph(rng_.Between(2, 7)));
    total += CountWords(out.back());
  }
  return out;
}

std::string Prose::Title() {
  std::string out;
  if (rng_.Chance(0.6)) out = Capitalized(Zipf(rng_, kAdjectives)) + " ";
  out += Capitalized(Zipf(rng_, kNouns));
  if (rng_.Chance(0.5)) out += " " + Capitalized(Zipf(rng_, kNouns));
  return out;
}

std::string Prose::Stem() {
  std::string out = std::string(Zipf(rng_, kAdjectives)) + "-" + Zipf(rng_, kNouns);
  for (char& c : out) {
    if (c == ' ') c = '-';
  }
  return out;
}

std::string MarkerSource::Next() {
  for (;;) {
    std::string marker = "zq";
    for (int i = 0; i < 6; ++i) marker += static_cast<char>('a' + rng_.Below(26));
    if (used_.insert(marker).second) return marker;
  }
}

void Sprinkle(std::vector<std::string>& paragraphs, const std::vector<std::string>& markers,
              Rng& rng) {
  const size_t n = markers.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t target = n == 1 ? 0 : i * (paragraphs.size() - 1) / (n - 1);
    std::string& p = paragraphs[target];
    // The word boundaries of the paragraph: its start and after each space.
    std::vector<size_t> starts = {0};
    for (size_t k = 0; k < p.size(); ++k) {
      if (p[k] == ' ') starts.push_back(k + 1);
    }
    const size_t at = starts[rng.Below(starts.size())];
    p.insert(at, markers[i] + " ");
  }
}

std::vector<std::string> Wrap(std::string_view paragraph, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start < paragraph.size()) {
    size_t end = paragraph.find(' ', start);
    if (end == std::string_view::npos) end = paragraph.size();
    const std::string_view word = paragraph.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!word.empty()) {
      if (!line.empty()) line += ' ';
      line += word;
    }
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

size_t CountWords(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

}  // namespace archivum::bench
