#include "daemon/daemon.h"

int main(int argc, char** argv) {
  return archivum::daemon::Run(argc, argv);
}
