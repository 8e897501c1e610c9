// sparse-train-strip-training leaves functions without slices alone
// (declarations, multi-block functions), and refuses to change the results
// of a function that is called.
// RUN: sparse-train-opt %s --sparse-train-strip-training --verify-diagnostics --split-input-file | FileCheck %s

// CHECK-LABEL: func.func private @print
// CHECK-LABEL: func.func @branches
// CHECK: cf.cond_br
func.func private @print(tensor<4xf32>)
func.func @branches(%c: i1, %x: tensor<4xf32>) -> tensor<4xf32> {
  cf.cond_br %c, ^a, ^b
^a:
  return %x : tensor<4xf32>
^b:
  return %x : tensor<4xf32>
}

// -----

func.func @layer(%h: tensor<8x32xf32>, %s: index) -> tensor<8x8xf32> {
  %hs = sparse_train.slice_drop %h, %s dim = 1, width = 8 : tensor<8x32xf32>
  // expected-error @below {{sparse-train-strip-training: cannot widen this op: the function is called, and widening its results would change its signature}}
  return %hs : tensor<8x8xf32>
}
func.func @caller(%h: tensor<8x32xf32>, %s: index) -> tensor<8x8xf32> {
  %r = func.call @layer(%h, %s) : (tensor<8x32xf32>, index) -> tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}
