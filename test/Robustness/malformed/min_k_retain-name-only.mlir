// Malformed input: sparse_train.min_k_retain with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.min_k_retain
  return
}
// CHECK: min_k_retain-name-only.mlir:5:33: error: expected SSA operand
