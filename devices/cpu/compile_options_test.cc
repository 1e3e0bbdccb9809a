// The cpu plugin's compile options: what is accepted and what is refused.
#include "devices/cpu/compile_options.h"

#include <gtest/gtest.h>

namespace hetero::cpu {
namespace {

hetero_compile_options Options(const char* text) {
  hetero_compile_options o{};
  o.struct_size = sizeof(o);
  o.options = text;
  return o;
}

TEST(CompileOptions, PrecisionIsF32UnlessAskedForBf16) {
  EXPECT_FALSE(*WantsBf16Weights(nullptr));
  hetero_compile_options none = Options(nullptr);
  EXPECT_FALSE(*WantsBf16Weights(&none));
  hetero_compile_options empty = Options("");
  EXPECT_FALSE(*WantsBf16Weights(&empty));
  hetero_compile_options bf16 = Options("precision=bf16");
  EXPECT_TRUE(*WantsBf16Weights(&bf16));
  hetero_compile_options last_wins = Options("precision=bf16;;precision=f32");
  EXPECT_FALSE(*WantsBf16Weights(&last_wins));
}

TEST(CompileOptions, RefusesWhatItDoesNotKnow) {
  hetero_compile_options bad = Options("precision=int4");
  auto result = WantsBf16Weights(&bad);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().ToString().find("precision=int4"), std::string::npos);
  hetero_compile_options other = Options("precision=bf16;threads=4");
  EXPECT_FALSE(WantsBf16Weights(&other).ok());
  hetero_compile_options small = Options("precision=bf16");
  small.struct_size = 4;
  EXPECT_FALSE(WantsBf16Weights(&small).ok());
}

}  // namespace
}  // namespace hetero::cpu
