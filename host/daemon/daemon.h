// archivumd's process logic: flags, config, start-up, signal-driven shutdown.
// `main` is a one-line call to Run so that the logic lives in the host library.
#pragma once

namespace archivum::daemon {

// Returns the process exit code: 0 after a clean shutdown or a successful --check-config,
// 1 when start-up fails (bad config, store cannot be opened, port in use) or --check-config
// finds the config invalid or a plugin it enables failing to load, 2 for usage errors.
int Run(int argc, char** argv);

}  // namespace archivum::daemon
