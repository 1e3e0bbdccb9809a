// Tests of .npy reading and writing: round trips, NumPy's own files, and bad files.
#include "runtime/io/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace hetero {
namespace {

namespace fs = std::filesystem;

// Files written by NumPy (see testdata/make_testdata.py).
fs::path TestData(const std::string& name) {
  return fs::path(HETERO_SOURCE_DIR) / "runtime/io/testdata" / name;
}

std::vector<uint8_t> FileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A .npy file built by hand: preamble for `version`, the dict as given, padded with
// spaces to a 64-byte boundary and ended by '\n', then `data`.
std::vector<uint8_t> MakeNpy(const std::string& dict, const std::vector<uint8_t>& data,
                             int version = 1) {
  const size_t preamble = version == 1 ? 10 : 12;
  std::string header = dict;
  while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
  for (size_t i = 0; i < preamble - 8; ++i) out.push_back((header.size() >> (8 * i)) & 0xff);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string Dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

std::string ParseError(const std::vector<uint8_t>& bytes) {
  auto t = ParseNpy(bytes, "x.npy");
  return t.ok() ? "OK" : t.status().message();
}

std::vector<uint8_t> RawBytes(const Tensor& t) {
  const auto* p = static_cast<const uint8_t*>(t.raw());
  return std::vector<uint8_t>(p, p + t.byte_size());
}

TEST(NpyTest, RoundTripsEveryDType) {
  const fs::path dir = fs::path(::testing::TempDir()) / "npy_round_trip";
  fs::create_directories(dir);
  for (DType dtype : kAllDTypes) {
    SCOPED_TRACE(std::string(DTypeName(dtype)));
    Tensor t = Tensor::Allocate(dtype, {2, 3}).value();
    auto* bytes = static_cast<uint8_t*>(t.mutable_raw());
    for (size_t i = 0; i < t.byte_size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 5);
    if (dtype == DType::kBool) {
      for (int64_t i = 0; i < 6; ++i) bytes[i] = i % 2;
    }
    auto encoded = EncodeNpy(t);
    ASSERT_TRUE(encoded.ok());
    auto parsed = ParseNpy(*encoded, "mem");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->dtype(), dtype);
    EXPECT_EQ(parsed->dims(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(RawBytes(*parsed), RawBytes(t));
    const std::string path = (dir / (std::string(DTypeName(dtype)) + ".npy")).string();
    ASSERT_TRUE(WriteNpy(path, t).ok());
    EXPECT_EQ(FileBytes(path), *encoded);
    auto read = ReadNpy(path);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(RawBytes(*read), RawBytes(t));
  }
}

TEST(NpyTest, WritesWhatNumPyWrites) {
  Tensor f32 = Tensor::FromFloat({2, 3}, {-0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f});
  EXPECT_EQ(*EncodeNpy(f32), FileBytes(TestData("f32_2x3.npy")));
  EXPECT_EQ(*EncodeNpy(Tensor::FromInt64({}, {-7})), FileBytes(TestData("i64_scalar.npy")));
  Tensor bf16 = Tensor::FromFloat({2}, {1.5f, -2.0f}, DType::kBF16);
  EXPECT_EQ(*EncodeNpy(bf16), FileBytes(TestData("bf16_2.npy")));
}

TEST(NpyTest, ReadsFilesWrittenByNumPy) {
  auto f32 = ReadNpy(TestData("f32_2x3.npy").string());
  ASSERT_TRUE(f32.ok()) << f32.status().ToString();
  ASSERT_EQ(f32->dims(), (std::vector<int64_t>{2, 3}));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(f32->GetDouble(i), i / 4.0 - 0.5);

  auto scalar = ReadNpy(TestData("i64_scalar.npy").string());
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->rank(), 0u);
  EXPECT_EQ(scalar->dtype(), DType::kI64);
  EXPECT_EQ(scalar->GetInt64(0), -7);

  auto fortran = ReadNpy(TestData("bool_fortran_2x3.npy").string());
  ASSERT_TRUE(fortran.ok()) << fortran.status().ToString();
  EXPECT_EQ(fortran->dtype(), DType::kBool);
  EXPECT_EQ(fortran->ToInt64Vector(), (std::vector<int64_t>{1, 0, 1, 0, 0, 1}));

  auto big = ReadNpy(TestData("i4_big_endian.npy").string());
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->ToInt64Vector(), (std::vector<int64_t>{1, -2, 300000}));

  auto bf16 = ReadNpy(TestData("bf16_2.npy").string());
  ASSERT_TRUE(bf16.ok()) << bf16.status().ToString();
  EXPECT_EQ(bf16->dtype(), DType::kBF16);
  EXPECT_EQ(bf16->GetDouble(0), 1.5);
  EXPECT_EQ(bf16->GetDouble(1), -2.0);
}

TEST(NpyTest, AcceptsDescrSpellingsAndVersions) {
  const std::vector<uint8_t> one = Bytes<float>({1.0f});
  for (const char* descr : {"<f4", "=f4", "f4"}) {
    auto t = ParseNpy(MakeNpy(Dict(descr, "(1,)"), one), "x.npy");
    ASSERT_TRUE(t.ok()) << descr << ": " << t.status().ToString();
    EXPECT_EQ(t->GetDouble(0), 1.0);
  }
  for (const char* descr : {"|i1", "<i1", "i1", "|u1", "|b1", "b1", "|V1", "<V1"}) {
    EXPECT_EQ(ParseError(MakeNpy(Dict(descr, "(2,)"), {1, 2})), "OK") << descr;
  }
  for (int version : {1, 2, 3}) {
    auto t = ParseNpy(MakeNpy(Dict("<i8", "(1,)"), Bytes<int64_t>({42}), version), "x.npy");
    ASSERT_TRUE(t.ok()) << version << ": " << t.status().ToString();
    EXPECT_EQ(t->GetInt64(0), 42);
  }
  // Keys in another order, double quotes, Python 2 longs, no trailing comma.
  auto t = ParseNpy(MakeNpy("{\"shape\": (2L, 1L), 'fortran_order': False, 'descr': '<i4'}",
                            Bytes<int32_t>({5, 6})),
                    "x.npy");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(t->ToInt64Vector(), (std::vector<int64_t>{5, 6}));
}

TEST(NpyTest, ByteSwapsBigEndianData) {
  auto t = ParseNpy(MakeNpy(Dict(">f4", "(1,)"), {0x3f, 0xc0, 0x00, 0x00}), "x.npy");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->GetDouble(0), 1.5);
  auto h = ParseNpy(MakeNpy(Dict(">f2", "(1,)"), {0xc0, 0x00}), "x.npy");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->GetDouble(0), -2.0);
}

