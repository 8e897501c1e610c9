// The zero-skip conv vector kernels on dynamic sizes (channels, filter
// width, batch), zero channels and 3-lane vectors lower through the whole
// CPU pipeline to the LLVM dialect (the kernels take 8-vector tiles and
// the per-pixel path when the filter width is unknown).
// RUN: sparse-train-opt %s --sparse-train-to-cpu | FileCheck %s
// RUN: sparse-train-opt %s --sparse-train-to-cpu="vector-bits=96" | FileCheck %s
// CHECK: llvm.func @dynamic
// CHECK: llvm.func @no_channels
func.func @dynamic(%x: tensor<?x7x7x?xf32>, %w: tensor<3x?x?x?xf32>, %dy: tensor<?x7x?x?xf32>)
    -> (tensor<?x?x?x?xf32>, tensor<?x7x7x?xf32>, tensor<3x3x?x?xf32>) {
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] : tensor<?x7x7x?xf32>, tensor<3x?x?x?xf32>
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1] : tensor<?x7x?x?xf32>, tensor<3x?x?x?xf32> -> tensor<?x7x7x?xf32>
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1] : tensor<?x7x7x?xf32>, tensor<?x7x?x?xf32> -> tensor<3x3x?x?xf32>
  %yc = tensor.cast %y : tensor<?x7x?x?xf32> to tensor<?x?x?x?xf32>
  return %yc, %dx, %dw : tensor<?x?x?x?xf32>, tensor<?x7x7x?xf32>, tensor<3x3x?x?xf32>
}
func.func @no_channels(%x: tensor<1x4x4x0xf32>, %w: tensor<3x3x0x2xf32>) -> tensor<1x4x4x2xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] : tensor<1x4x4x0xf32>, tensor<3x3x0x2xf32>
  return %y : tensor<1x4x4x2xf32>
}
