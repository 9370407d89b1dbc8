/*
 * Archivum analyzer plugin ABI, version 1 (1.4).
 *
 * A plugin is a shared library that exports exactly one symbol, archivum_plugin_entry, which
 * returns a static descriptor. The descriptor says which ABI the plugin was built against, what
 * the plugin is (name, version, stage, accepted MIME types, thread safety) and where its entry
 * points are. The host never resolves any other symbol, and the plugin never links against the
 * host: host services reach the plugin as tables of function pointers passed into each call.
 *
 * This header is C99 and depends only on <stddef.h> and <stdint.h>. Types and functions use the
 * prefix archivum_, macros ARCHIVUM_.
 *
 * MEMORY OWNERSHIP
 * Every piece of data crosses the boundary as {pointer, length} (archivum_str, archivum_bytes);
 * strings are UTF-8 and are NOT required to be NUL-terminated. Nothing is ever freed by the other
 * side:
 *  - Data the host passes in (the file, its bytes, config JSON, verb, argument) is owned by the
 *    host and valid only for the duration of the call it was passed to, except the host API
 *    table of create(), which stays valid until destroy() returns. A plugin that needs data
 *    later copies it.
 *  - Data the plugin passes to a sink or log function is copied by the host before that
 *    function returns; the plugin may reuse or free its buffer right after.
 *  - Data the plugin returns (the descriptor and everything it points to) stays valid while the
 *    library is loaded; last_error's string stays valid until the next call into the plugin on
 *    the same state and thread.
 *  - The plugin state is opaque to the host; the plugin allocates it in create() and frees it
 *    in destroy().
 * No pointer is ever shared beyond these lifetimes, so the same library can run in a separate
 * worker process that forwards calls over IPC without changing the plugin.
 *
 * VERSIONING
 * ARCHIVUM_ABI_VERSION_MAJOR.ARCHIVUM_ABI_VERSION_MINOR is the version of this header. The host
 * loads a plugin only if the plugin's major equals the host's and the plugin's minor is not
 * greater than the host's; a refusal names both versions ("requires ABI 2.0, host provides
 * 1.1").
 *  - A minor change is backward compatible: it only appends fields to the end of a struct, adds
 *    optional entry points (NULL meaning "not provided"), adds flag bits, return codes, stages or
 *    log levels that older parties never see. Every struct starts with struct_size, so each side
 *    reads a field only if the other side's struct_size covers it. A plugin built against 1.0
 *    keeps loading in every 1.x host.
 *  - A major change is anything else: removing, reordering, resizing or retyping a field,
 *    changing the meaning of a field or return code, or making an optional entry point required.
 * Never insert a field in the middle of a struct.
 *
 * THREADS
 * A plugin that sets ARCHIVUM_FLAG_THREAD_SAFE may have process() and query() called
 * concurrently on the same state from several threads. Otherwise the host serializes every call
 * on a state (at most one call at a time, not necessarily from the same thread). create() and
 * destroy() are never concurrent with any other call on the same state.
 *
 * WHERE A PLUGIN RUNS
 * The host loads a plugin either into its own process or into a sandboxed worker process that
 * forwards calls over IPC (its configuration decides; the plugin cannot tell and needs no
 * change). In a worker the plugin can read only what it is handed (the file through
 * archivum_file, its data_dir) and the system's libraries, cannot open network sockets, fork or
 * exec, and its stdout is discarded: log through the host API.
 *
 * TIME LIMITS
 * The host passes a deadline and a cancellation check in archivum_file; a well-behaved plugin
 * polls them in long loops and returns ARCHIVUM_CANCELLED. A call that returns after its
 * deadline is recorded as a timeout error regardless of its return code, and its output is
 * discarded. In its own process the host cannot stop a running call; in a worker it kills the
 * worker (and with it the call) shortly after the deadline.
 */
#ifndef ARCHIVUM_PLUGIN_H_
#define ARCHIVUM_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. */
#define ARCHIVUM_ABI_VERSION_MAJOR 1
#define ARCHIVUM_ABI_VERSION_MINOR 4

/* The one symbol the host resolves. */
#define ARCHIVUM_PLUGIN_ENTRY_SYMBOL "archivum_plugin_entry"

