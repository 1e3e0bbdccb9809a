# Writes the small .npy files npy_test.cc reads, with NumPy itself (and ml_dtypes for bf16).
# Run from this folder: python3 make_testdata.py
import ml_dtypes
import numpy as np

# f32 (2, 3): element (i, j) = (3 * i + j) / 4 - 0.5
np.save("f32_2x3.npy", (np.arange(6, dtype="<f4").reshape(2, 3) / 4 - 0.5).astype("<f4"))
# i64 scalar -7
np.save("i64_scalar.npy", np.array(-7, dtype="<i8"))
# bool (2, 3) in Fortran order: rows [T, F, T] and [F, F, T]
np.save("bool_fortran_2x3.npy",
        np.asfortranarray(np.array([[True, False, True], [False, False, True]])))
# big-endian i4 (3,): [1, -2, 300000]
np.save("i4_big_endian.npy", np.array([1, -2, 300000], dtype=">i4"))
# bf16 (2,) via ml_dtypes, stored by NumPy as '<V2': [1.5, -2]
np.save("bf16_2.npy", np.array([1.5, -2], dtype=ml_dtypes.bfloat16))
