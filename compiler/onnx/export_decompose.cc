// hetero ops that ONNX opset 17 lacks, written as ONNX primitives: Rsqrt, Silu, Gelu,
// RMSNorm, SwiGLU, FusedMatMul, Rope, Attention.
#include <cmath>
#include <limits>
#include <map>

#include "compiler/onnx/export_context.h"

namespace hetero::onnx_export {

namespace {

// The most negative finite value of a float dtype: masked scores, finite so that a row
// with every key masked stays a number.
double Lowest(DType dtype) {
  if (dtype == DType::kF16) return -65504.0;
  if (dtype == DType::kBF16) return -3.3895313892515355e38;
  return std::numeric_limits<float>::lowest();
}

// x * sigmoid(x) into `out`.
void EmitSilu(ExportContext& ctx, const std::string& x, const std::string& out,
              const std::string& stem) {
  const std::string s = ctx.Emit1("Sigmoid", {x}, stem + "/Sigmoid");
  ctx.Emit("Mul", {x, s}, {out}, stem + "/Mul");
}

// Gelu into `out`: erf form x * 0.5 * (1 + erf(x / sqrt 2)), or the tanh form
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))).
Status EmitGelu(ExportContext& ctx, const std::string& x, DType t, bool tanh_form,
                const std::string& out, const std::string& stem) {
  HETERO_ASSIGN_OR_RETURN(std::string one, ctx.Scalar(t, 1.0));
  HETERO_ASSIGN_OR_RETURN(std::string half, ctx.Scalar(t, 0.5));
  std::string inner;
  if (tanh_form) {
    HETERO_ASSIGN_OR_RETURN(std::string c, ctx.Scalar(t, 0.044715));
    HETERO_ASSIGN_OR_RETURN(std::string k, ctx.Scalar(t, std::sqrt(2.0 / M_PI)));
    const std::string x2 = ctx.Emit1("Mul", {x, x}, stem + "/Mul");
    const std::string x3 = ctx.Emit1("Mul", {x2, x}, stem + "/Mul");
    const std::string sum =
        ctx.Emit1("Add", {x, ctx.Emit1("Mul", {x3, c}, stem + "/Mul")}, stem + "/Add");
    inner = ctx.Emit1("Tanh", {ctx.Emit1("Mul", {sum, k}, stem + "/Mul")}, stem + "/Tanh");
  } else {
    HETERO_ASSIGN_OR_RETURN(std::string root2, ctx.Scalar(t, std::sqrt(2.0)));
    inner = ctx.Emit1("Erf", {ctx.Emit1("Div", {x, root2}, stem + "/Div")}, stem + "/Erf");
  }
  const std::string plus = ctx.Emit1("Add", {inner, one}, stem + "/Add");
  const std::string xh = ctx.Emit1("Mul", {x, half}, stem + "/Mul");
  ctx.Emit("Mul", {xh, plus}, {out}, stem + "/Mul");
  return OkStatus();
}

DType OutType(const ir::Node& node) { return node.output(0)->type().dtype; }

Status ExportRsqrt(const ir::Node& node, ExportContext& ctx) {
  const std::string root = ctx.Emit1("Sqrt", {node.input(0)->name()}, node.name() + "/Sqrt");
  ctx.Emit("Reciprocal", {root}, OutputNames(node), node.name());
  return OkStatus();
}

Status ExportSilu(const ir::Node& node, ExportContext& ctx) {
  EmitSilu(ctx, node.input(0)->name(), node.output(0)->name(), node.name());
  return OkStatus();
}

Status ExportGelu(const ir::Node& node, ExportContext& ctx) {
  const std::string approximate = node.attrs().GetString("approximate", "none");
  if (approximate != "none" && approximate != "tanh") {
    return InvalidArgument(ir::DescribeNode(node) + ": unknown approximate '" + approximate + "'");
  }
  return EmitGelu(ctx, node.input(0)->name(), OutType(node), approximate == "tanh",
                  node.output(0)->name(), node.name());
}

