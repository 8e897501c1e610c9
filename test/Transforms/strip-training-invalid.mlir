// An op that sparse-train-strip-training cannot widen is an error naming
// it, never IR whose types disagree.
// RUN: sparse-train-opt %s --sparse-train-strip-training --verify-diagnostics --split-input-file

func.func @static_slice_of_a_slice(%w: tensor<16x32xf32>, %s: index) -> tensor<4x8xf32> {
  %ws = sparse_train.slice_drop %w, %s dim = 1, width = 8 : tensor<16x32xf32>
  // expected-error @below {{sparse-train-strip-training: cannot widen this op: it is neither element-wise, a linalg op on tensors, a slice_expand nor the return}}
  %top = tensor.extract_slice %ws[0, 0] [4, 8] [1, 1] : tensor<16x8xf32> to tensor<4x8xf32>
  return %top : tensor<4x8xf32>
}

// -----

func.func @init_from_an_argument(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %acc: tensor<8x8xf32>, %s: index) -> tensor<8x8xf32> {
  %ws = sparse_train.slice_drop %w, %s dim = 1, width = 8 : tensor<16x32xf32>
  // expected-error @below {{cannot widen this op: its init is not an empty, filled or constant tensor}}
  %y = linalg.matmul ins(%x, %ws : tensor<8x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

func.func @elementwise_with_a_narrow_argument(%h: tensor<8x32xf32>, %b: tensor<8x8xf32>, %s: index) -> tensor<8x8xf32> {
  %hs = sparse_train.slice_drop %h, %s dim = 1, width = 8 : tensor<8x32xf32>
  // expected-error @below {{cannot widen this op: an operand of another shape is not an empty, filled or constant tensor}}
  %r = arith.addf %hs, %b : tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}
