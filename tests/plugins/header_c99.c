/* Compiled with -std=c99 -pedantic -Wall -Wextra -Werror: the ABI header is strict C99. It also
 * checks, at compile time, the layout promises plugin.h makes. */
#include "archivum/plugin.h"

typedef char abi_1_0_descriptor_is_a_strict_prefix
    [ARCHIVUM_DESCRIPTOR_SIZE_1_0 < sizeof(archivum_plugin_descriptor) ? 1 : -1];
typedef char descriptor_starts_with_its_size[offsetof(archivum_plugin_descriptor, struct_size) == 0
                                                 ? 1
                                                 : -1];

static const archivum_str accept[] = {ARCHIVUM_STR("text/*")};

const archivum_str* header_c99_accept(void);
const archivum_str* header_c99_accept(void) {
  return accept;
}