/* Marks the entry symbol as exported when the library is built with hidden visibility. */
#if defined(_WIN32)
#define ARCHIVUM_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define ARCHIVUM_EXPORT __attribute__((visibility("default")))
#else
#define ARCHIVUM_EXPORT
#endif

/* ---------------------------------------------------------------------------------------------
 * Basic types
 * ------------------------------------------------------------------------------------------- */

/* UTF-8 text: `size` bytes at `data`, not necessarily NUL-terminated. data may be NULL only if
 * size is 0. */
typedef struct archivum_str {
  const char* data;
  size_t size;
} archivum_str;

/* Opaque binary data: `size` bytes at `data`. data may be NULL only if size is 0. */
typedef struct archivum_bytes {
  const uint8_t* data;
  size_t size;
} archivum_bytes;

// An archivum_str for a string literal, usable in static initializers:
//   static const archivum_str kAccept[] = {ARCHIVUM_STR("text/*")};
#define ARCHIVUM_STR(literal) \
  { (literal), sizeof(literal) - 1 }

/* Return codes of plugin entry points and host callbacks. Fixed-width, never an enum, so the
 * size cannot differ between compilers. */
typedef int32_t archivum_rc;
#define ARCHIVUM_OK 0                 /* success */
#define ARCHIVUM_ERROR 1              /* failure; last_error() says why */
#define ARCHIVUM_INVALID_ARGUMENT 2   /* the input or argument is malformed */
#define ARCHIVUM_UNSUPPORTED 3        /* not applicable to this input; not an error */
#define ARCHIVUM_CANCELLED 4          /* stopped because of the deadline or cancellation */
#define ARCHIVUM_RESOURCE_EXHAUSTED 5 /* a size limit was hit */
#define ARCHIVUM_NOT_FOUND 6          /* a query's subject does not exist */

/* Pipeline stages, in the order the host runs them on a file. */
typedef int32_t archivum_stage;
#define ARCHIVUM_STAGE_DETECT 1  /* decides the MIME type (sink->set_mime) */
#define ARCHIVUM_STAGE_EXTRACT 2 /* produces text, metadata and child documents */
#define ARCHIVUM_STAGE_ANALYZE 3 /* produces findings over bytes and extracted text */

/* Log levels (as spdlog's). */
typedef int32_t archivum_log_level;
#define ARCHIVUM_LOG_TRACE 0
#define ARCHIVUM_LOG_DEBUG 1
#define ARCHIVUM_LOG_INFO 2
#define ARCHIVUM_LOG_WARN 3
#define ARCHIVUM_LOG_ERROR 4

/* Descriptor flags. */
#define ARCHIVUM_FLAG_THREAD_SAFE 0x1u /* process()/query() may run concurrently on one state */
/* ABI 1.4: the plugin is off unless the host's configuration enables it (plugins.settings.NAME.
 * enabled: true), for plugins that are costly (OCR) or need configuration to be useful. */
#define ARCHIVUM_FLAG_OPT_IN 0x2u
#define ARCHIVUM_FLAGS_KNOWN 0x3u /* every flag bit this header defines */

/* The plugin's own state, allocated by create() and freed by destroy(). Opaque to the host. */
typedef struct archivum_plugin_state archivum_plugin_state;

/* ---------------------------------------------------------------------------------------------
 * Host services (tables of function pointers the host passes in)
 * ------------------------------------------------------------------------------------------- */

/* Given to create(). OWNERSHIP: host; the table and the strings in it stay valid until destroy()
 * returns, so the plugin may keep the pointer in its state. Its functions are thread-safe. */
typedef struct archivum_host_api {
  uint32_t struct_size; /* sizeof(archivum_host_api) as the host compiled it */
  uint16_t abi_major;   /* the host's ABI version */
  uint16_t abi_minor;
  void* ctx; /* opaque; pass back as the first argument of the functions below */
  /* The plugin's name as the host knows it (for log prefixes). */
  archivum_str plugin_name;
  /* A directory reserved for this plugin under the store (created by the host), for plugins
   * that keep an index or cache of their own. Empty if the host has no store. */
  archivum_str data_dir;
  /* Logs a message under the plugin's name. Required: yes (never NULL). */
  void (*log)(void* ctx, archivum_log_level level, archivum_str message);
} archivum_host_api;

