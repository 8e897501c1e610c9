// sparse_train.slice_start has no side effects: an unused one is erased, two
// identical ones are merged by CSE, and one inside a loop that does not
// depend on the loop is hoisted out of it.
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -canonicalize | FileCheck %s --check-prefix=DCE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -cse | FileCheck %s --check-prefix=CSE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -loop-invariant-code-motion | FileCheck %s --check-prefix=LICM

// DCE-LABEL: func.func @unused
//  DCE-NEXT: return
func.func @unused(%a: i64, %b: i64) {
  %0 = sparse_train.slice_start %a, %b extent = 64, width = 16
  return
}

// -----

// CSE-LABEL: func.func @duplicated
//       CSE: %[[R:.*]] = sparse_train.slice_start
//   CSE-NOT: sparse_train.slice_start
//       CSE: return %[[R]], %[[R]]
func.func @duplicated(%a: i64, %b: i64) -> (index, index) {
  %0 = sparse_train.slice_start %a, %b extent = 64, width = 16
  %1 = sparse_train.slice_start %a, %b extent = 64, width = 16
  return %0, %1 : index, index
}

// -----

// LICM-LABEL: func.func @loop_invariant
//       LICM: sparse_train.slice_start
//       LICM: scf.for
//   LICM-NOT: sparse_train.slice_start
func.func @loop_invariant(%a: i64, %b: i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %0 = sparse_train.slice_start %a, %b extent = 64, width = 16
    "test.use"(%0) : (index) -> ()
  }
  return
}
