// Malformed input: slice_drop without its width.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_drop %x, %s dim = 1 : tensor<4x8xf32>
  return
}
// CHECK: missing-required-attribute.mlir:5:46: error: expected ','
