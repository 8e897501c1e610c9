// Malformed input: An unranked tensor where a ranked one is required.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<*xf32>, %s: index) {
  %0 = sparse_train.slice_drop %x, %s dim = 0, width = 1 : tensor<*xf32>
  return
}
// CHECK: unranked-input.mlir:5:60: error: custom op 'sparse_train.slice_drop' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'
