// Result types inferred for slice_start, slice_drop and slice_expand, read
// back from the generic form (which spells every result type).
// RUN: sparse-train-opt %s -split-input-file -mlir-print-op-generic | FileCheck %s

// CHECK-LABEL: sym_name = "slice_start_index"
// CHECK: "sparse_train.slice_start"(%{{.*}}, %{{.*}}) <{extent = 8 : i64, width = 2 : i64}> : (i64, i64) -> index
func.func @slice_start_index(%seed: i64, %c: i64) -> index {
  %0 = sparse_train.slice_start %seed, %c extent = 8, width = 2
  return %0 : index
}

// -----

// CHECK-LABEL: sym_name = "slice_drop_keeps_other_dims"
// CHECK: "sparse_train.slice_drop"{{.*}} : (tensor<?x7x5xbf16>, index) -> tensor<?x3x5xbf16>
func.func @slice_drop_keeps_other_dims(%x: tensor<?x7x5xbf16>, %s: index) -> tensor<?x3x5xbf16> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 3 : tensor<?x7x5xbf16>
  return %0 : tensor<?x3x5xbf16>
}

// -----

// CHECK-LABEL: sym_name = "slice_drop_width_one"
// CHECK: "sparse_train.slice_drop"{{.*}} : (tensor<1xf64>, index) -> tensor<1xf64>
func.func @slice_drop_width_one(%x: tensor<1xf64>, %s: index) -> tensor<1xf64> {
  %0 = sparse_train.slice_drop %x, %s dim = 0, width = 1 : tensor<1xf64>
  return %0 : tensor<1xf64>
}

// -----

// CHECK-LABEL: sym_name = "slice_expand_restores_extent"
// CHECK: "sparse_train.slice_expand"{{.*}} : (tensor<2x3x?xf16>, index) -> tensor<2x17x?xf16>
func.func @slice_expand_restores_extent(%y: tensor<2x3x?xf16>, %s: index) -> tensor<2x17x?xf16> {
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 17 : tensor<2x3x?xf16>
  return %0 : tensor<2x17x?xf16>
}

// -----

// slice_expand undoes the shape change of slice_drop.
// CHECK-LABEL: sym_name = "slice_drop_then_expand_round_trip_types"
// CHECK: -> tensor<16x4xf32>
// CHECK: -> tensor<16x12xf32>
func.func @slice_drop_then_expand_round_trip_types(%x: tensor<16x12xf32>, %s: index) -> tensor<16x12xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<16x12xf32>
  %1 = sparse_train.slice_expand %0, %s dim = 1, extent = 12 : tensor<16x4xf32>
  return %1 : tensor<16x12xf32>
}
