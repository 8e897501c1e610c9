// sparse_train.bsr_matmul has no side effects: an unused one is erased, two
// identical ones are merged by CSE, and one inside a loop that does not
// depend on the loop is hoisted out of it.
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -canonicalize | FileCheck %s --check-prefix=DCE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -cse | FileCheck %s --check-prefix=CSE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -loop-invariant-code-motion | FileCheck %s --check-prefix=LICM

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
// DCE-LABEL: func.func @unused
//  DCE-NEXT: return
func.func @unused(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) {
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
// CSE-LABEL: func.func @duplicated
//       CSE: %[[R:.*]] = sparse_train.bsr_matmul
//   CSE-NOT: sparse_train.bsr_matmul
//       CSE: return %[[R]], %[[R]]
func.func @duplicated(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  %1 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  return %0, %1 : tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
// LICM-LABEL: func.func @loop_invariant
//       LICM: sparse_train.bsr_matmul
//       LICM: scf.for
//   LICM-NOT: sparse_train.bsr_matmul
func.func @loop_invariant(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
    "test.use"(%0) : (tensor<8x4xf32>) -> ()
  }
  return
}
