// Result types inferred for min_k_retain (the retained type, with K computed
// at compile time) and min_k_restore (the dense type).
// RUN: sparse-train-opt %s -split-input-file -mlir-print-op-generic | FileCheck %s

// numel = 100, keep_ratio 0.1: K = floor(10.0 + 0.5) = 10 (never 9, which
// int(100 * (1 - 0.9)) gives).
// CHECK-LABEL: sym_name = "k_from_ratio_exact"
// CHECK: -> !sparse_train.retained<10x10xf32, kept = 10, bitmask>
func.func @k_from_ratio_exact(%x: tensor<10x10xf32>) -> !sparse_train.retained<10x10xf32, kept = 10, bitmask> {
  %0 = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<10x10xf32>
  return %0 : !sparse_train.retained<10x10xf32, kept = 10, bitmask>
}

// -----

// numel = 7, keep_ratio 0.5: 3.5 + 0.5 = 4 (round half up).
// CHECK-LABEL: sym_name = "k_round_half_up"
// CHECK: -> !sparse_train.retained<7xf16, kept = 4, indices>
func.func @k_round_half_up(%x: tensor<7xf16>) -> !sparse_train.retained<7xf16, kept = 4, indices> {
  %0 = sparse_train.min_k_retain %x keep_ratio = 0.5 encoding = indices : tensor<7xf16>
  return %0 : !sparse_train.retained<7xf16, kept = 4, indices>
}

// -----

// Per row: 3 rows of 5, ratio 0.3 -> floor(1.5 + 0.5) = 2 per row, 6 in all.
// CHECK-LABEL: sym_name = "k_per_row"
// CHECK: -> !sparse_train.retained<3x5xf32, kept = 6, bitmask>
func.func @k_per_row(%x: tensor<3x5xf32>) -> !sparse_train.retained<3x5xf32, kept = 6, bitmask> {
  %0 = sparse_train.min_k_retain %x keep_ratio = 0.3 granularity = row : tensor<3x5xf32>
  return %0 : !sparse_train.retained<3x5xf32, kept = 6, bitmask>
}

// -----

// A count with a dynamic shape stays static for granularity = tensor...
// CHECK-LABEL: sym_name = "k_count_dynamic_shape"
// CHECK: -> !sparse_train.retained<?x8xf32, kept = 5, bitmask>
func.func @k_count_dynamic_shape(%x: tensor<?x8xf32>) -> !sparse_train.retained<?x8xf32, kept = 5, bitmask> {
  %0 = sparse_train.min_k_retain %x keep = 5 : tensor<?x8xf32>
  return %0 : !sparse_train.retained<?x8xf32, kept = 5, bitmask>
}

// -----

// ...and becomes dynamic per row when the number of rows is.
// CHECK-LABEL: sym_name = "k_count_dynamic_rows"
// CHECK: -> !sparse_train.retained<?x8xf32, kept = ?, bitmask>
func.func @k_count_dynamic_rows(%x: tensor<?x8xf32>) -> !sparse_train.retained<?x8xf32, kept = ?, bitmask> {
  %0 = sparse_train.min_k_retain %x keep = 5 granularity = row : tensor<?x8xf32>
  return %0 : !sparse_train.retained<?x8xf32, kept = ?, bitmask>
}

// -----

// Rank 1 with granularity = row: the one row is the whole tensor.
// CHECK-LABEL: sym_name = "k_row_rank_one"
// CHECK: -> !sparse_train.retained<9xbf16, kept = 3, bitmask>
func.func @k_row_rank_one(%x: tensor<9xbf16>) -> !sparse_train.retained<9xbf16, kept = 3, bitmask> {
  %0 = sparse_train.min_k_retain %x keep = 3 granularity = row : tensor<9xbf16>
  return %0 : !sparse_train.retained<9xbf16, kept = 3, bitmask>
}

// -----

// A zero-size tensor keeps nothing.
// CHECK-LABEL: sym_name = "k_empty_tensor"
// CHECK: -> !sparse_train.retained<0x4xf32, kept = 0, bitmask>
func.func @k_empty_tensor(%x: tensor<0x4xf32>) -> !sparse_train.retained<0x4xf32, kept = 0, bitmask> {
  %0 = sparse_train.min_k_retain %x keep_ratio = 0.5 : tensor<0x4xf32>
  return %0 : !sparse_train.retained<0x4xf32, kept = 0, bitmask>
}

// -----

// CHECK-LABEL: sym_name = "restore_dense_type"
// CHECK: "sparse_train.min_k_restore"{{.*}} -> tensor<?x3x4xf64>
func.func @restore_dense_type(%r: !sparse_train.retained<?x3x4xf64, kept = ?, indices>) -> tensor<?x3x4xf64> {
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<?x3x4xf64, kept = ?, indices>
  return %0 : tensor<?x3x4xf64>
}
