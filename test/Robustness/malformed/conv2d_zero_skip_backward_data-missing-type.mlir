// Malformed input: sparse_train.conv2d_zero_skip_backward_data without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%dy: tensor<1x4x4x4xf32>, %w: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w
  return
}
// CHECK: conv2d_zero_skip_backward_data-missing-type.mlir:5:59: error: expected ':'
