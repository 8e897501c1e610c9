// Malformed input: Generic form with no result.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  "sparse_train.slice_drop"(%x, %s) <{dim = 1 : i64, width = 4 : i64}> : (tensor<4x8xf32>, index) -> ()
  return
}
// CHECK: generic-no-result.mlir:5:3: error: 'sparse_train.slice_drop' op requires one result
