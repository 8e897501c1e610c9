// Malformed input: sparse_train.slice_start without its width.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%seed: i64, %c: i64) {
  %0 = sparse_train.slice_start %seed, %c extent = 64
  return
}
// CHECK: slice_start-missing-width.mlir:5:54: error: expected ','
