// slice ops become tensor slices at a dynamic offset; the scale a
// linalg.generic in f32 for f16; slice_start the Philox rounds in arith.
// RUN: sparse-train-opt %s --convert-sparse-train-to-loops | FileCheck %s
// RUN: sparse-train-opt %s --convert-sparse-train-to-loops="runtime-checks=true" | FileCheck %s --check-prefix=CHECKS

// CHECK-LABEL: func.func @slice_start
//  CHECK-COUNT-20: arith.mului_extended
//       CHECK: arith.extui %{{.*}} : i32 to i128
//       CHECK: arith.shrui %{{.*}} : i128
//   CHECK-NOT: sparse_train.
func.func @slice_start(%seed: i64, %c: i64) -> index {
  %0 = sparse_train.slice_start %seed, %c extent = 64, width = 16
  return %0 : index
}

// CHECK-LABEL: func.func @slice_drop_f16
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xf16>, %[[S:.*]]: index)
//       CHECK: %[[SL:.*]] = tensor.extract_slice %[[X]][0, %[[S]]] [4, 2] [1, 1]
//       CHECK: linalg.generic {{.*}} ins(%[[SL]] : tensor<4x2xf16>)
//       CHECK:   arith.extf %{{.*}} : f16 to f32
//       CHECK:   arith.mulf %{{.*}} : f32
//       CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECKS-LABEL: func.func @slice_drop_f16
//       CHECKS: cf.assert %{{.*}}, "sparse_train.slice_drop: start outside [0, 6]"
func.func @slice_drop_f16(%x: tensor<4x8xf16>, %s: index) -> tensor<4x2xf16> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 2 : tensor<4x8xf16>
  return %0 : tensor<4x2xf16>
}

// A scale that rounds to 1 multiplies nothing.
// CHECK-LABEL: func.func @slice_drop_unit_scale
//       CHECK: %[[SL:.*]] = tensor.extract_slice
//  CHECK-NEXT: return %[[SL]]
func.func @slice_drop_unit_scale(%x: tensor<4x8xf32>, %s: index) -> tensor<2x8xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 0, width = 2, scale = 1.0 : tensor<4x8xf32>
  return %0 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @slice_expand
//       CHECK: %[[Z:.*]] = linalg.fill
//       CHECK: tensor.insert_slice %{{.*}} into %[[Z]][%{{.*}}, 0] [2, 8] [1, 1]
func.func @slice_expand(%y: tensor<2x8xf32>, %s: index) -> tensor<5x8xf32> {
  %0 = sparse_train.slice_expand %y, %s dim = 0, extent = 5 : tensor<2x8xf32>
  return %0 : tensor<5x8xf32>
}