/* The file a process() call works on. OWNERSHIP: host; the struct and everything it points to
 * are valid only until process() returns. */
typedef struct archivum_file {
  uint32_t struct_size;      /* sizeof(archivum_file) as the host compiled it */
  archivum_str path;         /* catalog path (for display and keys; do not open it) */
  archivum_str display_name; /* e.g. the archive member name */
  uint64_t size;             /* size of the file in bytes */
  archivum_str mime;         /* MIME type detected so far; empty if unknown */
  archivum_bytes bytes;      /* the whole content, read-only (may be a memory mapping) */
  archivum_str text;         /* text extracted by earlier stages so far; may be empty */
  /* Deadline on CLOCK_MONOTONIC in nanoseconds (clock_gettime); INT64_MAX means none. */
  int64_t deadline_ns;
  /* Returns nonzero once the host wants the call to stop. Required: yes (never NULL).
   * Thread-safe; cheap enough to call every few milliseconds. */
  int32_t (*is_cancelled)(void* cancel_ctx);
  void* cancel_ctx;

  /* ---- ABI 1.1 (present when ARCHIVUM_HAS_FIELD(file, archivum_file, release_ctx)) ---- */

  /* Hint: the plugin is done with bytes[offset, offset + length) for now, and the host may drop
   * those pages from memory. Touching them again later is still correct (they are read back from
   * the file), so this only bounds memory: a plugin streaming through a multi-GB file calls it
   * behind itself. Required: no (NULL if the host does not offer it). Thread: as process(). */
  void (*release_bytes)(void* release_ctx, uint64_t offset, uint64_t length);
  void* release_ctx;
} archivum_file;

/* Whether a struct received from the other side is large enough to hold `field`: each side reads
 * a field only if the other side's struct_size covers it (see VERSIONING). */
