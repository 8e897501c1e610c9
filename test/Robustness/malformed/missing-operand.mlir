// Malformed input: slice_drop without its start operand.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.slice_drop %x dim = 1, width = 4 : tensor<4x8xf32>
  return
}
// CHECK: missing-operand.mlir:5:34: error: expected ','
