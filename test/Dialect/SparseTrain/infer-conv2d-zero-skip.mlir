// Result types inferred for conv2d_zero_skip:
// [N, floor((H + t + b - dh(KH-1) - 1)/sh) + 1, same for W, F].
// RUN: sparse-train-opt %s -split-input-file -mlir-print-op-generic | FileCheck %s

// CHECK-LABEL: sym_name = "same_padding"
// CHECK: -> tensor<4x14x14x64xf32>
func.func @same_padding(%x: tensor<4x14x14x32xf32>, %w: tensor<3x3x32x64xf32>) -> tensor<4x14x14x64xf32> {
  %0 = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] : tensor<4x14x14x32xf32>, tensor<3x3x32x64xf32>
  return %0 : tensor<4x14x14x64xf32>
}

// -----

// H: floor((15 + 0 + 0 - 2 - 1)/2) + 1 = 7; W: floor((16 - 3)/2) + 1 = 7.
// CHECK-LABEL: sym_name = "stride_two_odd_and_even"
// CHECK: -> tensor<1x7x7x8xf16>
func.func @stride_two_odd_and_even(%x: tensor<1x15x16x3xf16>, %w: tensor<3x3x3x8xf16>) -> tensor<1x7x7x8xf16> {
  %0 = sparse_train.conv2d_zero_skip %x, %w strides = [2, 2] : tensor<1x15x16x3xf16>, tensor<3x3x3x8xf16>
  return %0 : tensor<1x7x7x8xf16>
}

// -----

// Dilation 2 makes a 3x3 filter span 5: H = 10 + 2 + 2 - 4 - 1 + 1 = 10.
// CHECK-LABEL: sym_name = "dilated"
// CHECK: -> tensor<2x10x8x5xbf16>
func.func @dilated(%x: tensor<2x10x10x3xbf16>, %w: tensor<3x3x3x5xbf16>) -> tensor<2x10x8x5xbf16> {
  %0 = sparse_train.conv2d_zero_skip %x, %w dilations = [2, 2] padding = [2, 2, 1, 1] : tensor<2x10x10x3xbf16>, tensor<3x3x3x5xbf16>
  return %0 : tensor<2x10x8x5xbf16>
}

// -----

// 1x1 filters, asymmetric padding.
// CHECK-LABEL: sym_name = "pointwise_asymmetric_padding"
// CHECK: -> tensor<1x6x5x7xf64>
func.func @pointwise_asymmetric_padding(%x: tensor<1x4x4x3xf64>, %w: tensor<1x1x3x7xf64>) -> tensor<1x6x5x7xf64> {
  %0 = sparse_train.conv2d_zero_skip %x, %w padding = [0, 2, 1, 0] : tensor<1x4x4x3xf64>, tensor<1x1x3x7xf64>
  return %0 : tensor<1x6x5x7xf64>
}

// -----

// Dynamic batch and spatial sizes stay dynamic; channels come from the filter.
// CHECK-LABEL: sym_name = "dynamic_sizes"
// CHECK: -> tensor<?x?x6x9xf32>
func.func @dynamic_sizes(%x: tensor<?x?x8x3xf32>, %w: tensor<3x3x3x9xf32>) -> tensor<?x?x6x9xf32> {
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<?x?x8x3xf32>, tensor<3x3x3x9xf32>
  return %0 : tensor<?x?x6x9xf32>
}
