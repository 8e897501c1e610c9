// Malformed input: sparse_train.conv2d_zero_skip without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<1x6x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip %x, %w
  return
}
// CHECK: conv2d_zero_skip-missing-type.mlir:5:44: error: expected ':'
