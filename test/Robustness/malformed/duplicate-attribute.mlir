// Malformed input: An attribute dictionary that overrides the keep count after the result type was inferred from it.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = sparse_train.min_k_retain %x keep = 3 {keep = 4 : i64} : tensor<4x8xf32>
  return
}
// CHECK: duplicate-attribute.mlir:5:8: error: 'sparse_train.min_k_retain' op inferred type(s) '!sparse_train.retained<4x8xf32, kept = 4, bitmask>' are incompatible with return type(s) of operation '!sparse_train.retained<4x8xf32, kept = 3, bitmask>'
