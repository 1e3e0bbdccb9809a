// Status across the ABI: hetero::Status to hetero_status* and back, and the guard that
// keeps exceptions from crossing the boundary.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"

namespace hetero::cpu {

// A new status owned by the caller (freed by status->destroy). code must not be OK.
hetero_status* MakeAbiStatus(int32_t code, const std::string& message);
// NULL for OK, else a new status with the same code and message.
hetero_status* ToAbiStatus(const Status& status);

// Runs fn (returning Status) and converts the result; any exception becomes an error
// naming `where`. Every entry of the function table goes through it.
template <typename Fn>
hetero_status* Guard(const char* where, Fn&& fn) noexcept {
  try {
    return ToAbiStatus(fn());
  } catch (const std::bad_alloc&) {
    return MakeAbiStatus(HETERO_RESOURCE_EXHAUSTED, std::string(where) + ": out of memory");
  } catch (const std::exception& e) {
    return MakeAbiStatus(HETERO_INTERNAL, std::string(where) + ": " + e.what());
  } catch (...) {
    return MakeAbiStatus(HETERO_INTERNAL, std::string(where) + ": unknown exception");
  }
}

// For void entries (destroy, close): swallows anything thrown.
template <typename Fn>
void GuardVoid(Fn&& fn) noexcept {
  try {
    fn();
  } catch (...) {
  }
}

}  // namespace hetero::cpu
