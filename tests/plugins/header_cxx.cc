// Compiled with -Wall -Wextra -Wpedantic -Werror: both public headers are clean C++.
#include "archivum/plugin.h"
#include "archivum/plugin.hpp"

static_assert(sizeof(archivum_str) == 2 * sizeof(void*));
static_assert(ARCHIVUM_DESCRIPTOR_SIZE_1_0 < sizeof(archivum_plugin_descriptor));
