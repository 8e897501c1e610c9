// Malformed input: sparse_train.slice_drop without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4
  return
}
// CHECK: slice_drop-missing-type.mlir:5:57: error: expected ':'
