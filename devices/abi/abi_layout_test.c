/* Freezes the layout of ABI 1.0 and the 1.1 additions on LP64 targets and proves the header is
 * valid C11: compiled with -std=c11 -pedantic -Werror. A reordered, resized or removed field fails
 * the build; appending fields keeps these offsets. */
#include <stddef.h>
#include <stdio.h>

#include "hetero_plugin.h"

#define FROZEN(type, field, offset) \
  _Static_assert(offsetof(type, field) == (offset), #type "." #field " moved")

/* hetero_status and the head of the plugin table are fixed across all majors. */
FROZEN(hetero_status, code, 4);
FROZEN(hetero_status, message, 8);
FROZEN(hetero_status, destroy, 16);
FROZEN(hetero_plugin_api, abi_major, 4);
FROZEN(hetero_plugin_api, abi_minor, 8);
FROZEN(hetero_plugin_api, plugin_name, 16);
FROZEN(hetero_plugin_api, plugin_version, 24);
FROZEN(hetero_plugin_api, plugin_create, 32);
FROZEN(hetero_plugin_api, device_count, 48);
FROZEN(hetero_plugin_api, query_support, 80);
FROZEN(hetero_plugin_api, compile, 88);
FROZEN(hetero_plugin_api, execute, 152);
FROZEN(hetero_plugin_api, event_create, 168);
FROZEN(hetero_plugin_api, set_profiling, 240);
/* The 1.0 table was 248 bytes; 1.1 appends device_memory_stats right after it. */
#define HETERO_PLUGIN_API_1_0_SIZE 248
_Static_assert(offsetof(hetero_plugin_api, device_memory_stats) == HETERO_PLUGIN_API_1_0_SIZE,
               "the 1.1 entry starts where the 1.0 table ended");
_Static_assert(sizeof(hetero_plugin_api) == 256, "hetero_plugin_api 1.1 size");

/* ABI 1.1: device memory statistics. */
FROZEN(hetero_memory_stats, coverage, 8);
FROZEN(hetero_memory_stats, bytes_in_use, 16);
FROZEN(hetero_memory_stats, peak_bytes_in_use, 24);
FROZEN(hetero_memory_stats, allocations, 32);
_Static_assert(sizeof(hetero_memory_stats) == 40, "hetero_memory_stats 1.1 size");

/* Structs used as array elements or embedded are frozen within a major. */
FROZEN(hetero_tensor_desc, dims, 16);
_Static_assert(sizeof(hetero_tensor_desc) == 16 + 8 * HETERO_MAX_RANK, "tensor_desc size");
_Static_assert(sizeof(hetero_attr) == 80, "hetero_attr size");
_Static_assert(sizeof(hetero_value_view) == 112, "hetero_value_view size");
_Static_assert(sizeof(hetero_node_view) == 72, "hetero_node_view size");
FROZEN(hetero_device_properties, memory_bytes, 264);
FROZEN(hetero_device_properties, peak_flops, 272);
FROZEN(hetero_host_api, parallel_for, 32);
FROZEN(hetero_host_api, profile_record, 48);
FROZEN(hetero_sync, correlation_id, 24);

int main(void) {
  hetero_plugin_api api = {0};
  api.struct_size = (uint32_t)offsetof(hetero_plugin_api, event_create);
  /* A reader treats entries beyond struct_size as absent. */
  if (HETERO_HAS_FIELD(&api, hetero_plugin_api, event_create)) return 1;
  if (!HETERO_HAS_FIELD(&api, hetero_plugin_api, stream_synchronize)) return 1;
  /* A 1.0 plugin's table: the 1.1 entry is absent, every 1.0 entry present. */
  api.struct_size = HETERO_PLUGIN_API_1_0_SIZE;
  if (HETERO_HAS_FIELD(&api, hetero_plugin_api, device_memory_stats)) return 1;
  if (!HETERO_HAS_FIELD(&api, hetero_plugin_api, set_profiling)) return 1;
  api.struct_size = (uint32_t)sizeof(api);
  if (!HETERO_HAS_FIELD(&api, hetero_plugin_api, device_memory_stats)) return 1;
  printf("hetero_plugin.h %d.%d: layout as frozen\n", HETERO_PLUGIN_ABI_MAJOR,
         HETERO_PLUGIN_ABI_MINOR);
  return 0;
}
