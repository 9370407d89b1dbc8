// The `archivum` command line: option parsing, dispatch to one subcommand, exit codes.
#pragma once

#include <ostream>

namespace archivum::cli {

// Parses argv (argv[0] is the program name) and runs the chosen subcommand, writing results to
// `out` and diagnostics to `err`. Returns the process exit code (see ExitCode): help and
// --version return 0, every command-line mistake 2. Never throws.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace archivum::cli
