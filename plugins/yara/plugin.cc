// The `yara` plugin: analyze stage, YARA rules (libyara) over the bytes of every file, archive
// members included (they reach the analyze stage as files of their own).
//
// Opt-in: off unless plugins.settings.yara.enabled is true (it has nothing to do without rules).
// Config (plugins.settings.yara.config):
//   rules: a path or a list of paths (required). A file is compiled whatever its name; a
//     directory contributes its *.yar and *.yara files, recursively, sorted (rule_files.h). A
//     path key: the host passes it absolute (a relative one is relative to the config file),
//     lets the sandboxed worker read it, and analyzes files again when the rules change.
// The rules are compiled once, at load, into one namespace (rule_set.h). A rule that does not
// compile fails the load with "FILE:LINE: MESSAGE" (ListPlugins shows the plugin FAILED with
// that reason; archivumd --check-config reports it); compiler warnings are logged.
// Externals every rule may use: filename, filepath, extension (".pdf", lower case), mime.
// Findings per matching rule: rule, tag (one per tag), meta.KEY (file_scanner.h); query them
// as yara.rule:NAME, yara.tag:TAG, yara.meta.KEY:VALUE.
#include "archivum/plugin.hpp"

#include <chrono>
#include <string>
#include <string_view>

#include "common/config.h"
#include "yara/file_scanner.h"
#include "yara/rule_files.h"
#include "yara/rule_set.h"
#include "yara/scan_watch.h"

namespace archivum::bundled::yara {
namespace {

// How often a running scan is checked for cancellation (ScanWatch).
constexpr std::chrono::milliseconds kWatchPeriod{10};

std::vector<std::string> RulePaths(const PluginConfig& config) {
  std::vector<std::string> paths =
      config.StringList("rules", {}, /*max_count=*/1024, /*max_size=*/4096);
  if (paths.empty()) {
    throw sdk::Error(ARCHIVUM_INVALID_ARGUMENT,
                     "no rules: set plugins.settings.yara.config.rules to a .yar file or a "
                     "directory of them");
  }
  return paths;
}

class YaraPlugin {
 public:
  static constexpr std::string_view kName = "yara";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription =
      "YARA rules over every file: matching rules, their tags and meta (libyara)";
  static constexpr sdk::Stage kStage = sdk::Stage::kAnalyze;
  static constexpr std::string_view kAccept[] = {"*"};
  // The compiled rules are read-only and each scan has a scanner of its own (file_scanner.h).
  static constexpr bool kThreadSafe = true;
  static constexpr bool kOptIn = true;
  static constexpr std::string_view kPathKeys[] = {"rules"};

  YaraPlugin(std::string_view config_json, const sdk::Host& host)
      : rules_(ListRuleFiles(RulePaths(PluginConfig(config_json, {"rules"}))),
               [&host](const std::string& warning) {
                 host.Log(sdk::LogLevel::kWarn, "rule warning: " + warning);
               }),
        watch_(kWatchPeriod),
        scanner_(rules_, watch_) {
    host.Log(sdk::LogLevel::kInfo, std::to_string(rules_.rule_count()) + " YARA rules compiled");
  }

  archivum_rc Process(const sdk::File& file, sdk::Sink& sink) { return scanner_.Scan(file, sink); }

 private:
  const RuleSet rules_;
  ScanWatch watch_;
  const FileScanner scanner_;
};

}  // namespace
}  // namespace archivum::bundled::yara

ARCHIVUM_PLUGIN(archivum::bundled::yara::YaraPlugin)
