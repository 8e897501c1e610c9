// Malformed input: A misspelled attribute keyword (dims for dim).
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_drop %x, %s dims = 1, width = 4 : tensor<4x8xf32>
  return
}
// CHECK: misspelled-keyword.mlir:5:39: error: custom op 'sparse_train.slice_drop' expected 'dim'
