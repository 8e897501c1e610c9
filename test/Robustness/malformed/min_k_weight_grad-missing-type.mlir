// Malformed input: sparse_train.min_k_weight_grad without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  %0 = sparse_train.min_k_weight_grad %r, %dy
  return
}
// CHECK: min_k_weight_grad-missing-type.mlir:5:46: error: expected ':'
