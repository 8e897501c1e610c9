// The runtime's sgemm name taken by another symbol is an error, not a
// second declaration.
// RUN: sparse-train-opt %s --sparse-train-matmul-to-blas -verify-diagnostics -split-input-file

// expected-error @+1 {{'sparse_train_sgemm' is reserved for the runtime's sgemm}}
memref.global "private" @sparse_train_sgemm : memref<1xf32>

func.func @f(%a: memref<4x6xf32>, %b: memref<6x5xf32>, %c: memref<4x5xf32>) {
  linalg.matmul ins(%a, %b : memref<4x6xf32>, memref<6x5xf32>) outs(%c : memref<4x5xf32>)
  return
}
