// Malformed input: sparse_train.conv2d_zero_skip with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<1x6x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip
  return
}
// CHECK: conv2d_zero_skip-name-only.mlir:5:37: error: expected SSA operand
