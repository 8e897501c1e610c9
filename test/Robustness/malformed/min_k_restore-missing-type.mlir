// Malformed input: sparse_train.min_k_restore without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>) {
  %0 = sparse_train.min_k_restore %r
  return
}
// CHECK: min_k_restore-missing-type.mlir:5:37: error: expected ':'
