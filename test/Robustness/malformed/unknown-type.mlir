// Malformed input: A type mnemonic the dialect does not define.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%r: !sparse_train.mask<4x8xf32>) {
  return
}
// CHECK: unknown-type.mlir:4:32: error: unknown  type `mask` in dialect `sparse_train`
