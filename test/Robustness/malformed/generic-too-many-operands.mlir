// Malformed input: Generic form with an extra operand.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = "sparse_train.slice_drop"(%x, %s, %s) <{dim = 1 : i64, width = 4 : i64}> : (tensor<4x8xf32>, index, index) -> tensor<4x4xf32>
  return
}
// CHECK: generic-too-many-operands.mlir:5:8: error: 'sparse_train.slice_drop' op expected 2 operands, but found 3