Status ExportRmsNorm(const ir::Node& node, ExportContext& ctx) {
  const int64_t rank = static_cast<int64_t>(node.input(0)->type().shape.rank());
  int64_t axis = node.attrs().GetInt("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) {
    return InvalidArgument(ir::DescribeNode(node) + ": axis out of range for rank " +
                           std::to_string(rank));
  }
  std::vector<int64_t> axes;
  for (int64_t a = axis; a < rank; ++a) axes.push_back(a);
  const std::string& x = node.input(0)->name();
  const std::string& stem = node.name();
  HETERO_ASSIGN_OR_RETURN(std::string eps,
                          ctx.Scalar(OutType(node), node.attrs().GetFloat("epsilon", 1e-6)));
  const std::string square = ctx.Emit1("Mul", {x, x}, stem + "/Mul");
  const std::string mean_name = ctx.Fresh(stem + "/ReduceMean:0");
  ::onnx::NodeProto* mean = ctx.Emit("ReduceMean", {square}, {mean_name}, stem + "/ReduceMean");
  SetAttr(mean, "axes", axes);
  SetAttr(mean, "keepdims", int64_t{1});
  const std::string root =
      ctx.Emit1("Sqrt", {ctx.Emit1("Add", {mean_name, eps}, stem + "/Add")}, stem + "/Sqrt");
  const std::string normed = ctx.Emit1("Div", {x, root}, stem + "/Div");
  ctx.Emit("Mul", {normed, node.input(1)->name()}, OutputNames(node), stem);
  return OkStatus();
}

Status ExportSwiGlu(const ir::Node& node, ExportContext& ctx) {
  const std::string gate = ctx.Fresh(node.name() + "/silu:0");
  EmitSilu(ctx, node.input(0)->name(), gate, node.name());
  ctx.Emit("Mul", {gate, node.input(1)->name()}, OutputNames(node), node.name());
  return OkStatus();
}

// MatMul(a, b) (+ bias) (+ activation) into `out`, as FusedMatMul and QuantMatMul define it.
Status EmitLinear(const ir::Node& node, ExportContext& ctx, std::vector<std::string> ab,
                  const ir::Value* bias) {
  const char* flags[] = {"transpose_a", "transpose_b"};
  for (size_t i = 0; i < 2; ++i) {
    const size_t rank = node.input(i)->type().shape.rank();
    if (node.attrs().GetInt(flags[i], 0) != 0 && rank >= 2) {
      ab[i] = TransposeLastTwo(ctx, ab[i], rank, node.name() + "/Transpose");
    }
  }
  const std::string activation = node.attrs().GetString("activation", "none");
  const std::string& out = node.output(0)->name();
  const bool has_bias = bias != nullptr;
  const bool plain = activation == "none";
  std::string y = (plain && !has_bias) ? out : ctx.Fresh(node.name() + "/MatMul:0");
  ctx.Emit("MatMul", ab, {y}, node.name() + "/MatMul");
  if (has_bias) {
    const std::string sum = plain ? out : ctx.Fresh(node.name() + "/Add:0");
    ctx.Emit("Add", {y, bias->name()}, {sum}, node.name() + "/Add");
    y = sum;
  }
  if (plain) return OkStatus();
  if (activation == "relu") {
    ctx.Emit("Relu", {y}, {out}, node.name());
    return OkStatus();
  }
  if (activation == "silu") {
    EmitSilu(ctx, y, out, node.name());
    return OkStatus();
  }
  if (activation == "gelu" || activation == "gelu_tanh") {
    return EmitGelu(ctx, y, OutType(node), activation == "gelu_tanh", out, node.name());
  }
  return InvalidArgument(ir::DescribeNode(node) + ": unknown activation '" + activation + "'");
}

Status ExportFusedMatMul(const ir::Node& node, ExportContext& ctx) {
  return EmitLinear(node, ctx, {node.input(0)->name(), node.input(1)->name()}, node.input(2));
}

