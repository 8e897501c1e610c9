// Malformed input: An op name the dialect does not define.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.frobnicate %x : tensor<4x8xf32>
  return
}
// CHECK: unknown-op.mlir:5:8: error: custom op 'sparse_train.frobnicate' is unknown
