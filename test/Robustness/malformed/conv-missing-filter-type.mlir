// Malformed input: A convolution whose filter type is missing.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<1x8x8x3xf32>
  return
}
// CHECK: conv-missing-filter-type.mlir:5:66: error: expected ','
