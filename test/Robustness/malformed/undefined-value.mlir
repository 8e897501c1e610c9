// Malformed input: A use of an SSA value that is never defined.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.slice_drop %x, %nowhere dim = 1, width = 4 : tensor<4x8xf32>
  return
}
// CHECK: undefined-value.mlir:5:36: error: use of undeclared SSA value name
