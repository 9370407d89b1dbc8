// archivum-plugin-check PLUGIN.so [--config JSON]: the conformance checker for plugin authors.
// Exit status: 0 if every check passed, 1 if any failed, 2 for a usage error.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "plugins/checker.h"
#include "plugins/process/placement.h"

int main(int argc, char** argv) {
  archivum::plugins::CheckOptions options;
  std::string plugin;
  CLI::App app{"Checks that an Archivum plugin conforms to the plugin ABI"};
  app.add_option("plugin", plugin, "The plugin shared library (.so)")->required();
  app.add_option("--config", options.config_json, "Plugin configuration, a JSON object")
      ->default_str("{}");
  app.add_option("--threads", options.threads, "Concurrent callers for thread-safe plugins")
      ->check(CLI::Range(1u, 256u));
  app.add_option("--iterations", options.iterations, "Calls per concurrent caller")
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--large-size", options.large_size, "Bytes of the large sample input");
  app.add_option("--timeout-ms", options.timeout_ms, "Deadline of each call, in milliseconds");
  bool in_process_only = false;
  app.add_flag("--in-process-only", in_process_only,
               "Skip the checks in a sandboxed worker process (archivum-worker)");
  std::string worker;
  app.add_option("--worker", worker,
                 "The worker executable (default: archivum-worker next to this program)");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Show the plugin's log messages");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  const auto config = nlohmann::json::parse(options.config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    std::cerr << "archivum-plugin-check: --config must be a JSON object, got "
              << options.config_json << "\n";
    return 2;
  }
  spdlog::set_level(verbose ? spdlog::level::trace : spdlog::level::warn);
  options.plugin = plugin;
  options.isolated = !in_process_only;
  options.worker_exe = worker.empty() ? archivum::plugins::process::DefaultWorkerPath()
                                      : std::filesystem::path(worker);
  return archivum::plugins::RunConformanceChecks(options, std::cout) == 0 ? 0 : 1;
}