TEST(NpyTest, TransposesFortranOrderIntoRowMajor) {
  // Element (i, j, k) = 100 i + 10 j + k sits at column-major offset i + 2 j + 6 k.
  std::vector<int32_t> data(24);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) data[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
    }
  }
  auto t = ParseNpy(MakeNpy(Dict("<i4", "(2, 3, 4)", true), Bytes(data)), "x.npy");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->dims(), (std::vector<int64_t>{2, 3, 4}));
  for (int64_t n = 0; n < 24; ++n) {
    EXPECT_EQ(t->GetInt64(n), 100 * (n / 12) + 10 * (n / 4 % 3) + n % 4) << n;
  }
}

TEST(NpyTest, ScalarsAndEmptyArrays) {
  auto scalar = ParseNpy(MakeNpy(Dict("<f4", "()"), Bytes<float>({2.5f})), "x.npy");
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->rank(), 0u);
  EXPECT_EQ(scalar->GetDouble(0), 2.5);
  auto empty = ParseNpy(MakeNpy(Dict("<f4", "(0, 3)"), {}), "x.npy");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->num_elements(), 0);
  auto encoded = EncodeNpy(*empty);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(ParseNpy(*encoded, "again")->dims(), (std::vector<int64_t>{0, 3}));
}

TEST(NpyTest, RefusesWrongByteCounts) {
  auto truncated = ParseNpy(MakeNpy(Dict("<f4", "(2, 3)"), std::vector<uint8_t>(20)), "x.npy");
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(truncated.status().message(),
            "x.npy: expected 24 bytes of data for <f4 (2, 3), found 20 (the file is truncated)");
  EXPECT_EQ(ParseError(MakeNpy(Dict("<i8", "(1,)"), std::vector<uint8_t>(9))),
            "x.npy: expected 8 bytes of data for <i8 (1,), found 9 (extra bytes after the data)");
  // The file really is cut short: the header says more than there is.
  std::vector<uint8_t> cut = *EncodeNpy(Tensor::FromFloat({4}, {1, 2, 3, 4}));
  cut.resize(70);
  EXPECT_EQ(ParseError(cut),
            "x.npy: header: its length 118 runs past the end of the file (70 bytes)");
  cut.resize(9);
  EXPECT_EQ(ParseError(cut), "x.npy: truncated .npy preamble");
}

