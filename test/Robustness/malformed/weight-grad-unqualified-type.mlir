// Malformed input: The retained type written without its dialect prefix.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  %0 = sparse_train.min_k_weight_grad %r, %dy : retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
  return
}
// CHECK: weight-grad-unqualified-type.mlir:5:48: error: expected non-function type
