// Shared by archivum_bench_report's tables: the fragments of one bench/run (one JSON file per
// measurement), optional numbers and their formatting, and targets.
//
// Thread safety: Fragments is immutable after construction; the functions are reentrant.
#pragma once

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace archivum::bench::report {

namespace fs = std::filesystem;
using nlohmann::json;
// A figure that may be missing (its fragment or field absent): shown as "-", JSON null.
using Num = std::optional<double>;

// The JSON files of a run's fragment directory, by file stem ("ingest" for ingest.json). An
// unreadable file is reported on stderr and left out.
class Fragments {
 public:
  explicit Fragments(const fs::path& dir) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) {
        std::cerr << "archivum_bench_report: ignoring unreadable " << entry.path() << "\n";
        continue;
      }
      files_[entry.path().stem().string()] = std::move(j);
    }
  }

  // The value at JSON `pointer` in `file`, or nullptr; valid as long as this object.
  const json* Get(const std::string& file, const std::string& pointer = "") const {
    const auto it = files_.find(file);
    if (it == files_.end()) return nullptr;
    const json::json_pointer ptr(pointer);
    if (!it->second.contains(ptr)) return nullptr;
    return &it->second.at(ptr);
  }

  // A number at `pointer` in `file`; protobuf's JSON writes 64-bit integers as strings.
  Num N(const std::string& file, const std::string& pointer) const {
    const json* j = Get(file, pointer);
    if (j == nullptr) return std::nullopt;
    if (j->is_number()) return j->get<double>();
    if (j->is_string()) {
      try {
        return std::stod(j->get<std::string>());
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::string S(const std::string& file, const std::string& pointer,
                const std::string& fallback = "") const {
    const json* j = Get(file, pointer);
    return j != nullptr && j->is_string() ? j->get<std::string>() : fallback;
  }

 private:
  std::map<std::string, json> files_;
};

inline Num Div(Num a, Num b) {
  if (!a || !b || *b == 0) return std::nullopt;
  return *a / *b;
}
inline Num Scale(Num a, double k) {
  return a ? Num(*a * k) : std::nullopt;
}
inline Num Sum(Num a, Num b) {
  return a && b ? Num(*a + *b) : std::nullopt;
}

// Fixed decimals, or thousands separators for large values; "-" if absent.
inline std::string Fmt(Num v, int decimals = 1) {
  if (!v) return "-";
  char buffer[64];
  if (std::fabs(*v) >= 10000) {
    std::snprintf(buffer, sizeof buffer, "%.0f", *v);
    std::string digits = buffer;
    const size_t sign = digits[0] == '-' ? 1 : 0;
    for (int i = static_cast<int>(digits.size()) - 3; i > static_cast<int>(sign); i -= 3) {
      digits.insert(static_cast<size_t>(i), ",");
    }
    return digits;
  }
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, *v);
  return buffer;
}

inline json J(Num v, int decimals = 4) {
  if (!v) return nullptr;
  if (decimals == 0) return static_cast<int64_t>(std::llround(*v));
  const double k = std::pow(10.0, decimals);
  return std::round(*v * k) / k;
}

struct Target {
  std::string name;
  Num value;
  bool at_least;  // value >= bound, else value < bound
  double bound;
  std::string unit;
  std::string text = "";  // how the target reads in the table, if not the bound and the unit

  std::string Status() const {
    if (!value) return "n/a";
    return (at_least ? *value >= bound : *value < bound) ? "met" : "MISSED";
  }
  std::string Text() const {
    if (!text.empty()) return text;
    return std::string(at_least ? ">= " : "< ") + Fmt(bound, bound < 10 ? 1 : 0) + unit;
  }
};

// "met" / "missed" / "not measured" counts of `targets`, as the line under a table.
template <class Targets>
std::string TargetCounts(const Targets& targets) {
  int met = 0, missed = 0, na = 0;
  for (const Target& t : targets) {
    const std::string s = t.Status();
    (s == "met" ? met : s == "MISSED" ? missed : na)++;
  }
  std::string out =
      "\nTargets: " + std::to_string(met) + " met, " + std::to_string(missed) + " missed";
  if (na > 0) out += ", " + std::to_string(na) + " not measured";
  return out + ".\n";
}

}  // namespace archivum::bench::report
