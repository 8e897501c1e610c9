// Folders and canonicalization patterns of the sparse_train ops.
// RUN: sparse-train-opt %s -canonicalize -split-input-file | FileCheck %s

// Only one start is eligible when width == extent.
// CHECK-LABEL: func.func @slice_start_full_width
//       CHECK: %[[C0:.*]] = arith.constant 0 : index
//       CHECK: return %[[C0]]
func.func @slice_start_full_width(%seed: i64, %ctr: i64) -> index {
  %0 = sparse_train.slice_start %seed, %ctr extent = 64, width = 64
  return %0 : index
}

// -----

// extent - width < align: still only the start 0.
// CHECK-LABEL: func.func @slice_start_single_aligned_start
//       CHECK: %[[C0:.*]] = arith.constant 0 : index
//       CHECK: return %[[C0]]
func.func @slice_start_single_aligned_start(%seed: i64, %ctr: i64) -> index {
  %0 = sparse_train.slice_start %seed, %ctr extent = 64, width = 60, align = 8
  return %0 : index
}

// -----

// With constant seed and counter the draw is computed at compile time.
// Random123 known answer: key (0, 0), counter (0, 0, 0, 0) -> first word
// 0x6627e8d5 = 1713891541. With extent = 2^32 and width 1 there are 2^32
// eligible starts and the start is that word itself.
// CHECK-LABEL: func.func @slice_start_constant_known_answer
//       CHECK: %[[R:.*]] = arith.constant 1713891541 : index
//       CHECK: return %[[R]]
func.func @slice_start_constant_known_answer() -> index {
  %zero = arith.constant 0 : i64
  %0 = sparse_train.slice_start %zero, %zero extent = 4294967296, width = 1
  return %0 : index
}

// -----

// M = floor((10 - 3) / 2) + 1 = 4 starts {0, 2, 4, 6};
// floor(0x6627e8d5 * 4 / 2^32) = 1, so the start is 2.
// CHECK-LABEL: func.func @slice_start_constant_aligned
//       CHECK: %[[R:.*]] = arith.constant 2 : index
//       CHECK: return %[[R]]
func.func @slice_start_constant_aligned() -> index {
  %zero = arith.constant 0 : i64
  %0 = sparse_train.slice_start %zero, %zero extent = 10, width = 3, align = 2
  return %0 : index
}

// -----

// CHECK-LABEL: func.func @negative_slice_start_dynamic_seed
//       CHECK: sparse_train.slice_start
func.func @negative_slice_start_dynamic_seed(%seed: i64) -> index {
  %zero = arith.constant 0 : i64
  %0 = sparse_train.slice_start %seed, %zero extent = 10, width = 3
  return %0 : index
}

// -----

// A full-width slice with the default scale (N / W = 1) is the identity.
// CHECK-LABEL: func.func @slice_drop_full_width
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>
//   CHECK-NOT: sparse_train.slice_drop
//       CHECK: return %[[X]]
func.func @slice_drop_full_width(%x: tensor<4x8xf32>, %s: index) -> tensor<4x8xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 8 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// The scale is rounded to the element type first: 1.0001 is 1.0 in f16.
// CHECK-LABEL: func.func @slice_drop_full_width_scale_rounds_to_one
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xf16>
//       CHECK: return %[[X]]
func.func @slice_drop_full_width_scale_rounds_to_one(%x: tensor<4x8xf16>, %s: index) -> tensor<4x8xf16> {
  %0 = sparse_train.slice_drop %x, %s dim = 0, width = 4, scale = 1.0001 : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

// A full-width slice with another scale is a multiplication by it.
// CHECK-LABEL: func.func @slice_drop_full_width_scaled
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>
//       CHECK: %[[S:.*]] = arith.constant dense<2.500000e+00> : tensor<4x8xf32>
//       CHECK: %[[Y:.*]] = arith.mulf %[[X]], %[[S]] : tensor<4x8xf32>
//       CHECK: return %[[Y]]
func.func @slice_drop_full_width_scaled(%x: tensor<4x8xf32>, %s: index) -> tensor<4x8xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 8, scale = 2.5 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// No splat constant for a dynamic shape: the op stays.
// CHECK-LABEL: func.func @negative_slice_drop_full_width_scaled_dynamic
//       CHECK: sparse_train.slice_drop
func.func @negative_slice_drop_full_width_scaled_dynamic(%x: tensor<?x8xf32>, %s: index) -> tensor<?x8xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 8, scale = 2.5 : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @negative_slice_drop_partial
//       CHECK: sparse_train.slice_drop
func.func @negative_slice_drop_partial(%x: tensor<4x8xf32>, %s: index) -> tensor<4x4xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<4x8xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @slice_expand_full_width
//  CHECK-SAME: (%[[Y:.*]]: tensor<4x8xf32>
//   CHECK-NOT: sparse_train.slice_expand
//       CHECK: return %[[Y]]
func.func @slice_expand_full_width(%y: tensor<4x8xf32>, %s: index) -> tensor<4x8xf32> {
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 8 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @negative_slice_expand_partial
//       CHECK: sparse_train.slice_expand
func.func @negative_slice_expand_partial(%y: tensor<4x4xf32>, %s: index) -> tensor<4x8xf32> {
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 8 : tensor<4x4xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Keeping every element and restoring gives the input back.
// CHECK-LABEL: func.func @min_k_restore_of_full_retain
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
//       CHECK: return %[[X]]
func.func @min_k_restore_of_full_retain(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = sparse_train.min_k_retain %x keep_ratio = 1.0 encoding = indices : tensor<4x8xf32>
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<4x8xf32, kept = 32, indices>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @min_k_restore_of_full_row_retain
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xbf16>)
//       CHECK: return %[[X]]
func.func @min_k_restore_of_full_row_retain(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %r = sparse_train.min_k_retain %x keep = 8 granularity = row : tensor<4x8xbf16>
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<4x8xbf16, kept = 32, bitmask>
  return %0 : tensor<4x8xbf16>
}

// -----

// Keeping nothing restores to zeros.
// CHECK-LABEL: func.func @min_k_restore_of_empty_retain
//       CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
//       CHECK: return %[[Z]]
func.func @min_k_restore_of_empty_retain(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.0 : tensor<4x8xf32>
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<4x8xf32, kept = 0, bitmask>
  return %0 : tensor<4x8xf32>
}

// -----

// Keeping only some elements: nothing folds.
// CHECK-LABEL: func.func @negative_min_k_restore_partial
//       CHECK: %[[R:.*]] = sparse_train.min_k_retain
//       CHECK: sparse_train.min_k_restore %[[R]]
func.func @negative_min_k_restore_partial(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = sparse_train.min_k_retain %x keep = 3 : tensor<4x8xf32>
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<4x8xf32, kept = 3, bitmask>
  return %0 : tensor<4x8xf32>
}

// -----

// A restore of a function argument that keeps everything stays: nothing
// says where the values came from.
// CHECK-LABEL: func.func @negative_min_k_restore_of_argument
//       CHECK: sparse_train.min_k_restore
func.func @negative_min_k_restore_of_argument(%r: !sparse_train.retained<4x8xf32, kept = 32, bitmask>) -> tensor<4x8xf32> {
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<4x8xf32, kept = 32, bitmask>
  return %0 : tensor<4x8xf32>
}
