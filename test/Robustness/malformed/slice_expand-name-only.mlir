// Malformed input: sparse_train.slice_expand with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%y: tensor<4x4xf32>, %s: index) {
  %0 = sparse_train.slice_expand
  return
}
// CHECK: slice_expand-name-only.mlir:5:33: error: expected SSA operand
