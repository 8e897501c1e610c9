// Malformed input: An op name with nothing after the dialect prefix.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f() {
  %0 = sparse_train. : index
  return
}
// CHECK: empty-op-name.mlir:5:8: error: custom op 'sparse_train.' is unknown (tried 'func.sparse_train.' as well)
