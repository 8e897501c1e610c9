// Malformed input: An encoding keyword that does not exist.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.min_k_retain %x keep = 3 encoding = csr : tensor<4x8xf32>
  return
}
// CHECK: unknown-encoding-keyword.mlir:5:57: error: custom op 'sparse_train.min_k_retain' expected ::mlir::sparse_train::RetainEncoding to be one of: indices, bitmask