// QuantMatMul's per-row activation quantization in float ops: lo / hi of each row (with
// 0), scale = (hi - lo) / 255 (1 when 0), zero point = clip(round(-lo / scale), 0, 255),
// q = clip(round(x / scale) + zero point, 0, 255) (Round is half to even, as hetero's),
// and the dequantized (q - zero point) * scale that the MatMul then reads.
StatusOr<std::string> EmitRowQuantization(ExportContext& ctx, const std::string& x,
                                          const std::string& stem) {
  HETERO_ASSIGN_OR_RETURN(const std::string zero, ctx.Scalar(DType::kF32, 0));
  HETERO_ASSIGN_OR_RETURN(const std::string one, ctx.Scalar(DType::kF32, 1));
  HETERO_ASSIGN_OR_RETURN(const std::string top, ctx.Scalar(DType::kF32, 255));
  std::string ends[2];
  const char* reduce[2] = {"ReduceMin", "ReduceMax"};
  for (int i = 0; i < 2; ++i) {
    ends[i] = ctx.Fresh(stem + "/" + reduce[i] + ":0");
    ::onnx::NodeProto* r = ctx.Emit(reduce[i], {x}, {ends[i]}, stem + "/" + reduce[i]);
    SetAttr(r, "axes", std::vector<int64_t>{-1});
    SetAttr(r, "keepdims", int64_t{1});
  }
  const std::string lo = ctx.Emit1("Min", {ends[0], zero}, stem + "/Min");
  const std::string hi = ctx.Emit1("Max", {ends[1], zero}, stem + "/Max");
  const std::string raw =
      ctx.Emit1("Div", {ctx.Emit1("Sub", {hi, lo}, stem + "/Range"), top}, stem + "/RawScale");
  const std::string scale = ctx.Emit1(
      "Where", {ctx.Emit1("Equal", {raw, zero}, stem + "/IsZero"), one, raw}, stem + "/Scale");
  const std::string zp = ctx.Emit1(
      "Clip",
      {ctx.Emit1(
           "Round",
           {ctx.Emit1("Div", {ctx.Emit1("Neg", {lo}, stem + "/NegLo"), scale}, stem + "/Div")},
           stem + "/RoundZero"),
       zero, top},
      stem + "/ZeroPoint");
  const std::string rounded =
      ctx.Emit1("Round", {ctx.Emit1("Div", {x, scale}, stem + "/DivX")}, stem + "/RoundX");
  const std::string q =
      ctx.Emit1("Clip", {ctx.Emit1("Add", {rounded, zp}, stem + "/Shift"), zero, top}, stem + "/Q");
  return ctx.Emit1("Mul", {ctx.Emit1("Sub", {q, zp}, stem + "/Centre"), scale},
                   stem + "/Dequantized");
}

// DequantizeLinear of the int8 weights (per column along their column axis), the
// activation's quantization (a QuantizeLinear / DequantizeLinear pair when static, the
// per-row rule in float ops when dynamic), then the linear layer in f32: the file
// computes what hetero computes, up to f32 rounding of the sums.
Status ExportQuantMatMul(const ir::Node& node, ExportContext& ctx) {
  const std::string& stem = node.name();
  std::string a = node.input(0)->name();
  if (node.input(4) == nullptr) {
    HETERO_ASSIGN_OR_RETURN(a, EmitRowQuantization(ctx, a, stem + "/RowQuant"));
  } else {
    std::string zp;
    if (node.input(5) != nullptr) {
      zp = node.input(5)->name();
    } else {
      HETERO_ASSIGN_OR_RETURN(zp, ctx.Scalar(DType::kU8, 0));
    }
    const std::string scale = node.input(4)->name();
    const std::string q = ctx.Emit1("QuantizeLinear", {a, scale, zp}, stem + "/QuantizeLinear");
    a = ctx.Emit1("DequantizeLinear", {q, scale, zp}, stem + "/DequantizeLinear");
  }
  const std::string w = ctx.Fresh(stem + "/weights:0");
  ::onnx::NodeProto* dq =
      ctx.Emit("DequantizeLinear", {node.input(1)->name(), node.input(2)->name()}, {w},
               stem + "/DequantizeWeights");
  if (node.input(2)->type().shape.rank() == 1) {
    SetAttr(dq, "axis", int64_t{node.attrs().GetInt("transpose_b", 0) != 0 ? 0 : 1});
  }
  return EmitLinear(node, ctx, {a, w}, node.input(3));
}

