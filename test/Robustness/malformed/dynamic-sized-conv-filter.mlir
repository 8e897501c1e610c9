// Malformed input: A filter gradient whose operands disagree on channels.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<1x8x8x3xf32>, %w: tensor<?x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %x : tensor<1x8x8x3xf32>, tensor<1x8x8x3xf32> -> tensor<3x3x3x4xf32>
  return
}
// CHECK: dynamic-sized-conv-filter.mlir:5:8: error: 'sparse_train.conv2d_zero_skip_backward_filter' op output channels 4 of the result (filter gradient) do not match channel count 3 of grad_output
