// Malformed input: Generic form without the required property width.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = "sparse_train.slice_drop"(%x, %s) <{dim = 1 : i64}> : (tensor<4x8xf32>, index) -> tensor<4x4xf32>
  return
}
// CHECK: generic-missing-property.mlir:5:8: error: 'sparse_train.slice_drop' op requires attribute 'width'
