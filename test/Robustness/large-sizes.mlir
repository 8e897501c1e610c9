// Sizes near the int64 limits: products that overflow are rejected with a
// diagnostic, sizes that fit are handled exactly, and nothing wraps around.
// RUN: sparse-train-opt %s -split-input-file -verify-diagnostics -canonicalize | FileCheck %s

// 2^62 elements per row times 4 rows overflows.
func.func @retain_overflowing_numel(%x: tensor<4x4611686018427387904xf32>) {
  // expected-error @+1 {{has more than 2^63 - 1 elements}}
  %0 = sparse_train.min_k_retain %x keep = 1 : tensor<4x4611686018427387904xf32>
  return
}

// -----

// Per-row selection over a huge but representable tensor: K per row is
// exact, the total is rows * K.
// CHECK-LABEL: func.func @retain_large_rows
//       CHECK: !sparse_train.retained<1048576x1048576xf32, kept = 1099511627776, bitmask>
func.func @retain_large_rows(%x: tensor<1048576x1048576xf32>) -> !sparse_train.retained<1048576x1048576xf32, kept = 1099511627776, bitmask> {
  %0 = sparse_train.min_k_retain %x keep_ratio = 1.0 granularity = row : tensor<1048576x1048576xf32>
  return %0 : !sparse_train.retained<1048576x1048576xf32, kept = 1099511627776, bitmask>
}

// -----

// The largest slice start: extent 2^62, width 1, align 2^61 -> 2 starts.
// CHECK-LABEL: func.func @slice_start_huge_extent
//       CHECK: arith.constant {{[0-9]+}} : index
func.func @slice_start_huge_extent() -> index {
  %zero = arith.constant 0 : i64
  %0 = sparse_train.slice_start %zero, %zero extent = 4611686018427387904, width = 1, align = 2305843009213693952
  return %0 : index
}

// -----

// A convolution output size whose formula would overflow int64 in the
// intermediate sum is computed exactly and rejected as too small.
func.func @conv_huge_dilation(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{convolution output height would be -9223372036854775800 < 1}}
  %0 = sparse_train.conv2d_zero_skip %x, %w dilations = [4611686018427387904, 1] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

// Huge padding makes the output large but representable.
// CHECK-LABEL: func.func @conv_huge_padding
//       CHECK: tensor<1x4611686018427387910x6x4xf32>
func.func @conv_huge_padding(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<1x4611686018427387910x6x4xf32> {
  %0 = sparse_train.conv2d_zero_skip %x, %w padding = [2305843009213693952, 2305843009213693952, 0, 0] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return %0 : tensor<1x4611686018427387910x6x4xf32>
}

// -----

// keep_per_row bounded by the number of block columns of a huge matrix.
#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_huge(%x: tensor<2x4611686018427387904xf32>) {
  // expected-error @+1 {{expects keep_per_row in [0, 2305843009213693952] (blocks per block row), got 9223372036854775807}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = row_top_k keep_per_row = 9223372036854775807 : tensor<2x4611686018427387904xf32> -> tensor<2x4611686018427387904xf32, #BSR>
  return
}
