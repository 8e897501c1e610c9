// Malformed input: sparse_train.min_k_retain without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.min_k_retain %x keep = 3
  return
}
// CHECK: min_k_retain-missing-type.mlir:5:45: error: expected ':'
