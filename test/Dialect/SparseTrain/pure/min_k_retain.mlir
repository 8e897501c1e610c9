// sparse_train.min_k_retain has no side effects: an unused one is erased, two
// identical ones are merged by CSE, and one inside a loop that does not
// depend on the loop is hoisted out of it.
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -canonicalize | FileCheck %s --check-prefix=DCE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -cse | FileCheck %s --check-prefix=CSE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -loop-invariant-code-motion | FileCheck %s --check-prefix=LICM

// DCE-LABEL: func.func @unused
//  DCE-NEXT: return
func.func @unused(%a: tensor<4x8xf32>, %b: index) {
  %0 = sparse_train.min_k_retain %a keep = 3 : tensor<4x8xf32>
  return
}

// -----

// CSE-LABEL: func.func @duplicated
//       CSE: %[[R:.*]] = sparse_train.min_k_retain
//   CSE-NOT: sparse_train.min_k_retain
//       CSE: return %[[R]], %[[R]]
func.func @duplicated(%a: tensor<4x8xf32>, %b: index) -> (!sparse_train.retained<4x8xf32, kept = 3, bitmask>, !sparse_train.retained<4x8xf32, kept = 3, bitmask>) {
  %0 = sparse_train.min_k_retain %a keep = 3 : tensor<4x8xf32>
  %1 = sparse_train.min_k_retain %a keep = 3 : tensor<4x8xf32>
  return %0, %1 : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, !sparse_train.retained<4x8xf32, kept = 3, bitmask>
}

// -----

// LICM-LABEL: func.func @loop_invariant
//       LICM: sparse_train.min_k_retain
//       LICM: scf.for
//   LICM-NOT: sparse_train.min_k_retain
func.func @loop_invariant(%a: tensor<4x8xf32>, %b: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %0 = sparse_train.min_k_retain %a keep = 3 : tensor<4x8xf32>
    "test.use"(%0) : (!sparse_train.retained<4x8xf32, kept = 3, bitmask>) -> ()
  }
  return
}
