// Malformed input: sparse_train.slice_start with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%seed: i64, %c: i64) {
  %0 = sparse_train.slice_start
  return
}
// CHECK: slice_start-name-only.mlir:5:32: error: expected SSA operand
