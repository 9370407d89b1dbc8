// `archivum`: the command-line client of the Archivum daemon. All logic lives in archivum_cli_lib.
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  return archivum::cli::RunCli(argc, argv, std::cout, std::cerr);
}
