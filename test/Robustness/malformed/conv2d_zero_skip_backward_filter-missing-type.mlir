// Malformed input: sparse_train.conv2d_zero_skip_backward_filter without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<1x6x6x3xf32>, %dy: tensor<1x4x4x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy
  return
}
// CHECK: conv2d_zero_skip_backward_filter-missing-type.mlir:5:61: error: expected ':'
