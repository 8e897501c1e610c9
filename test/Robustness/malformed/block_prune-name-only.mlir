// Malformed input: sparse_train.block_prune with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @f(%x: tensor<8x8xf32>) {
  %0 = sparse_train.block_prune
  return
}
// CHECK: block_prune-name-only.mlir:6:32: error: expected SSA operand
