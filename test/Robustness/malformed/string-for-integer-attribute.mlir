// Malformed input: A string where the format expects an integer attribute.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_expand %x, %s dim = "one", extent = 8 : tensor<4x8xf32>
  return
}
// CHECK: string-for-integer-attribute.mlir:5:47: error: custom op 'sparse_train.slice_expand' invalid kind of attribute specified
