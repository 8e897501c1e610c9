// sparse-train-generalize-sparse-linalg turns named linalg ops with a sparse
// operand into linalg.generic (what the sparsifier reads) and keeps dense
// named ops named.
// RUN: sparse-train-opt %s --sparse-train-generalize-sparse-linalg | FileCheck %s

#CSR = #sparse_tensor.encoding<{map = (i, j) -> (i : dense, j : compressed)}>

// CHECK-LABEL: func.func @sparse_operand
//   CHECK-NOT: linalg.matmul
//       CHECK: linalg.generic
func.func @sparse_operand(%a: tensor<4x6xf32, #CSR>, %b: tensor<6x5xf32>, %c: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x6xf32, #CSR>, tensor<6x5xf32>) outs(%c : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// CHECK-LABEL: func.func @negative_dense
//       CHECK: linalg.matmul
func.func @negative_dense(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %c: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x6xf32>, tensor<6x5xf32>) outs(%c : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}
