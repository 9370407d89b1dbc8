// The query mix file shared by the bench tools and the wrk script: one query per line,
// "CLASS<TAB>QUERY" (e.g. "cheap\tsha256:ab12..."); empty lines and lines starting with '#' are
// skipped. bench/run writes it from the benchmarked tree.
#pragma once

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace archivum::bench {

struct Query {
  std::string klass;
  std::string text;
};

// Splits "a,b" into {"a", "b"}; empty input gives an empty set (meaning "every class").
inline std::set<std::string> ParseClasses(const std::string& list) {
  std::set<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.insert(item);
  }
  return out;
}

// Reads the queries of the given classes (all if `classes` is empty). Sets *error and returns
// an empty list if the file cannot be read or holds no matching query.
inline std::vector<Query> LoadQueries(const std::string& file, const std::set<std::string>& classes,
                                      std::string* error) {
  std::ifstream in(file);
  if (!in) {
    *error = "cannot read " + file;
    return {};
  }
  std::vector<Query> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size()) continue;
    Query q{line.substr(0, tab), line.substr(tab + 1)};
    if (classes.empty() || classes.count(q.klass) > 0) out.push_back(std::move(q));
  }
  if (out.empty()) *error = file + ": no query of the requested classes";
  return out;
}

}  // namespace archivum::bench
