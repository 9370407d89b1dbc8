// FileScanner: one file through a RuleSet, its matches as findings.
//
// For each matching rule, in the rule set's order: `rule` = the rule's name, one `tag` per tag
// (the tag), and `meta.KEY` per meta entry (strings as text with invalid UTF-8 replaced,
// integers in decimal, booleans "true"/"false"). Private rules are never reported (they only
// serve other rules). At most kMaxFindings findings per file: past that, or once the host refuses
// more (RESOURCE_EXHAUSTED), the scan stops, what was emitted is kept and a warning is logged.
// A string with more matches than libyara records (YR_MAX_STRING_MATCHES, a million) gets a
// `too_many_matches` finding "RULE:$STRING" and a warning; libyara then ignores its further
// matches and the scan goes on, so conditions on that string see at most that many.
//
// The bytes are scanned in place (never copied), whole, with no size limit of the plugin's own
// (the host's max_file_size applies) and without libyara's fast mode, so that counts (#a > 5)
// stay right. Scans stop at the call's deadline and when the host cancels the call (see
// ScanWatch): the call then fails with ARCHIVUM_CANCELLED.
//
// Thread safety: Scan is const and safe to call concurrently; each call has a YR_SCANNER of its
// own for its duration (from a ScannerPool).
// Ownership: refers to the RuleSet and the ScanWatch, which must outlive it.
#pragma once

#include <cstddef>

#include "archivum/plugin.hpp"
#include "yara/rule_set.h"
#include "yara/scan_watch.h"
#include "yara/scanner_pool.h"

namespace archivum::bundled::yara {

inline constexpr size_t kMaxFindings = 10000;

class FileScanner {
 public:
  FileScanner(const RuleSet& rules, ScanWatch& watch) : watch_(watch), pool_(rules.rules()) {}

  // Returns ARCHIVUM_OK with the findings emitted. Throws sdk::Error(ARCHIVUM_CANCELLED) when
  // cancelled or out of time, and sdk::Error(ARCHIVUM_ERROR, "libyara: ERROR_NAME ...") when
  // libyara fails the scan (e.g. ERROR_INSUFFICIENT_MEMORY).
  archivum_rc Scan(const sdk::File& file, sdk::Sink& sink) const;

 private:
  ScanWatch& watch_;
  mutable ScannerPool pool_;  // internally synchronized
};

}  // namespace archivum::bundled::yara
