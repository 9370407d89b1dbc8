// RuleSet: YARA rules compiled once, shared read-only by every scan.
//
// All files are compiled into one namespace ("default"), as the yara command line does with
// several rule files: a rule of one file may use a rule of another, and a rule name is unique in
// the whole set, so that `yara.rule:NAME` names one rule. Two files defining the same rule are a
// compile error (duplicated identifier) at the second.
//
// Externals: kExternals are defined as strings (empty at compile time) so that rules may use
// them; each scan gives them the file's values (see FileExternals).
//
// Thread safety: immutable after construction; rules() may be scanned from several threads at
// once, each scan with its own YR_SCANNER (libyara 4 scanners share nothing mutable).
// Ownership: owns the compiled YR_RULES and a reference on libyara's global state
// (yr_initialize), both released by the destructor.
#pragma once

#include <yara.h>

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace archivum::bundled::yara {

// The external variables every rule may use, in this order of FileExternals' values.
inline constexpr std::array<const char*, 4> kExternals = {"filename", "filepath", "extension",
                                                          "mime"};

// The values of kExternals for a file at catalog path `path` (an archive member is
// "a.zip!/dir/m.txt") with MIME type `mime`: its name (the path's last component), the path,
// the name's extension with its dot, lower-cased ("" if none; ".gz" for "x.tar.gz"), the MIME type.
std::array<std::string, kExternals.size()> FileExternals(std::string_view path,
                                                         std::string_view mime);

// A reference on libyara's process-wide state: yr_initialize on construction, yr_finalize on
// destruction, serialized so that any number of instances on any threads are safe (libyara's
// own reference count is not).
class YaraLibrary {
 public:
  YaraLibrary();  // throws sdk::Error if yr_initialize fails
  YaraLibrary(const YaraLibrary&) = delete;
  YaraLibrary& operator=(const YaraLibrary&) = delete;
  ~YaraLibrary();
};

class RuleSet {
 public:
  // A compiler warning, passed on as "FILE:LINE: MESSAGE".
  using WarningSink = std::function<void(const std::string&)>;

  // Compiles `files` in order. Every error and warning of the compiler is collected; on an error
  // throws sdk::Error(ARCHIVUM_INVALID_ARGUMENT, "FILE:LINE: MESSAGE") for the first one, with
  // " (and N more)" when there were others. A file that cannot be read is an error naming it.
  // Warnings go to `warn` (may be empty). libyara cannot compile further files once one failed,
  // so errors are those of the first file that has any.
  RuleSet(const std::vector<std::filesystem::path>& files, const WarningSink& warn);
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;
  ~RuleSet();

  YR_RULES* rules() const { return rules_; }
  // Rules in the set (private ones included).
  size_t rule_count() const { return rule_count_; }

 private:
  YaraLibrary library_;  // first: initialized before and finalized after the rules
  YR_RULES* rules_ = nullptr;
  size_t rule_count_ = 0;
};

}  // namespace archivum::bundled::yara
