// Checked casts from opaque ABI handles to a plugin's objects, shared by the plugins that
// build on the CPU plugin (npu-sim). Every object starts with a tag enum that has kDead.
#pragma once

#include <cstring>
#include <string>
#include <type_traits>

#include "hetero/status.h"

namespace hetero::cpu {

// T* from `handle`, or InvalidArgument when the handle is NULL, destroyed or of
// another kind.
template <typename T, typename H, typename TagT>
StatusOr<T*> CheckedCast(H* handle, TagT tag, const char* what) {
  if (handle == nullptr) return InvalidArgument(std::string(what) + ": handle is NULL");
  TagT got;
  std::memcpy(&got, static_cast<const void*>(handle), sizeof(got));
  if (got != tag) {
    return InvalidArgument(std::string(what) + (got == TagT::kDead
                                                    ? ": handle was already destroyed"
                                                    : ": handle is not of the right kind"));
  }
  return reinterpret_cast<T*>(const_cast<std::remove_const_t<H>*>(handle));
}

}  // namespace hetero::cpu