// x * cos + concat(-x[D/2:], x[:D/2]) * sin.
Status ExportRope(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.input(0)->name();
  const std::string& stem = node.name();
  const std::string x1 = ctx.Fresh(stem + "/Split:0");
  const std::string x2 = ctx.Fresh(stem + "/Split:1");
  SetAttr(ctx.Emit("Split", {x}, {x1, x2}, stem + "/Split"), "axis", int64_t{-1});
  const std::string neg = ctx.Emit1("Neg", {x2}, stem + "/Neg");
  const std::string rotated = ctx.Fresh(stem + "/Concat:0");
  SetAttr(ctx.Emit("Concat", {neg, x1}, {rotated}, stem + "/Concat"), "axis", int64_t{-1});
  const std::string a = ctx.Emit1("Mul", {x, node.input(1)->name()}, stem + "/Mul");
  const std::string b = ctx.Emit1("Mul", {rotated, node.input(2)->name()}, stem + "/Mul");
  ctx.Emit("Add", {a, b}, OutputNames(node), stem);
  return OkStatus();
}

}  // namespace

Status ExportAttention(const ir::Node& node, ExportContext& ctx);

namespace {

using DecomposeFn = Status (*)(const ir::Node&, ExportContext&);

const std::map<std::string, DecomposeFn, std::less<>>& Decompositions() {
  static const std::map<std::string, DecomposeFn, std::less<>> table = {
      {"Rsqrt", ExportRsqrt},
      {"Silu", ExportSilu},
      {"Gelu", ExportGelu},
      {"RMSNorm", ExportRmsNorm},
      {"SwiGLU", ExportSwiGlu},
      {"FusedMatMul", ExportFusedMatMul},
      {"Rope", ExportRope},
      {"Attention", ExportAttention},
      {"QuantMatMul", ExportQuantMatMul},
  };
  return table;
}

}  // namespace

bool IsDecomposed(std::string_view op) { return Decompositions().count(op) > 0; }

Status ExportDecomposed(const ir::Node& node, ExportContext& ctx) {
  auto it = Decompositions().find(node.op());
  if (it == Decompositions().end()) {
    return Internal(ir::DescribeNode(node) + ": no decomposition");
  }
  return it->second(node, ctx);
}