TEST(NpyTest, RefusesAbsurdShapesWithoutAllocating) {
  EXPECT_EQ(ParseError(MakeNpy(Dict("<f4", "(1000000000000, 1000000000000)"), {1, 2, 3, 4})),
            "x.npy: header: shape (1000000000000, 1000000000000) is too large: dims "
            "1000000000000x1000000000000 hold more than 2305843009213693951 elements");
  // Representable, but not what the file holds: refused by the byte count, before any
  // allocation is attempted.
  auto big = ParseNpy(MakeNpy(Dict("<f4", "(1000000000000,)"), {1, 2, 3, 4}), "x.npy");
  EXPECT_EQ(big.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(big.status().message(),
            "x.npy: expected 4000000000000 bytes of data for <f4 (1000000000000,), found 4 (the "
            "file is truncated)");
}

TEST(NpyTest, RefusesBrokenPreambles) {
  std::vector<uint8_t> good = MakeNpy(Dict("<f4", "(1,)"), Bytes<float>({1}));
  std::vector<uint8_t> magic = good;
  magic[1] = 'n';
  EXPECT_EQ(ParseError(magic), "x.npy: not a .npy file (bad magic)");
  EXPECT_EQ(ParseError({}), "x.npy: not a .npy file (bad magic)");
  std::vector<uint8_t> version = good;
  version[6] = 4;
  EXPECT_EQ(ParseError(version), "x.npy: unsupported .npy version 4.0 (1.0, 2.0 and 3.0 are read)");
  std::vector<uint8_t> length = good;
  length[8] = 0xff;
  length[9] = 0xff;
  EXPECT_EQ(ParseError(length),
            "x.npy: header: its length 65535 runs past the end of the file (132 bytes)");
}

TEST(NpyTest, RefusesBrokenHeaderDicts) {
  const std::vector<uint8_t> data = Bytes<float>({1});
  auto error = [&](const std::string& dict) { return ParseError(MakeNpy(dict, data)); };
  EXPECT_EQ(error("'descr': '<f4'"),
            "x.npy: header: expected '{' at the start of the header dict (at byte 0 of the dict)");
  EXPECT_EQ(error("{'descr': '<f4', 'shape': (1,), }"),
            "x.npy: header: key 'fortran_order' is missing");
  EXPECT_EQ(error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}"),
            "x.npy: header: key 'descr' appears twice (at byte 25 of the dict)");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
            "x.npy: header: unexpected key 'extra' (at byte 64 of the dict)");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}"),
            "x.npy: header: expected True or False for 'fortran_order' (at byte 34 of the dict)");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': (1)}"),
            "x.npy: header: a one-entry shape needs a trailing comma: (n,) (at byte 52 of the "
            "dict)");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"),
            "x.npy: header: shape entries must be non-negative integers (at byte 51 of the dict)");
  EXPECT_EQ(error("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}"),
            "x.npy: header: expected '}' or ',' after the value of 'descr' (at byte 17 of the "
            "dict)");
  EXPECT_EQ(error("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}"),
            "x.npy: header: structured dtypes are not supported (at byte 10 of the dict)");
  EXPECT_EQ(error(Dict("<f4", "(1,)") + " x"),
            "x.npy: header: unexpected text after the header dict (at byte 58 of the dict)");
}

TEST(NpyTest, RefusesUnsupportedDTypes) {
  const std::string supported =
      "' (supported: <f4 <f2 <i8 <i4 |i1 |u1 |b1, <V2 as bf16, <V1 as f8e4m3)";
  for (const char* descr : {"<c8", "<f8", "|f4", ">V2", "<U3", "O", "<u2", ""}) {
    EXPECT_EQ(ParseError(MakeNpy(Dict(descr, "(1,)"), std::vector<uint8_t>(8))),
              "x.npy: header: unsupported dtype '" + std::string(descr) + supported);
  }
}

TEST(NpyTest, FileErrorsNameThePath) {
  auto missing = ReadNpy("/nonexistent/dir/input.npy");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "/nonexistent/dir/input.npy: cannot open: No such file or directory");
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(ReadNpy(dir).status().message(), dir + ": not a regular file");
  const std::string truncated = (fs::path(dir) / "truncated.npy").string();
  std::vector<uint8_t> bytes = *EncodeNpy(Tensor::FromInt64({3}, {1, 2, 3}));
  bytes.pop_back();
  std::ofstream(truncated, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_EQ(
      ReadNpy(truncated).status().message(),
      truncated + ": expected 24 bytes of data for <i8 (3,), found 23 (the file is truncated)");
  EXPECT_EQ(WriteNpy("/nonexistent/dir/out.npy", Tensor::FromInt64({1}, {1})).message(),
            "/nonexistent/dir/out.npy: cannot open for writing: No such file or directory");
}

// Damaged files give an error or a tensor, never a crash or a wild allocation.
TEST(NpyTest, SurvivesDamagedFiles) {
  const std::vector<uint8_t> good = *EncodeNpy(Tensor::FromFloat({2, 3}, {1, 2, 3, 4, 5, 6}));
  std::mt19937 rng(5);
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> damaged = good;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const size_t at = rng() % damaged.size();
      switch (rng() % 3) {
        case 0: damaged.erase(damaged.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1:
          damaged.insert(damaged.begin() + static_cast<std::ptrdiff_t>(at), rng() % 256);
          break;
        default: damaged[at] = static_cast<uint8_t>("0123456789(),' :LTF"[rng() % 19]); break;
      }
    }
    auto t = ParseNpy(damaged, "x.npy");
    if (t.ok()) {
      ++parsed;
      EXPECT_LT(t->byte_size(), damaged.size());
    } else {
      EXPECT_EQ(t.status().message().rfind("x.npy: ", 0), 0u) << t.status().message();
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace hetero
