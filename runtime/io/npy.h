// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0).
//
// Element types, by the header's 'descr':
//   '<f4' f32   '<f2' f16   '<i8' i64   '<i4' i32   '|i1' i8   '|u1' u8   '|b1' bool
//   '<V2' bf16  '<V1' f8e4m3 — NumPy has no such types; these are what NumPy writes for
//   ml_dtypes' bfloat16 and float8_e4m3fn arrays (raw little-endian bits in a void
//   type). Reading them back in NumPy: np.load(f).view(ml_dtypes.bfloat16).
// Reading also accepts, for every type, '=' (native: little-endian here) and no
// byte-order prefix ('f4', 'i8'); '|' and '<' for either kind of one-byte and V type;
// big-endian '>' for the numeric types, whose data is byte-swapped. fortran_order True
// data is transposed into row-major order. Other types (f8, complex, strings, objects,
// structured dtypes) are refused naming the descr. Writing uses exactly the spellings
// in the table above, version 1.0 (2.0 when the header needs it), C order.
//
// Every size the file claims is checked before memory is taken: the header length
// against the file, the shape's element count against overflow, and element count x
// element size against the bytes that follow the header (a truncated or padded file is
// an error). Errors are one line that starts with the file's name:
//   "input.npy: header: unsupported dtype '<c8'".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {

// Reads a whole .npy file into a new tensor (its own memory).
StatusOr<Tensor> ReadNpy(const std::string& path);

// Decodes .npy bytes held in memory; `what_for_errors` names them in messages.
StatusOr<Tensor> ParseNpy(std::span<const uint8_t> bytes, std::string_view what_for_errors);

// The .npy bytes of a tensor.
StatusOr<std::vector<uint8_t>> EncodeNpy(const Tensor& t);

// Writes a tensor as a .npy file, replacing any file at `path`.
Status WriteNpy(const std::string& path, const Tensor& t);

}  // namespace hetero
