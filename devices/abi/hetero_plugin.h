/* hetero_plugin.h: the C ABI between hetero and a device plugin. The only header a
 * plugin needs. C11 and C++; versioned major.minor; append-only.
 *
 * Rules (see docs/plugin-guide.md for every function's contract):
 * - One exported symbol, HETERO_PLUGIN_ENTRY_NAME, of type hetero_plugin_get_api_fn.
 *   The host passes its ABI version and its services; the plugin returns a static,
 *   immutable function table. Both sides then use the lower minor. A different major is
 *   an error status with a message, never a crash.
 * - Every struct starts with `uint32_t struct_size`, set by whoever allocates it to
 *   sizeof of the struct as they know it. Fields are only ever appended; a reader treats
 *   fields beyond struct_size as zero / NULL (HETERO_HAS_FIELD). A struct one side
 *   allocates and the other fills (hetero_device_properties) is written only up to the
 *   struct_size its allocator set.
 * - Structs that are array elements or embedded in other structs (hetero_tensor_desc,
 *   hetero_attr, hetero_value_view, hetero_node_view, hetero_profile_counter) are frozen
 *   for a major version: both sides must agree on the array stride. New per-element data
 *   comes as a new array appended to the enclosing struct.
 * - Fixed across every major version, so a host can read any plugin's answer: the entry
 *   function's signature, hetero_status, and the first five fields of hetero_plugin_api
 *   (struct_size, abi_major, abi_minor, plugin_name, plugin_version).
 * - A NULL entry in the function table means "not supported"; the host checks before
 *   calling. Entries marked [required] must be non-NULL.
 * - Errors: functions return hetero_status* (NULL = OK). A status carries its own
 *   destroy function, so it can be freed without the plugin's table. No C++ exception
 *   may cross this boundary.
 * - No global state: everything lives in a hetero_plugin instance; two instances of one
 *   plugin, created by one host or two, must work side by side.
 * - Threads: functions on different objects may be called concurrently; calls on one
 *   stream are serialized by the host. Callbacks may run on any thread.
 */
#ifndef HETERO_PLUGIN_H_
#define HETERO_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HETERO_PLUGIN_ABI_MAJOR 1
#define HETERO_PLUGIN_ABI_MINOR 1
#define HETERO_PLUGIN_ENTRY_NAME "hetero_plugin_get_api"

