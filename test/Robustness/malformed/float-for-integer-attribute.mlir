// Malformed input: A float where the format expects an integer attribute.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 1.5 : tensor<4x8xf32>
  return
}
// CHECK: float-for-integer-attribute.mlir:5:60: error: floating point value not valid for specified type
