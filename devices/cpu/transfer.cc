// Copies between host memory and CPU buffers, and between buffers, queued on a stream.
#include <cstring>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/stream.h"

namespace hetero::cpu {
namespace {

// offset + size within a buffer of `buffer_size` bytes, without overflow.
Status CheckRange(const char* where, const char* which, uint64_t offset, uint64_t size,
                  uint64_t buffer_size) {
  if (offset > buffer_size || size > buffer_size - offset) {
    return OutOfRange(std::string(where) + ": " + which + " range [" + std::to_string(offset) +
                      ", +" + std::to_string(size) + ") is outside the buffer of " +
                      std::to_string(buffer_size) + " bytes");
  }
  return OkStatus();
}

// Queues a copy of `size` bytes, with a profile record named `name` when profiling is on.
Status SubmitCopy(Stream* stream, const hetero_sync* sync, const char* name, void* dst,
                  const void* src, uint64_t size, const char* where) {
  HETERO_ASSIGN_OR_RETURN(SyncPoints points, stream->DecodeSync(sync, where));
  const uint64_t correlation_id = points.correlation_id;
  return stream->Submit(std::move(points), [=]() -> Status {
    const Device& device = *stream->device();
    const bool profiling = device.profiling.load(std::memory_order_relaxed);
    const uint64_t start = profiling ? device.plugin->NowNs() : 0;
    if (size > 0) std::memmove(dst, src, size);
    if (profiling) {
      const hetero_profile_counter bytes{"bytes", static_cast<double>(size)};
      hetero_profile_record r{};
      r.struct_size = sizeof(r);
      r.correlation_id = correlation_id;
      r.name = name;
      r.device_index = device.index;
      r.stream_id = stream->id();
      r.start_ns = start;
      r.end_ns = device.plugin->NowNs();
      r.num_counters = 1;
      r.counters = &bytes;
      const hetero_host_api& host = device.plugin->host;
      host.profile_record(host.host_context, &r);
    }
    return OkStatus();
  });
}

}  // namespace

namespace abi {

hetero_status* CopyHostToDevice(hetero_stream* stream_handle, const void* src,
                                hetero_buffer* dst_handle, uint64_t dst_offset, uint64_t size,
                                const hetero_sync* sync) {
  constexpr const char* kWhere = "copy_host_to_device";
  return Guard(kWhere, [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(stream_handle, kWhere));
    HETERO_ASSIGN_OR_RETURN(Buffer * dst, FromHandle(dst_handle, kWhere));
    if (src == nullptr && size > 0) return InvalidArgument(std::string(kWhere) + ": src is NULL");
    HETERO_RETURN_IF_ERROR(CheckRange(kWhere, "destination", dst_offset, size, dst->size));
    return SubmitCopy(stream, sync, "copy h2d", static_cast<char*>(dst->data) + dst_offset, src,
                      size, kWhere);
  });
}

hetero_status* CopyDeviceToHost(hetero_stream* stream_handle, const hetero_buffer* src_handle,
                                uint64_t src_offset, void* dst, uint64_t size,
                                const hetero_sync* sync) {
  constexpr const char* kWhere = "copy_device_to_host";
  return Guard(kWhere, [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(stream_handle, kWhere));
    HETERO_ASSIGN_OR_RETURN(Buffer * src, FromHandle(src_handle, kWhere));
    if (dst == nullptr && size > 0) return InvalidArgument(std::string(kWhere) + ": dst is NULL");
    HETERO_RETURN_IF_ERROR(CheckRange(kWhere, "source", src_offset, size, src->size));
    return SubmitCopy(stream, sync, "copy d2h", dst,
                      static_cast<const char*>(src->data) + src_offset, size, kWhere);
  });
}

hetero_status* CopyDeviceToDevice(hetero_stream* stream_handle, const hetero_buffer* src_handle,
                                  uint64_t src_offset, hetero_buffer* dst_handle,
                                  uint64_t dst_offset, uint64_t size, const hetero_sync* sync) {
  constexpr const char* kWhere = "copy_device_to_device";
  return Guard(kWhere, [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(stream_handle, kWhere));
    HETERO_ASSIGN_OR_RETURN(Buffer * src, FromHandle(src_handle, kWhere));
    HETERO_ASSIGN_OR_RETURN(Buffer * dst, FromHandle(dst_handle, kWhere));
    HETERO_RETURN_IF_ERROR(CheckRange(kWhere, "source", src_offset, size, src->size));
    HETERO_RETURN_IF_ERROR(CheckRange(kWhere, "destination", dst_offset, size, dst->size));
    return SubmitCopy(stream, sync, "copy d2d", static_cast<char*>(dst->data) + dst_offset,
                      static_cast<const char*>(src->data) + src_offset, size, kWhere);
  });
}

}  // namespace abi
}  // namespace hetero::cpu