#define ARCHIVUM_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Where process() sends its results. OWNERSHIP: host; valid only until process() returns. Every
 * function copies its arguments before returning and returns ARCHIVUM_OK, or
 * ARCHIVUM_INVALID_ARGUMENT (malformed argument, e.g. an empty key or NULL data with a size),
 * or ARCHIVUM_RESOURCE_EXHAUSTED (the host's output limit for this call is reached). The
 * functions may be called only from the thread running process() (or threads it joins before
 * returning), one at a time. */
typedef struct archivum_sink {
  uint32_t struct_size; /* sizeof(archivum_sink) as the host compiled it */
  void* ctx;            /* opaque; pass back as the first argument */
  /* A key/value finding about the file (e.g. "sha256" -> "ab12..."). Key must be non-empty. */
  archivum_rc (*emit_finding)(void* ctx, archivum_str key, archivum_str value);
  /* Appends extracted text; later stages see it in archivum_file.text. */
  archivum_rc (*emit_text)(void* ctx, archivum_str text);
  /* A short label (e.g. "encrypted"). Must be non-empty. */
  archivum_rc (*emit_tag)(void* ctx, archivum_str tag);
  /* A document contained in this one (e.g. an archive member); it re-enters the pipeline. */
  archivum_rc (*emit_child)(void* ctx, archivum_str name, archivum_bytes bytes);
  /* Sets the file's MIME type for later stages. Only detect-stage plugins may call it; others
   * get ARCHIVUM_INVALID_ARGUMENT. */
  archivum_rc (*set_mime)(void* ctx, archivum_str mime);
  /* Logs a message about this file under the plugin's name. */
  void (*log)(void* ctx, archivum_log_level level, archivum_str message);

  /* ---- ABI 1.3 (present when ARCHIVUM_HAS_FIELD(sink, archivum_sink, end_child)) ----
   *
   * STREAMING CHILDREN. A child document whose bytes arrive in pieces, so that neither a
   * container nor one of its members ever has to sit whole in the plugin's or the host's memory
   * (a 10 GiB tar, a 5 GiB member): begin_child, then write_child any number of times (and
   * child_finding / child_tag), then end_child. The host stores the bytes outside memory (an
   * unlinked temporary file) and runs the child through the pipeline after process() returns,
   * as "PATH!/NAME", exactly like a child given whole to emit_child (which keeps working, and
   * shares the same limits). At most one child is open at a time; children of children are not
   * the plugin's business (a nested container is a child like any other, and re-enters the
   * pipeline on its own).
   *
   * Limits: the host bounds how deep containers nest, how many children one document has and
   * how many bytes it expands to (its ingest.max_depth, max_members and max_expanded_size).
   * When a limit is reached the host records a "limit" finding on the container itself; the
   * plugin only has to stop writing what it is refused, and may go on with the next member:
   *   begin_child RESOURCE_EXHAUSTED  no more children are taken (count or depth limit); the
   *                                   plugin may stop looking for members;
   *   write_child RESOURCE_EXHAUSTED  this child is over the size budget and is dropped; skip
   *                                   the rest of it, call end_child, and go on (a smaller
   *                                   member may still fit).
   * If process() returns while a child is open, the open child is dropped.
   *
   * Names: a path inside the container ("dir/a.txt"), non-empty UTF-8. The host sanitizes it
   * for display and keys (no ".." or "." components, no leading "/", no empty components), so
   * a plugin passes member names as the container states them (repaired to valid UTF-8). */

  /* Opens a child named `name`. Returns ARCHIVUM_OK, ARCHIVUM_RESOURCE_EXHAUSTED (see above) or
   * ARCHIVUM_INVALID_ARGUMENT (empty or invalid name, or a child is already open). */
  archivum_rc (*begin_child)(void* ctx, archivum_str name);
  /* Appends bytes to the open child. ARCHIVUM_INVALID_ARGUMENT if no child is open. */
  archivum_rc (*write_child)(void* ctx, archivum_bytes bytes);
  /* A finding about the open child (not the container), recorded under this plugin's name,
   * e.g. an archive member's "modified" time. Same rules as emit_finding. */
  archivum_rc (*child_finding)(void* ctx, archivum_str key, archivum_str value);
  /* A tag on the open child, e.g. "encrypted" for a member that cannot be read. A child may have
   * tags and no bytes. Same rules as emit_tag. */
  archivum_rc (*child_tag)(void* ctx, archivum_str tag);
  /* Closes the open child: ARCHIVUM_OK if it will be analyzed, ARCHIVUM_RESOURCE_EXHAUSTED if it
   * was dropped for a limit, ARCHIVUM_INVALID_ARGUMENT if no child is open. */
  archivum_rc (*end_child)(void* ctx);

  /* ---- ABI 1.4 (present when ARCHIVUM_HAS_FIELD(sink, archivum_sink, emit_text_as)) ---- */

  /* A preview of the file: a thumbnail image of at most 256 pixels on its long side (the first
   * page of a document, a picture scaled down), encoded as "image/webp", "image/jpeg" or
   * "image/png" (`mime`), at most 512 KiB. The host stores it with the document, outside the
   * full-text index, and serves it to clients as that image type. A document keeps one preview:
   * a second call in the same process() replaces the first, and the preview of a plugin that
   * runs earlier (stage order, then load order) is kept over a later plugin's.
   * Returns ARCHIVUM_INVALID_ARGUMENT for another MIME type, empty bytes or bytes that do not
   * start like an image of that type, ARCHIVUM_RESOURCE_EXHAUSTED when larger than 512 KiB. */
  archivum_rc (*emit_preview)(void* ctx, archivum_str mime, archivum_bytes bytes);
  /* Appends extracted text like emit_text, and says where it came from: `kind` is a short label
   * of [a-z0-9_-] (1..32 characters) such as "ocr" (recognized from an image), which the host
   * keeps with that part of the text and shows to clients (GetDocument). emit_text is
   * emit_text_as with no kind. */
  archivum_rc (*emit_text_as)(void* ctx, archivum_str kind, archivum_str text);
} archivum_sink;

/* Where query() sends its hits. OWNERSHIP and threading as archivum_sink. */
typedef struct archivum_query_sink {
  uint32_t struct_size; /* sizeof(archivum_query_sink) as the host compiled it */
  void* ctx;
  /* One hit: a cataloged path, a score (higher is better, finite) and a human-readable detail. */
  archivum_rc (*emit_hit)(void* ctx, archivum_str path, double score, archivum_str detail);
  void (*log)(void* ctx, archivum_log_level level, archivum_str message);
} archivum_query_sink;

/* ---------------------------------------------------------------------------------------------
 * The descriptor (returned by the entry symbol)
 * ------------------------------------------------------------------------------------------- */

/* OWNERSHIP: plugin; the descriptor and everything it points to must stay valid and unchanged
 * while the library is loaded (make it static const). The host copies the metadata at load. */
typedef struct archivum_plugin_descriptor {
  /* sizeof(archivum_plugin_descriptor) as the plugin compiled it. Must cover at least the
   * ABI 1.0 fields (ARCHIVUM_DESCRIPTOR_SIZE_1_0) and every field of the minor declared. */
  uint32_t struct_size;
  /* The ABI the plugin was built against: use ARCHIVUM_ABI_VERSION_MAJOR/MINOR. */
  uint16_t abi_major;
  uint16_t abi_minor;

  /* Unique name, 1..64 characters of [A-Za-z0-9_.-]; YAML settings are keyed by it. */
  archivum_str name;
  /* The plugin's own version (free-form, non-empty, printable, e.g. "1.4.2"). */
  archivum_str version;
  /* One line for ListPlugins. May be empty. */
  archivum_str description;
  /* ARCHIVUM_STAGE_DETECT, _EXTRACT or _ANALYZE. */
  archivum_stage stage;
  /* ARCHIVUM_FLAG_* bits; unknown bits are refused. */
  uint32_t flags;
  // MIME patterns the plugin accepts: "type/subtype", "type/*", "*/*" or "*" (shell-style
  // wildcards, case-insensitive). At least one. The host's configuration may replace them.
  const archivum_str* accept;
  size_t accept_count;
  /* Query verbs this plugin answers (e.g. "similar" for "similar:PATH"), 1..32 characters of
   * [a-z0-9_-]. Non-empty if and only if query is set. */
  const archivum_str* query_verbs;
  size_t query_verb_count;

  /* create: makes the plugin's state.
   *   Required: yes.
   *   config_json: the plugin's configuration (a JSON object, "{}" if none), valid during the
   *     call.
   *   host: host services; valid until destroy() returns (see archivum_host_api).
   *   state: out; set to the new state on success. Leave it NULL on failure.
   *   Returns ARCHIVUM_OK, or an error code; on error the host calls last_error(NULL) on the same
   *   thread for the reason and never calls destroy. The host calls create once per load.
   *   Thread: never concurrent with any other call into the plugin. */
  archivum_rc (*create)(archivum_str config_json, const archivum_host_api* host,
                        archivum_plugin_state** state);

  /* destroy: frees the state and everything the plugin still holds.
   *   Required: yes.
   *   state: from a successful create; invalid after the call.
   *   Thread: called once, after every other call on the state has returned. */
  void (*destroy)(archivum_plugin_state* state);

  /* process: runs the plugin's stage on one file during ingest.
   *   Required: yes.
   *   file, sink: host-owned, valid only during the call (see their types).
   *   Returns:
   *     ARCHIVUM_OK          results emitted to the sink are kept.
   *     ARCHIVUM_UNSUPPORTED the file is not for this plugin after all; output discarded, no
   *                          error recorded.
   *     ARCHIVUM_CANCELLED   stopped because of the deadline or cancellation; recorded as such.
   *     any other code       failure; the host records an "error" finding with last_error(state)
   *                          and discards what the call emitted.
   *   Thread: concurrent calls on one state only if ARCHIVUM_FLAG_THREAD_SAFE is set. */
  archivum_rc (*process)(archivum_plugin_state* state, const archivum_file* file,
                         const archivum_sink* sink);

  /* query: answers a query verb listed in query_verbs, e.g. "similar:/docs/a.pdf" arrives as
   * verb "similar", argument "/docs/a.pdf".
   *   Required: no (NULL if the plugin registers no verbs).
   *   verb, argument, sink: host-owned, valid only during the call.
   *   Returns ARCHIVUM_OK (hits emitted are kept), ARCHIVUM_INVALID_ARGUMENT (malformed
   *   argument), ARCHIVUM_NOT_FOUND (unknown subject) or another code for a failure;
   *   last_error(state) gives the reason for any code but ARCHIVUM_OK.
   *   Thread: as process(); may run concurrently with process() if thread-safe. */
  archivum_rc (*query)(archivum_plugin_state* state, archivum_str verb, archivum_str argument,
                       const archivum_query_sink* sink);

  /* last_error: a message for the last failed call on `state` from the calling thread.
   *   Required: yes.
   *   state: the state of the failed call, or NULL after a failed create.
   *   Returns a string owned by the plugin, valid until the next call into the plugin on that
   *   state from the same thread. May be empty.
   *   Thread: called right after the failing call, on the same thread. */
  archivum_str (*last_error)(archivum_plugin_state* state);

  /* ---- ABI 1.1 ---- */

  /* The largest file (in bytes) the plugin wants to see; larger files are not routed to it.
   * 0 means no limit. The host configuration may lower it. */
  uint64_t max_file_size;

  /* ---- ABI 1.2 ---- */

  /* flush: makes durable what the plugin keeps of its own (an index in its data directory, say)
   * for every file whose process() call has returned.
   *   Required: no. NULL if the plugin keeps nothing across calls, or makes it durable within
   *     process().
   *   Why: the host commits the results of process() to its catalog in batches, and a later
   *     ingest skips a cataloged file that has not changed without calling process() again. So
   *     the host calls flush before it commits a batch; whatever the plugin had not made durable
   *     by then would be lost for good in a crash.
   *   Returns ARCHIVUM_OK, or an error code with last_error(state) for the reason. On an error
   *     the host still commits the batch but records its files so that the next ingest analyzes
   *     them again, and reports the failure. It does the same for every file whose process()
   *     call began before the failed flush returned and that it had not committed yet, in any
   *     ingest: the flush may have lost their state too (a plugin's own batches need not match
   *     the host's). After a failure, a plugin may keep or drop what was pending.
   *   Thread: like process() (concurrent calls, including with process() and query(), only if
   *     ARCHIVUM_FLAG_THREAD_SAFE is set). It must cover every process() call that returned
   *     before it began; it may cover more.
   *   Time: the ingest's commits wait for it, and it gets no deadline: return promptly (a
   *     commit of what is pending, not a rebuild). */
  archivum_rc (*flush)(archivum_plugin_state* state);

  /* Top-level keys of the plugin's configuration that only tune resources (a cache size, a
   * thread count) and never change what process() emits. The host records, with every
   * analyzed file, a signature of the plugins and their configuration, and analyzes a file
   * again when it changes; these keys are left out of it, so changing them alone re-analyzes
   * nothing. Each 1..64 characters of [A-Za-z0-9_.-], at most 16. NULL with count 0 if none. */
  const archivum_str* tuning_keys;
  size_t tuning_key_count;

  /* ---- ABI 1.4 ---- */

  /* Top-level keys of the plugin's configuration whose values (a string, or a list of strings)
   * name files or directories the plugin reads in create(): rule files, a dictionary, a model.
   * For these the host (1) resolves relative paths against the configuration file's directory
   * and passes them to create() absolute, (2) lets a sandboxed worker read them (read-only), and
   * (3) analyzes files again when the content of what they name changes (size or modification
   * time of any file in them), as when the configuration changes. Same syntax and bound as
   * tuning_keys; NULL with count 0 if none. */
  const archivum_str* path_keys;
  size_t path_key_count;
} archivum_plugin_descriptor;

/* Size of the ABI 1.0 descriptor: everything before the first 1.1 field. */
#define ARCHIVUM_DESCRIPTOR_SIZE_1_0 offsetof(archivum_plugin_descriptor, max_file_size)
/* Size of the ABI 1.1 descriptor: everything before the first 1.2 field. */
#define ARCHIVUM_DESCRIPTOR_SIZE_1_1 offsetof(archivum_plugin_descriptor, flush)
/* Size of the ABI 1.2 and 1.3 descriptors: everything before the first 1.4 field. */
#define ARCHIVUM_DESCRIPTOR_SIZE_1_3 offsetof(archivum_plugin_descriptor, path_keys)

/* The entry symbol every plugin exports. Returns the plugin's descriptor (never NULL); it must
 * not fail, allocate host-visible resources or depend on the caller's state.
 *   Required: yes. Thread: may be called from any thread, more than once. */
typedef const archivum_plugin_descriptor* (*archivum_plugin_entry_fn)(void);
ARCHIVUM_EXPORT const archivum_plugin_descriptor* archivum_plugin_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ARCHIVUM_PLUGIN_H_ */
