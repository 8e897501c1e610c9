// Malformed input: sparse_train.conv2d_zero_skip_backward_data with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%dy: tensor<1x4x4x4xf32>, %w: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_data
  return
}
// CHECK: conv2d_zero_skip_backward_data-name-only.mlir:5:51: error: expected SSA operand
