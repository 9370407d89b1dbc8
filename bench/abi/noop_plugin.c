/* A plugin that does nothing: process() returns ARCHIVUM_OK without emitting, so a call through
 * the host measures dispatch alone. Built twice (bench/abi/CMakeLists.txt): "bench_noop" is
 * thread-safe, "bench_noop_serialized" (BENCH_NOOP_SERIALIZED) is not, so the host takes its
 * per-state lock around each call. Stage analyze, accepts every MIME type. */
#include "archivum/plugin.h"

#ifdef BENCH_NOOP_SERIALIZED
#define BENCH_NOOP_NAME "bench_noop_serialized"
#define BENCH_NOOP_FLAGS 0u
#else
#define BENCH_NOOP_NAME "bench_noop"
#define BENCH_NOOP_FLAGS ARCHIVUM_FLAG_THREAD_SAFE
#endif

static int noop_state_token;

static archivum_rc noop_create(archivum_str config, const archivum_host_api* host,
                               archivum_plugin_state** state) {
  (void)config;
  (void)host;
  *state = (archivum_plugin_state*)&noop_state_token;
  return ARCHIVUM_OK;
}

static void noop_destroy(archivum_plugin_state* state) {
  (void)state;
}

static archivum_rc noop_process(archivum_plugin_state* state, const archivum_file* file,
                                const archivum_sink* sink) {
  (void)state;
  (void)file;
  (void)sink;
  return ARCHIVUM_OK;
}

static archivum_str noop_last_error(archivum_plugin_state* state) {
  static const archivum_str empty = ARCHIVUM_STR("");
  (void)state;
  return empty;
}

static const archivum_str noop_accept[] = {ARCHIVUM_STR("*/*")};

static const archivum_plugin_descriptor noop_descriptor = {
    sizeof(archivum_plugin_descriptor),
    ARCHIVUM_ABI_VERSION_MAJOR,
    ARCHIVUM_ABI_VERSION_MINOR,
    ARCHIVUM_STR(BENCH_NOOP_NAME),
    ARCHIVUM_STR("1.0.0"),
    ARCHIVUM_STR("does nothing; measures host dispatch"),
    ARCHIVUM_STAGE_ANALYZE,
    BENCH_NOOP_FLAGS,
    noop_accept,
    1,
    NULL,
    0,
    noop_create,
    noop_destroy,
    noop_process,
    NULL,
    noop_last_error,
    0,
    NULL,
    NULL,
    0,
    NULL,
    0};

ARCHIVUM_EXPORT const archivum_plugin_descriptor* archivum_plugin_entry(void) {
  return &noop_descriptor;
}
