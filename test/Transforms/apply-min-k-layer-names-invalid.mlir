// A name in `layer-names` that no layer has is a warning on the function;
// the named layer that was not chosen says so in its remark.
// RUN: sparse-train-opt %s --sparse-train-apply-min-k="tangents=2 layer-names=fc9" -verify-diagnostics -o /dev/null

#tn = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
// expected-warning @below {{sparse-train-apply-min-k: no layer is named 'fc9' (by a `sparse_train.layer` attribute)}}
func.func @one_layer(%x: tensor<8x4xf32>, %w: tensor<4x3xf32>, %g: tensor<8x3xf32>)
    -> (tensor<8x3xf32>, tensor<4x3xf32>) {
  %c0 = arith.constant 0.0 : f32
  %e8 = tensor.empty() : tensor<8x3xf32>
  %z8 = linalg.fill ins(%c0 : f32) outs(%e8 : tensor<8x3xf32>) -> tensor<8x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<8x4xf32>, tensor<4x3xf32>) outs(%z8 : tensor<8x3xf32>) -> tensor<8x3xf32>
  %e4 = tensor.empty() : tensor<4x3xf32>
  %z4 = linalg.fill ins(%c0 : f32) outs(%e4 : tensor<4x3xf32>) -> tensor<4x3xf32>
  // expected-remark @below {{layer 0 'fc1': not rewritten to sparse_train.min_k_weight_grad: not among the chosen layers}}
  %dw = linalg.matmul indexing_maps = #tn {sparse_train.layer = "fc1"} ins(%x, %g : tensor<8x4xf32>, tensor<8x3xf32>) outs(%z4 : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y, %dw : tensor<8x3xf32>, tensor<4x3xf32>
}
