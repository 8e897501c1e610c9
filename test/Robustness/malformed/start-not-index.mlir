// Malformed input: A slice start of type i64 instead of index.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: i64) {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<4x8xf32>
  return
}
// CHECK: start-not-index.mlir:5:36: error: use of value '%s' expects different type than prior uses: 'index' vs 'i64'
