// Malformed input: A memref where the op takes a tensor.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: memref<4x8xf32>) {
  %0 = sparse_train.min_k_retain %x keep = 3 : memref<4x8xf32>
  return
}
// CHECK: memref-input.mlir:5:48: error: custom op 'sparse_train.min_k_retain' invalid kind of type specified: expected builtin.tensor, but found 'memref<4x8xf32>'