#if defined(_WIN32)
#define HETERO_PLUGIN_EXPORT __declspec(dllexport)
#else
#define HETERO_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Whether a struct of size `s->struct_size` holds `field`. */
#define HETERO_HAS_FIELD(s, type, field) \
  ((s)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---- status --------------------------------------------------------------------- */

typedef enum hetero_status_code {
  HETERO_OK = 0,
  HETERO_INVALID_ARGUMENT = 1,
  HETERO_NOT_FOUND = 2,
  HETERO_UNIMPLEMENTED = 3,
  HETERO_OUT_OF_RANGE = 4,
  HETERO_RESOURCE_EXHAUSTED = 5,
  HETERO_FAILED_PRECONDITION = 6,
  HETERO_DATA_LOSS = 7,
  HETERO_INTERNAL = 8,
  HETERO_UNAVAILABLE = 9,
  HETERO_CANCELLED = 10,
  HETERO_INCOMPATIBLE_VERSION = 11,
  HETERO_STATUS_CODE_FORCE_INT32 = 0x7fffffff
} hetero_status_code;

/* An error. Owned by whoever receives it, who frees it with status->destroy(status). */
typedef struct hetero_status {
  uint32_t struct_size;
  int32_t code;        /* hetero_status_code, never HETERO_OK */
  const char* message; /* UTF-8, one line, owned by the status */
  void (*destroy)(struct hetero_status* status);
} hetero_status;

/* ---- element types and tensors -------------------------------------------------- */

typedef enum hetero_dtype {
  HETERO_DTYPE_F32 = 0,
  HETERO_DTYPE_F16 = 1,
  HETERO_DTYPE_BF16 = 2,
  HETERO_DTYPE_F8E4M3 = 3,
  HETERO_DTYPE_I64 = 4,
  HETERO_DTYPE_I32 = 5,
  HETERO_DTYPE_I8 = 6,
  HETERO_DTYPE_U8 = 7,
  HETERO_DTYPE_BOOL = 8,
  HETERO_DTYPE_COUNT = 9,
  HETERO_DTYPE_FORCE_INT32 = 0x7fffffff
} hetero_dtype;

#define HETERO_MAX_RANK 8

/* A tensor type. A dim of -1 is not known until the graph runs. Row-major, dense. */
typedef struct hetero_tensor_desc {
  uint32_t struct_size;
  int32_t dtype; /* hetero_dtype */
  int32_t rank;
  int64_t dims[HETERO_MAX_RANK];
} hetero_tensor_desc;

/* ---- graph view: what support queries and compilation see ----------------------- */

typedef enum hetero_attr_kind {
  HETERO_ATTR_INT = 0,
  HETERO_ATTR_FLOAT = 1,
  HETERO_ATTR_STRING = 2,
  HETERO_ATTR_INTS = 3,
  HETERO_ATTR_FLOATS = 4,
  HETERO_ATTR_STRINGS = 5,
  HETERO_ATTR_KIND_FORCE_INT32 = 0x7fffffff
} hetero_attr_kind;

typedef struct hetero_attr {
  uint32_t struct_size;
  const char* name;
  int32_t kind; /* hetero_attr_kind */
  int64_t i;
  double f;
  const char* s;
  const int64_t* ints;
  const double* floats;
  const char* const* strings;
  uint64_t count; /* elements of ints / floats / strings */
} hetero_attr;

/* A value: a graph input, a constant (data non-NULL, host memory, valid for the call
 * and — for compile — until the executable is destroyed), or a node output. */
typedef struct hetero_value_view {
  uint32_t struct_size;
  const char* name;
  hetero_tensor_desc type;
  const void* constant_data;
  uint64_t constant_bytes;
} hetero_value_view;

/* A node of hetero's op set (docs/opset.md); inputs and outputs index values[], -1 for
 * an absent optional input. */
typedef struct hetero_node_view {
  uint32_t struct_size;
  const char* op;
  const char* name;
  uint32_t num_inputs;
  const int32_t* inputs;
  uint32_t num_outputs;
  const int32_t* outputs;
  uint32_t num_attrs;
  const hetero_attr* attrs;
} hetero_node_view;

/* A graph or subgraph, nodes in topological order. inputs/outputs index values[]. All
 * memory belongs to the host and is valid for the duration of the call. */
typedef struct hetero_graph_view {
  uint32_t struct_size;
  uint32_t opset_version; /* hetero op set version, 1 */
  uint32_t num_values;
  const hetero_value_view* values;
  uint32_t num_nodes;
  const hetero_node_view* nodes;
  uint32_t num_inputs;
  const int32_t* inputs;
  uint32_t num_outputs;
  const int32_t* outputs;
} hetero_graph_view;

typedef enum hetero_support {
  HETERO_SUPPORT_NO = 0,
  HETERO_SUPPORT_YES = 1,
  HETERO_SUPPORT_FORCE_INT32 = 0x7fffffff
} hetero_support;

/* Filled by query_support: support[i] for node i (host-allocated, num_nodes entries,
 * preset to NO). For each unsupported node the plugin should call set_reason, which
 * copies the string. */
typedef struct hetero_support_result {
  uint32_t struct_size;
  int32_t* support; /* hetero_support per node */
  void* reason_context;
  void (*set_reason)(void* reason_context, uint32_t node_index, const char* reason);
} hetero_support_result;

/* ---- host services ------------------------------------------------------------- */

typedef enum hetero_log_level {
  HETERO_LOG_DEBUG = 0,
  HETERO_LOG_INFO = 1,
  HETERO_LOG_WARNING = 2,
  HETERO_LOG_ERROR = 3,
  HETERO_LOG_LEVEL_FORCE_INT32 = 0x7fffffff
} hetero_log_level;

typedef struct hetero_profile_counter {
  const char* name; /* "flops", "bytes", "cycles", ... */
  double value;
} hetero_profile_counter;

/* One timed region of device work, in the host's clock (now_ns). */
typedef struct hetero_profile_record {
  uint32_t struct_size;
  uint64_t correlation_id; /* the id given to execute / copy */
  const char* name;        /* node name, or "copy h2d" */
  const char* op;          /* op type, or NULL */
  uint32_t device_index;
  uint32_t stream_id;
  uint64_t start_ns;
  uint64_t end_ns;
  uint32_t num_counters;
  const hetero_profile_counter* counters;
  int32_t simulated; /* nonzero: times are a model's prediction, not a measurement */
} hetero_profile_record;

/* What the host offers a plugin. Valid until the plugin instance is destroyed. All
 * functions are thread-safe. */
typedef struct hetero_host_api {
  uint32_t struct_size;
  void* host_context; /* first argument of every function below */
  void (*log)(void* host_context, int32_t level, const char* message);
  /* Monotonic clock, nanoseconds. Profile records use it. */
  uint64_t (*now_ns)(void* host_context);
  /* Runs fn(arg, begin, end) over [0, count) in chunks of about `grain` on the host's
   * oneTBB arena (sized by --threads) and returns when all chunks are done. fn must not
   * throw. */
  void (*parallel_for)(void* host_context, uint64_t count, uint64_t grain,
                       void (*fn)(void* arg, uint64_t begin, uint64_t end), void* arg);
  /* Runs fn(arg) later on the host's arena; returns at once. */
  void (*enqueue_task)(void* host_context, void (*fn)(void* arg), void* arg);
  /* Delivers a profile record (copied by the host). Only called while profiling is on. */
  void (*profile_record)(void* host_context, const hetero_profile_record* record);
} hetero_host_api;

/* ---- devices ------------------------------------------------------------------- */

typedef enum hetero_device_kind {
  HETERO_DEVICE_CPU = 0,
  HETERO_DEVICE_GPU = 1,
  HETERO_DEVICE_NPU = 2,
  HETERO_DEVICE_ACCELERATOR = 3,
  HETERO_DEVICE_KIND_FORCE_INT32 = 0x7fffffff
} hetero_device_kind;

enum {
  HETERO_CAP_ASYNC = 1u << 0,              /* execute / copies return before completion */
  HETERO_CAP_EVENTS = 1u << 1,             /* event_* entries work */
  HETERO_CAP_STATIC_SHAPES_ONLY = 1u << 2, /* compile needs every dim known */
  HETERO_CAP_DEVICE_COPY = 1u << 3,        /* copy_device_to_device works */
  HETERO_CAP_SERIALIZE = 1u << 4,          /* executable_serialize / _deserialize work */
  HETERO_CAP_SIMULATED = 1u << 5,          /* timings are predictions of a model */
  HETERO_CAP_HOST_MEMORY = 1u << 6         /* buffers are host memory (buffer_host_pointer) */
};

typedef struct hetero_device_properties {
  uint32_t struct_size;
  int32_t kind; /* hetero_device_kind */
  char name[128];
  char vendor[64];
  char driver_version[64];
  uint64_t memory_bytes;
  double peak_flops[HETERO_DTYPE_COUNT]; /* per element type, 0 = unknown or unsupported */
  double memory_bandwidth;               /* bytes per second */
  double host_link_bandwidth;            /* bytes per second between host and device */
  double launch_overhead_ns;             /* cost of one execute call */
  uint64_t capabilities;                 /* HETERO_CAP_* */
  uint64_t max_allocation_bytes;         /* largest single buffer, 0 = memory_bytes */
} hetero_device_properties;

typedef struct hetero_plugin hetero_plugin;         /* one instance of a plugin */
typedef struct hetero_device hetero_device;         /* an opened device */
typedef struct hetero_buffer hetero_buffer;         /* device memory */
typedef struct hetero_stream hetero_stream;         /* an in-order queue of work */
typedef struct hetero_event hetero_event;           /* a one-shot completion signal */
typedef struct hetero_executable hetero_executable; /* a compiled subgraph */

typedef struct hetero_compile_options {
  uint32_t struct_size;
  const char* options; /* "key=value;key=value", plugin-defined, may be NULL */
} hetero_compile_options;

/* Waits before, and a signal after, one piece of stream work. A NULL hetero_sync* means
 * no waits, no signal and correlation id 0. */
typedef struct hetero_sync {
  uint32_t struct_size;
  uint32_t num_waits;
  hetero_event* const* waits; /* the work starts after all of these */
  hetero_event* signal;       /* signalled when the work is done; may be NULL */
  uint64_t correlation_id;    /* echoed in profile records */
} hetero_sync;

/* ---- device memory statistics (ABI 1.1) ----------------------------------------- */

/* What a device's memory statistics count (hetero_memory_stats.coverage). */
enum {
  HETERO_MEMORY_BUFFERS = 1u << 0,       /* buffers from buffer_allocate */
  HETERO_MEMORY_INTERMEDIATES = 1u << 1, /* temporaries executables allocate while running */
  HETERO_MEMORY_CONSTANTS = 1u << 2,     /* constants (weights) executables keep on the device */
  HETERO_MEMORY_SIMULATED = 1u << 3      /* a simulator's accounting of memory it models */
};

/* Device memory in use, as the plugin accounts for it. Allocated by the host, filled by
 * the plugin up to the struct_size the host set. Bytes count the sizes asked for (buffer
 * and tensor sizes), not allocator padding; a plugin that counts otherwise says so in
 * its README. */
typedef struct hetero_memory_stats {
  uint32_t struct_size;
  uint32_t reserved;
  uint64_t coverage;          /* HETERO_MEMORY_* bits: what the numbers below count */
  uint64_t bytes_in_use;      /* now */
  uint64_t peak_bytes_in_use; /* the most in use at once since the device was opened or
                                 since the last call that asked for a reset */
  uint64_t allocations;       /* allocations counted since open (never reset) */
} hetero_memory_stats;

/* ---- the plugin's function table ------------------------------------------------ */

typedef struct hetero_plugin_api {
  uint32_t struct_size;
  uint32_t abi_major; /* HETERO_PLUGIN_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;
  const char* plugin_name;    /* "cpu", "null", ... */
  const char* plugin_version; /* the plugin's own version */

  /* [required] Instances. `host` stays valid until plugin_destroy. */
  hetero_status* (*plugin_create)(const hetero_host_api* host, hetero_plugin** out_plugin);
  void (*plugin_destroy)(hetero_plugin* plugin);

  /* [required] Devices. Enumeration is stable for the life of the instance. */
  hetero_status* (*device_count)(hetero_plugin* plugin, uint32_t* out_count);
  hetero_status* (*device_properties)(hetero_plugin* plugin, uint32_t index,
                                      hetero_device_properties* out_properties);
  hetero_status* (*device_open)(hetero_plugin* plugin, uint32_t index, hetero_device** out);
  void (*device_close)(hetero_device* device);

  /* [required] Which nodes of `graph` this device can run. Anything reported supported
   * must compile and match the reference kernels. */
  hetero_status* (*query_support)(hetero_device* device, const hetero_graph_view* graph,
                                  hetero_support_result* result);

  /* [required] Compilation of a whole subgraph into an executable. */
  hetero_status* (*compile)(hetero_device* device, const hetero_graph_view* graph,
                            const hetero_compile_options* options, hetero_executable** out);
  void (*executable_destroy)(hetero_executable* executable);

  /* [required] Buffers. A size of 0 is valid. */
  hetero_status* (*buffer_allocate)(hetero_device* device, uint64_t size_bytes,
                                    hetero_buffer** out);
  void (*buffer_free)(hetero_buffer* buffer);

  /* [required] Streams and work. Work on one stream runs in order. The host memory of a
   * copy must stay valid until its signal fires (or until stream_synchronize). */
  hetero_status* (*stream_create)(hetero_device* device, hetero_stream** out);
  void (*stream_destroy)(hetero_stream* stream);
  hetero_status* (*copy_host_to_device)(hetero_stream* stream, const void* src, hetero_buffer* dst,
                                        uint64_t dst_offset, uint64_t size_bytes,
                                        const hetero_sync* sync);
  hetero_status* (*copy_device_to_host)(hetero_stream* stream, const hetero_buffer* src,
                                        uint64_t src_offset, void* dst, uint64_t size_bytes,
                                        const hetero_sync* sync);
  /* Runs an executable. inputs/outputs follow the compiled graph's inputs/outputs; the
   * descs give this run's concrete shapes (outputs allocated by the host). */
  hetero_status* (*execute)(hetero_stream* stream, hetero_executable* executable,
                            uint32_t num_inputs, hetero_buffer* const* inputs,
                            const hetero_tensor_desc* input_descs, uint32_t num_outputs,
                            hetero_buffer* const* outputs, const hetero_tensor_desc* output_descs,
                            const hetero_sync* sync);
  /* Blocks until all work on the stream is done; returns the first error of that work. */
  hetero_status* (*stream_synchronize)(hetero_stream* stream);

  /* [optional, HETERO_CAP_EVENTS] One-shot events. */
  hetero_status* (*event_create)(hetero_device* device, hetero_event** out);
  /* A callback still pending from event_on_ready is called, with HETERO_CANCELLED,
   * before event_destroy returns. */
  void (*event_destroy)(hetero_event* event);
  /* Waits up to timeout_ns (UINT64_MAX: forever); HETERO_UNAVAILABLE on timeout. Returns
   * the error of the work that signals it, if that failed. */
  hetero_status* (*event_wait)(hetero_event* event, uint64_t timeout_ns);
  /* *out_done = 1 once signalled. */
  hetero_status* (*event_query)(hetero_event* event, int32_t* out_done);
  /* Calls fn exactly once, from any thread, when the event is signalled (at once if it
   * already is). `status` is NULL on success; fn takes ownership of it. */
  hetero_status* (*event_on_ready)(hetero_event* event,
                                   void (*fn)(void* user_data, hetero_status* status),
                                   void* user_data);

  /* [optional, HETERO_CAP_DEVICE_COPY] Copies between buffers of this plugin's devices. */
  hetero_status* (*copy_device_to_device)(hetero_stream* stream, const hetero_buffer* src,
                                          uint64_t src_offset, hetero_buffer* dst,
                                          uint64_t dst_offset, uint64_t size_bytes,
                                          const hetero_sync* sync);

  /* [optional, HETERO_CAP_HOST_MEMORY] The host address of a buffer's memory. */
  hetero_status* (*buffer_host_pointer)(hetero_buffer* buffer, void** out_pointer);

  /* [optional, HETERO_CAP_SERIALIZE] Executables as bytes. serialize calls write(ctx,
   * bytes, size) one or more times. deserialize rejects foreign or corrupt blobs. */
  hetero_status* (*executable_serialize)(hetero_executable* executable,
                                         void (*write)(void* ctx, const void* bytes, uint64_t size),
                                         void* ctx);
  hetero_status* (*executable_deserialize)(hetero_device* device, const void* bytes, uint64_t size,
                                           hetero_executable** out);

  /* [optional] Turns per-op profile records on or off for a device (off by default;
   * nothing is paid when off). Records go to host->profile_record. */
  hetero_status* (*set_profiling)(hetero_device* device, int32_t enabled);

  /* ---- ABI 1.1 ---- */

  /* [optional] The device's memory use, in *out_stats (struct_size set by the host).
   * With reset_peak nonzero, the peak restarts at the bytes in use now, after being
   * read: a caller resetting at the start of a measurement reads that measurement's
   * peak at its end. Thread-safe against allocations on other threads. Hosts check
   * HETERO_HAS_FIELD(api, hetero_plugin_api, device_memory_stats) before calling: a 1.0
   * plugin's table ends before it. */
  hetero_status* (*device_memory_stats)(hetero_device* device, int32_t reset_peak,
                                        hetero_memory_stats* out_stats);
} hetero_plugin_api;

/* The one exported symbol. Returns the plugin's table in *out_api, or an error status
 * (HETERO_INCOMPATIBLE_VERSION when host_major differs). The table is static and
 * immutable; calling this twice returns the same table. */
typedef hetero_status* (*hetero_plugin_get_api_fn)(uint32_t host_major, uint32_t host_minor,
                                                   const hetero_plugin_api** out_api);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HETERO_PLUGIN_H_ */
