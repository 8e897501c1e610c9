// convert-sparse-train-to-cpu runs the forward bsr_matmul as a vector
// kernel (FMA on VL lanes, masked loads and stores in the last chunk, a
// register tile of rows) and leaves other forms to the reference loops.
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu | FileCheck %s
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=256" | FileCheck %s --check-prefix=AVX2
// RUN: not sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=100" 2>&1 | FileCheck %s --check-prefix=BAD

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 4 : dense, j floordiv 4 : compressed, i mod 4 : dense, j mod 4 : dense)}>

// CHECK-LABEL: func.func @forward
//       CHECK: vector.create_mask %{{.*}} : vector<16xi1>
//       CHECK: vector.maskedload %{{.*}} : memref<8x?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//  CHECK-COUNT-8: vector.fma %{{.*}} : vector<16xf32>
//  CHECK-COUNT-8: vector.maskedstore
// AVX2-LABEL: func.func @forward
//       AVX2: vector.fma %{{.*}} : vector<8xf32>
// BAD: error: convert-sparse-train-to-cpu: vector-bits must be a multiple of 32 in [64, 2048], got 100
func.func @forward(%x: tensor<8x8xf32, #BSR>, %w: tensor<8x?xf32>) -> tensor<8x?xf32> {
  %y = sparse_train.bsr_matmul %x, %w : tensor<8x8xf32, #BSR>, tensor<8x?xf32> -> tensor<8x?xf32>
  return %y : tensor<8x?xf32>
}

// The weight-gradient form has no vector kernel yet: reference loops.
// CHECK-LABEL: func.func @negative_transposed
//   CHECK-NOT: vector.fma
//       CHECK: scf.for
// CHECK-LABEL: func.func @negative_f64
//   CHECK-NOT: vector.fma
func.func @negative_transposed(%x: tensor<8x8xf32, #BSR>, %dy: tensor<8x3xf32>) -> tensor<8x3xf32> {
  %g = sparse_train.bsr_matmul %x, %dy transpose_a : tensor<8x8xf32, #BSR>, tensor<8x3xf32> -> tensor<8x3xf32>
  return %g : tensor<8x3xf32>
}

func.func @negative_f64(%x: tensor<8x8xf64, #BSR>, %w: tensor<8x3xf64>) -> tensor<8x3xf64> {
  %y = sparse_train.bsr_matmul %x, %w : tensor<8x8xf64, #BSR>, tensor<8x3xf64> -> tensor<8x3xf64>
  return %y : tensor<8x3xf64>
}
