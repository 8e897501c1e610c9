// sparse-train-matmul-to-blas: f32 linalg.matmul on buffers, in each of the
// four transpose forms and on strided views, becomes a call of the
// runtime's sparse_train_sgemm with the transpose flags and the accumulate
// flag (0 when a fill of +0 into the output just precedes the product, which
// then goes); other products stay.
// RUN: sparse-train-opt %s --sparse-train-matmul-to-blas | FileCheck %s

// CHECK-LABEL: func.func private @sparse_train_sgemm(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i64, i64, i64)
//  CHECK-SAME: attributes {llvm.emit_c_interface}

// CHECK-LABEL: func.func @forms
//   CHECK-DAG: %[[F:.*]] = arith.constant 0 : i64
//   CHECK-DAG: %[[T:.*]] = arith.constant 1 : i64
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[F]], %[[F]], %[[T]])
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[T]], %[[F]], %[[T]])
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[F]], %[[T]], %[[T]])
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[T]], %[[T]], %[[T]])
//   CHECK-NOT: linalg.matmul
func.func @forms(%a: memref<4x6xf32>, %at: memref<6x4xf32>, %b: memref<6x5xf32>, %bt: memref<5x6xf32>, %c: memref<4x5xf32>) {
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%at, %b : memref<6x4xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%a, %bt : memref<4x6xf32>, memref<5x6xf32>) outs(%c : memref<4x5xf32>)
  linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%at, %bt : memref<6x4xf32>, memref<5x6xf32>) outs(%c : memref<4x5xf32>)
  return
}

// A view with a dynamic offset (slice-drop's weight slice) is passed as is.
// CHECK-LABEL: func.func @strided_view
//       CHECK: %[[V:.*]] = memref.subview
//       CHECK: %[[C:.*]] = memref.cast %[[V]] : memref<8x?xf32, strided<[16, 1], offset: ?>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %[[C]],
func.func @strided_view(%x: memref<4x8xf32>, %w: memref<8x16xf32>, %s: index, %n: index, %y: memref<4x?xf32>) {
  %v = memref.subview %w[0, %s] [8, %n] [1, 1] : memref<8x16xf32> to memref<8x?xf32, strided<[16, 1], offset: ?>>
  linalg.matmul ins(%x, %v : memref<4x8xf32>, memref<8x?xf32, strided<[16, 1], offset: ?>>) outs(%y : memref<4x?xf32>)
  return
}

// A product right after a fill of +0 into its output (only ops without
// memory effects between) overwrites the output: accumulate = 0, no fill.
// CHECK-LABEL: func.func @zero_filled
//   CHECK-DAG: %[[F:.*]] = arith.constant 0 : i64
//   CHECK-NOT: linalg.fill
//       CHECK: %[[V:.*]] = memref.subview %{{.*}}[0, %{{.*}}] [4, 5] [1, 1]
//   CHECK-NOT: linalg.fill
//       CHECK: %[[C:.*]] = memref.cast %[[V]]
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %[[C]], %[[F]], %[[F]], %[[F]])
func.func @zero_filled(%a: memref<4x6xf32>, %b: memref<6x5xf32>, %full: memref<4x9xf32>, %s: index) {
  %zero = arith.constant 0.0 : f32
  %c = memref.subview %full[0, %s] [4, 5] [1, 1] : memref<4x9xf32> to memref<4x5xf32, strided<[9, 1], offset: ?>>
  linalg.fill ins(%zero : f32) outs(%c : memref<4x5xf32, strided<[9, 1], offset: ?>>)
  %one = arith.constant 1 : index
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32, strided<[9, 1], offset: ?>>)
  return
}

// The fill stays, and the product accumulates, when the output is read in
// between, when the fill is not of +0, or when it fills another buffer.
// CHECK-LABEL: func.func @negative_zero_filled
//   CHECK-DAG: %[[T:.*]] = arith.constant 1 : i64
//       CHECK: linalg.fill
//  CHECK-NEXT: memref.copy
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[T]])
//       CHECK: linalg.fill ins(%{{.*}} : f32)
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[T]])
//       CHECK: linalg.fill
//       CHECK: call @sparse_train_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[T]])
func.func @negative_zero_filled(%a: memref<4x6xf32>, %b: memref<6x5xf32>, %c: memref<4x5xf32>, %d: memref<4x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %negzero = arith.constant -0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x5xf32>)
  memref.copy %c, %d : memref<4x5xf32> to memref<4x5xf32>
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  linalg.fill ins(%negzero : f32) outs(%c : memref<4x5xf32>)
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  linalg.fill ins(%zero : f32) outs(%d : memref<4x5xf32>)
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  return
}

// CHECK-LABEL: func.func @negative_f64
//       CHECK: linalg.matmul
func.func @negative_f64(%a: memref<4x6xf64>, %b: memref<6x5xf64>, %c: memref<4x5xf64>) {
  linalg.matmul ins(%a, %b : memref<4x6xf64>, memref<6x5xf64>) outs(%c : memref<4x5xf64>)
  return
}

// Products on tensors are left to bufferization first.
// CHECK-LABEL: func.func @negative_tensors
//       CHECK: linalg.matmul
func.func @negative_tensors(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %c: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x6xf32>, tensor<6x5xf32>) outs(%c : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}
