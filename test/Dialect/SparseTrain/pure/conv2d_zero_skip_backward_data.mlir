// sparse_train.conv2d_zero_skip_backward_data has no side effects: an unused one is erased, two
// identical ones are merged by CSE, and one inside a loop that does not
// depend on the loop is hoisted out of it.
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -canonicalize | FileCheck %s --check-prefix=DCE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -cse | FileCheck %s --check-prefix=CSE
// RUN: sparse-train-opt %s -split-input-file -allow-unregistered-dialect -loop-invariant-code-motion | FileCheck %s --check-prefix=LICM

// DCE-LABEL: func.func @unused
//  DCE-NEXT: return
func.func @unused(%a: tensor<1x4x4x4xf32>, %b: tensor<3x3x3x4xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_data %a, %b : tensor<1x4x4x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x6x6x3xf32>
  return
}

// -----

// CSE-LABEL: func.func @duplicated
//       CSE: %[[R:.*]] = sparse_train.conv2d_zero_skip_backward_data
//   CSE-NOT: sparse_train.conv2d_zero_skip_backward_data
//       CSE: return %[[R]], %[[R]]
func.func @duplicated(%a: tensor<1x4x4x4xf32>, %b: tensor<3x3x3x4xf32>) -> (tensor<1x6x6x3xf32>, tensor<1x6x6x3xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_data %a, %b : tensor<1x4x4x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x6x6x3xf32>
  %1 = sparse_train.conv2d_zero_skip_backward_data %a, %b : tensor<1x4x4x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x6x6x3xf32>
  return %0, %1 : tensor<1x6x6x3xf32>, tensor<1x6x6x3xf32>
}

// -----

// LICM-LABEL: func.func @loop_invariant
//       LICM: sparse_train.conv2d_zero_skip_backward_data
//       LICM: scf.for
//   LICM-NOT: sparse_train.conv2d_zero_skip_backward_data
func.func @loop_invariant(%a: tensor<1x4x4x4xf32>, %b: tensor<3x3x3x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %0 = sparse_train.conv2d_zero_skip_backward_data %a, %b : tensor<1x4x4x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x6x6x3xf32>
    "test.use"(%0) : (tensor<1x6x6x3xf32>) -> ()
  }
  return
}
