// Malformed input: An integer attribute that does not fit in i64.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%seed: i64, %c: i64) -> index {
  %0 = sparse_train.slice_start %seed, %c extent = 99999999999999999999999, width = 4
  return %0 : index
}
// CHECK: integer-too-large.mlir:5:52: error: integer constant out of range for attribute
