// Malformed input: sparse_train.slice_drop with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_drop
  return
}
// CHECK: slice_drop-name-only.mlir:5:31: error: expected SSA operand
