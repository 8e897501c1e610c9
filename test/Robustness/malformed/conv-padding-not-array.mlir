// Malformed input: A scalar where the padding array belongs.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip %x, %w padding = 1 : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}
// CHECK: conv-padding-not-array.mlir:5:54: error: expected '['
