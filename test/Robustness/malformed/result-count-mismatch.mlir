// Malformed input: Two results bound to a one-result op.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0, %1 = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<4x8xf32>
  return
}
// CHECK: result-count-mismatch.mlir:5:3: error: operation defines 1 results but was provided 2 to bind