namespace {

// Gathers KV heads (dim 1) so that query head h reads KV head h / (Hq / Hkv).
Status GatherKvHeads(const ir::Node& node, ExportContext& ctx, std::string* k, std::string* v) {
  const Shape& qs = node.input(0)->type().shape;
  const Shape& ks = node.input(1)->type().shape;
  if (qs[1] == ks[1]) return OkStatus();
  if (!qs[1].is_static() || !ks[1].is_static() || ks[1].value() <= 0 ||
      qs[1].value() % ks[1].value() != 0) {
    return Unimplemented(ir::DescribeNode(node) + ": grouped KV heads need static head counts");
  }
  std::vector<int64_t> heads;
  const int64_t group = qs[1].value() / ks[1].value();
  for (int64_t h = 0; h < qs[1].value(); ++h) heads.push_back(h / group);
  for (std::string* kv : {k, v}) {
    const std::string out = ctx.Fresh(node.name() + "/Gather:0");
    SetAttr(ctx.Emit("Gather", {*kv, ctx.ConstI64(heads)}, {out}, node.name() + "/Gather"), "axis",
            int64_t{1});
    *kv = out;
  }
  return OkStatus();
}

// Bool [Sq, Skv], true where key j <= query i + Skv - Sq: Trilu over ones of the scores'
// last two dims.
std::string CausalTriangle(ExportContext& ctx, const std::string& scores, const std::string& stem) {
  const std::string sizes = ctx.Fresh(stem + "/Shape:0");
  SetAttr(ctx.Emit("Shape", {scores}, {sizes}, stem + "/Shape"), "start", int64_t{2});
  const std::string sq = ctx.Emit1("Gather", {sizes, ctx.ScalarI64(0)}, stem + "/Gather");
  const std::string skv = ctx.Emit1("Gather", {sizes, ctx.ScalarI64(1)}, stem + "/Gather");
  const std::string offset = ctx.Emit1("Sub", {skv, sq}, stem + "/Sub");
  const std::string ones = ctx.Fresh(stem + "/ConstantOfShape:0");
  ::onnx::NodeProto* fill = ctx.Emit("ConstantOfShape", {sizes}, {ones}, stem + "/Ones");
  ::onnx::AttributeProto* value = fill->add_attribute();
  value->set_name("value");
  value->set_type(::onnx::AttributeProto::TENSOR);
  value->mutable_t()->set_data_type(::onnx::TensorProto::BOOL);
  value->mutable_t()->add_dims(1);
  value->mutable_t()->set_raw_data(std::string(1, '\1'));
  const std::string lower = ctx.Fresh(stem + "/Trilu:0");
  SetAttr(ctx.Emit("Trilu", {ones, offset}, {lower}, stem + "/Trilu"), "upper", int64_t{0});
  return lower;
}

}  // namespace

// softmax(q·kᵀ·scale + mask) · v.
Status ExportAttention(const ir::Node& node, ExportContext& ctx) {
  const std::string& stem = node.name();
  const Shape& qs = node.input(0)->type().shape;
  if (qs.rank() != 4 || node.input(1)->type().shape.rank() != 4 || !qs[3].is_static()) {
    return Unimplemented(ir::DescribeNode(node) +
                         ": export needs rank-4 q and k with a static head size");
  }
  const DType t = OutType(node);
  std::string k = node.input(1)->name();
  std::string v = node.input(2)->name();
  HETERO_RETURN_IF_ERROR(GatherKvHeads(node, ctx, &k, &v));
  double scale = node.attrs().GetFloat("scale", 0.0);
  if (scale == 0.0) scale = 1.0 / std::sqrt(static_cast<double>(qs[3].value()));
  HETERO_ASSIGN_OR_RETURN(std::string scale_name, ctx.Scalar(t, scale));
  HETERO_ASSIGN_OR_RETURN(std::string lowest, ctx.Scalar(t, Lowest(t)));
  const std::string kt = TransposeLastTwo(ctx, k, 4, stem + "/Transpose");
  std::string scores = ctx.Emit1("MatMul", {node.input(0)->name(), kt}, stem + "/MatMul");
  scores = ctx.Emit1("Mul", {scores, scale_name}, stem + "/Mul");
  if (const ir::Value* mask = node.input(3)) {
    scores = mask->type().dtype == DType::kBool
                 ? ctx.Emit1("Where", {mask->name(), scores, lowest}, stem + "/Where")
                 : ctx.Emit1("Add", {scores, mask->name()}, stem + "/Add");
  }
  if (node.attrs().GetInt("causal", 0) != 0) {
    const std::string lower = CausalTriangle(ctx, scores, stem);
    scores = ctx.Emit1("Where", {lower, scores, lowest}, stem + "/Where");
  }
  const std::string probs = ctx.Fresh(stem + "/Softmax:0");
  SetAttr(ctx.Emit("Softmax", {scores}, {probs}, stem + "/Softmax"), "axis", int64_t{-1});
  ctx.Emit("MatMul", {probs, v}, OutputNames(node), stem);
  return OkStatus();
}

}  // namespace hetero::onnx_export
