// Fusion along the engine pipeline: an elementwise op that consumes a matrix op's result
// (its only reader) runs as the matrix engine's epilogue on the vector unit, so the
// intermediate never goes to DRAM and the op issues no command of its own.
#include <set>
#include <string>

#include "devices/npu_sim/npu_plugin.h"

namespace hetero::npu_sim {
namespace {

bool IsEpilogueOp(const std::string& op) {
  static const auto* ops = new std::set<std::string>{
      "Add", "Sub", "Mul", "Div", "Relu", "Gelu", "Silu", "Sigmoid", "Tanh", "Erf", "Neg"};
  return ops->count(op) > 0;
}

}  // namespace

void PlanFusion(Program& p) {
  const cpu::Program& prog = p.program;
  p.epilogue_input.assign(prog.nodes.size(), -1);
  p.stays_in_sram.assign(prog.values.size(), false);
  if (!p.fuse) return;
  std::vector<int> readers(prog.values.size(), 0);
  for (const cpu::ProgramNode& n : prog.nodes) {
    for (int32_t v : n.inputs) {
      if (v >= 0) ++readers[v];
    }
  }
  for (int32_t v : prog.outputs) readers[v] += 2;  // graph outputs go to DRAM
  // Nodes in order: a chain matmul -> add -> relu fuses link by link.
  std::vector<bool> on_engine_pipeline(prog.nodes.size(), false);
  for (size_t n = 0; n < prog.nodes.size(); ++n) {
    const cpu::ProgramNode& node = prog.nodes[n];
    const std::string& op = node.schema->name;
    if (op == "MatMul" || op == "FusedMatMul") {
      on_engine_pipeline[n] = true;
      continue;
    }
    if (!IsEpilogueOp(op) || node.outputs.size() != 1) continue;
    for (int32_t v : node.inputs) {
      if (v < 0 || readers[v] != 1) continue;
      const int32_t producer = prog.values[v].producer;
      if (producer < 0 || !on_engine_pipeline[producer]) continue;
      if (prog.values[v].dims != prog.values[node.outputs[0]].dims) continue;  // no broadcast
      p.epilogue_input[n] = v;
      p.stays_in_sram[v] = true;
      on_engine_pipeline[n] = true;
      break;
    }
  }
}

}  // namespace hetero::npu_sim
