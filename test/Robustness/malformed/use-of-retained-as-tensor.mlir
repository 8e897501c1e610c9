// Malformed input: A retained value returned as if it were a tensor.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = sparse_train.min_k_retain %x keep = 3 : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
// CHECK: use-of-retained-as-tensor.mlir:6:10: error: use of value '%r' expects different type than prior uses: 'tensor<4x8xf32>' vs '!sparse_train.retained<4x8xf32, kept = 3, bitmask>'
