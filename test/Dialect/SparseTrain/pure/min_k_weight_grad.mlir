// sparse_train.min_k_weight_grad has no side effects: an unused one is erased, two
// identical ones are merged by CSE, and one inside a loop that does not
// depend on the loop is hoisted out of it.
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -canonicalize | FileCheck %s --check-prefix=DCE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -cse | FileCheck %s --check-prefix=CSE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -loop-invariant-code-motion | FileCheck %s --check-prefix=LICM

// DCE-LABEL: func.func @unused
//  DCE-NEXT: return
func.func @unused(%a: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %b: tensor<4x2xf32>) {
  %0 = sparse_train.min_k_weight_grad %a, %b : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
  return
}

// -----

// CSE-LABEL: func.func @duplicated
//       CSE: %[[R:.*]] = sparse_train.min_k_weight_grad
//   CSE-NOT: sparse_train.min_k_weight_grad
//       CSE: return %[[R]], %[[R]]
func.func @duplicated(%a: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %b: tensor<4x2xf32>) -> (tensor<8x2xf32>, tensor<8x2xf32>) {
  %0 = sparse_train.min_k_weight_grad %a, %b : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
  %1 = sparse_train.min_k_weight_grad %a, %b : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
  return %0, %1 : tensor<8x2xf32>, tensor<8x2xf32>
}

// -----

// LICM-LABEL: func.func @loop_invariant
//       LICM: sparse_train.min_k_weight_grad
//       LICM: scf.for
//   LICM-NOT: sparse_train.min_k_weight_grad
func.func @loop_invariant(%a: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %b: tensor<4x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %0 = sparse_train.min_k_weight_grad %a, %b : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
    "test.use"(%0) : (tensor<8x2xf32>) -> ()
  }
  return
}
