// `archivum`: the command-line client of the Archivum daemon. All logic lives in archivum_cli_lib.
#include <grpc/grpc.h>

#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  // The process holds gRPC initialized across RunCli and then shuts it down on this thread, after
  // every channel is gone: without it the last channel's release starts gRPC's clean-up on a
  // thread of its own, which the exit can overtake with TLS sessions still allocated.
  grpc_init();
  const int code = archivum::cli::RunCli(argc, argv, std::cout, std::cerr);
  grpc_shutdown_blocking();
  return code;
}
