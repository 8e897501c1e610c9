// Malformed input: sparse_train.bsr_matmul with nothing after its name.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @f(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) {
  %0 = sparse_train.bsr_matmul
  return
}
// CHECK: bsr_matmul-name-only.mlir:6:31: error: expected SSA operand
