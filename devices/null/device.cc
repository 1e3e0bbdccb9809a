// The null plugin's instances and its one device: listed, opened, supporting nothing.
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "null_plugin.h"

namespace null_plugin {

hetero_status* PluginCreate(const hetero_host_api* host, hetero_plugin** out_plugin) {
  return Guard("plugin_create", [&]() -> hetero_status* {
    if (host == nullptr || out_plugin == nullptr) {
      return MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: plugin_create: NULL argument");
    }
    *out_plugin = new hetero_plugin{host};
    return nullptr;
  });
}

void PluginDestroy(hetero_plugin* plugin) { delete plugin; }

hetero_status* DeviceCount(hetero_plugin* plugin, uint32_t* out_count) {
  if (plugin == nullptr || out_count == nullptr) {
    return MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: device_count: NULL argument");
  }
  *out_count = 1;
  return nullptr;
}

hetero_status* DeviceProperties(hetero_plugin* plugin, uint32_t index,
                                hetero_device_properties* out_properties) {
  if (plugin == nullptr || out_properties == nullptr) {
    return MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: device_properties: NULL argument");
  }
  if (index != 0) {
    return MakeStatus(HETERO_OUT_OF_RANGE, "null plugin: device " + std::to_string(index) +
                                               " does not exist (there is 1)");
  }
  // Fill a full struct, then copy only as much as the host's struct holds.
  hetero_device_properties properties{};
  properties.struct_size = sizeof(properties);
  properties.kind = HETERO_DEVICE_ACCELERATOR;
  std::snprintf(properties.name, sizeof(properties.name), "null device");
  std::snprintf(properties.vendor, sizeof(properties.vendor), "hetero");
  std::snprintf(properties.driver_version, sizeof(properties.driver_version), "1.0.0");
  const uint32_t host_size = out_properties->struct_size;
  const size_t size = host_size < sizeof(properties) ? host_size : sizeof(properties);
  std::memcpy(out_properties, &properties, size);
  out_properties->struct_size = host_size;
  return nullptr;
}

hetero_status* DeviceOpen(hetero_plugin* plugin, uint32_t index, hetero_device** out) {
  return Guard("device_open", [&]() -> hetero_status* {
    if (plugin == nullptr || out == nullptr) {
      return MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: device_open: NULL argument");
    }
    if (index != 0) {
      return MakeStatus(HETERO_OUT_OF_RANGE, "null plugin: device " + std::to_string(index) +
                                                 " does not exist (there is 1)");
    }
    *out = new hetero_device{plugin, index};
    return nullptr;
  });
}

void DeviceClose(hetero_device* device) { delete device; }

hetero_status* QuerySupport(hetero_device* device, const hetero_graph_view* graph,
                            hetero_support_result* result) {
  if (device == nullptr || graph == nullptr || result == nullptr ||
      (result->support == nullptr && graph->num_nodes != 0)) {
    return MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: query_support: NULL argument");
  }
  for (uint32_t i = 0; i < graph->num_nodes; ++i) {
    result->support[i] = HETERO_SUPPORT_NO;
    if (result->set_reason != nullptr) {
      result->set_reason(result->reason_context, i, "the null device runs nothing");
    }
  }
  return nullptr;
}

}  // namespace null_plugin
