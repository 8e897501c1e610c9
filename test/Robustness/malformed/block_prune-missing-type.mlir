// Malformed input: sparse_train.block_prune without its trailing type.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @f(%x: tensor<8x8xf32>) {
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5
  return
}
// CHECK: block_prune-missing-type.mlir:6:100: error: expected ':'
