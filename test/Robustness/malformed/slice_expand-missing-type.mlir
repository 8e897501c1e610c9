// Malformed input: sparse_train.slice_expand without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%y: tensor<4x4xf32>, %s: index) {
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 8
  return
}
// CHECK: slice_expand-missing-type.mlir:5:60: error: expected ':'
