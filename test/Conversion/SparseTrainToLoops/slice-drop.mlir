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

// A product computed into a tensor.empty of its own, after the start is
// known: the empty becomes the slice of the zero tensor of full extent
// (created in its place), so the product is written in place. With checks,
// the start is checked there, before the product writes.
// CHECK-LABEL: func.func @slice_expand_product
//       CHECK: %[[FE:.*]] = tensor.empty() : tensor<4x10xf32>
//       CHECK: %[[FULL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[FE]] : tensor<4x10xf32>)
//  CHECK-NEXT: %[[SL:.*]] = tensor.extract_slice %[[FULL]][0, %[[S:.*]]] [4, 3] [1, 1]
//  CHECK-NEXT: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[SL]] : tensor<4x3xf32>)
//  CHECK-NEXT: %[[P:.*]] = linalg.matmul {{.*}} outs(%[[Z]] : tensor<4x3xf32>)
//  CHECK-NEXT: tensor.insert_slice %[[P]] into %[[FULL]][0, %[[S]]] [4, 3] [1, 1]
// CHECKS-LABEL: func.func @slice_expand_product
//       CHECKS: cf.assert %{{.*}}, "sparse_train.slice_expand: start outside [0, 7]"
//  CHECKS-NEXT: tensor.empty() : tensor<4x10xf32>
//       CHECKS: linalg.matmul
func.func @slice_expand_product(%x: tensor<4x6xf32>, %w: tensor<6x3xf32>, %seed: i64, %ctr: i64) -> tensor<4x10xf32> {
  %zero = arith.constant 0.0 : f32
  %s = sparse_train.slice_start %seed, %ctr extent = 10, width = 3
  %e = tensor.empty() : tensor<4x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %p = linalg.matmul ins(%x, %w : tensor<4x6xf32>, tensor<6x3xf32>) outs(%z : tensor<4x3xf32>) -> tensor<4x3xf32>
  %0 = sparse_train.slice_expand %p, %s dim = 1, extent = 10 : tensor<4x3xf32>
  return %0 : tensor<4x10xf32>
}

// Not in place when the start comes after the product's empty, or when the
// empty (here through the shared fill) has other users: a zero tensor and
// an insertion where the op was.
// CHECK-LABEL: func.func @negative_slice_expand_product
//       CHECK: %[[P1:.*]] = linalg.matmul
//       CHECK: %[[P2:.*]] = linalg.matmul
//       CHECK: sparse_train_start_late
//       CHECK: %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x10xf32>)
//  CHECK-NEXT: tensor.insert_slice %[[P1]] into %[[Z1]]
//       CHECK: %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x10xf32>)
//  CHECK-NEXT: tensor.insert_slice %[[P2]] into %[[Z2]]
func.func @negative_slice_expand_product(%x: tensor<4x6xf32>, %w: tensor<6x3xf32>, %s: index) -> (tensor<4x10xf32>, tensor<4x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %p1 = linalg.matmul ins(%x, %w : tensor<4x6xf32>, tensor<6x3xf32>) outs(%z : tensor<4x3xf32>) -> tensor<4x3xf32>
  %p2 = linalg.matmul ins(%x, %w : tensor<4x6xf32>, tensor<6x3xf32>) outs(%z : tensor<4x3xf32>) -> tensor<4x3xf32>
  %late = call @sparse_train_start_late(%s) : (index) -> index
  %0 = sparse_train.slice_expand %p1, %late dim = 1, extent = 10 : tensor<4x3xf32>
  %1 = sparse_train.slice_expand %p2, %s dim = 1, extent = 10 : tensor<4x3xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<4x10xf32>
}
func.func private @sparse_train_start_late(index) -> index
