// torch-mlir's joint step of Linear(8->16) + ReLU + Linear(16->3), the
// output tangent %gy as argument 5 (shared/notes/frontends.md, fixture A.1,
// checked against PyTorch there). Results: y, dW1, db1, dW2, db2.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#bc1 = affine_map<(d0, d1) -> (d1)>
#red0k = affine_map<(d0, d1) -> (0, d1)>
func.func @train_step(%x: tensor<4x8xf32>, %w1: tensor<16x8xf32>, %b1: tensor<16xf32>,
                      %w2: tensor<3x16xf32>, %b2: tensor<3xf32>, %gy: tensor<4x3xf32>)
    -> (tensor<4x3xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<3x16xf32>, tensor<3xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<8x16xf32>
  %w1t = linalg.transpose ins(%w1 : tensor<16x8xf32>) outs(%e0 : tensor<8x16xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<4x16xf32>
  %z1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm1 = linalg.matmul ins(%x, %w1t : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %a1 = linalg.generic {indexing_maps = [#id2, #bc1, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%mm1, %b1 : tensor<4x16xf32>, tensor<16xf32>) outs(%e1 : tensor<4x16xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %s = arith.addf %in, %in_0 : f32
      linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %h = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a1 : tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %c = arith.cmpf ugt, %in, %cst : f32
      %r = arith.select %c, %in, %cst : f32
      linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<16x3xf32>
  %w2t = linalg.transpose ins(%w2 : tensor<3x16xf32>) outs(%e2 : tensor<16x3xf32>) permutation = [1, 0]
  %e3 = tensor.empty() : tensor<4x3xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %mm2 = linalg.matmul ins(%h, %w2t : tensor<4x16xf32>, tensor<16x3xf32>) outs(%z3 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = linalg.generic {indexing_maps = [#id2, #bc1, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%mm2, %b2 : tensor<4x3xf32>, tensor<3xf32>) outs(%e3 : tensor<4x3xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %s = arith.addf %in, %in_0 : f32
      linalg.yield %s : f32
  } -> tensor<4x3xf32>
  // backward, Linear 2: dX = g·W2 (t∘t folded), dW2 = t(g)·h, db2 = sum_0(g)
  %dh = linalg.matmul ins(%gy, %w2 : tensor<4x3xf32>, tensor<3x16xf32>) outs(%z1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %e5 = tensor.empty() : tensor<3x4xf32>
  %gyt = linalg.transpose ins(%gy : tensor<4x3xf32>) outs(%e5 : tensor<3x4xf32>) permutation = [1, 0]
  %e4 = tensor.empty() : tensor<3x16xf32>
  %z5 = linalg.fill ins(%cst : f32) outs(%e4 : tensor<3x16xf32>) -> tensor<3x16xf32>
  %dw2 = linalg.matmul ins(%gyt, %h : tensor<3x4xf32>, tensor<4x16xf32>) outs(%z5 : tensor<3x16xf32>) -> tensor<3x16xf32>
  %e7 = tensor.empty() : tensor<1x3xf32>
  %z7 = linalg.fill ins(%cst : f32) outs(%e7 : tensor<1x3xf32>) -> tensor<1x3xf32>
  %db2k = linalg.generic {indexing_maps = [#id2, #red0k], iterator_types = ["reduction", "parallel"]}
      ins(%gy : tensor<4x3xf32>) outs(%z7 : tensor<1x3xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
  } -> tensor<1x3xf32>
  %db2 = tensor.collapse_shape %db2k [[0, 1]] : tensor<1x3xf32> into tensor<3xf32>
  // ReLU backward = threshold_backward(dh, h, 0)
  %da1 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%dh, %h : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e1 : tensor<4x16xf32>) {
    ^bb0(%g: f32, %s: f32, %out: f32):
      %c = arith.cmpf ule, %s, %cst : f32
      %r = arith.select %c, %cst, %g : f32
      linalg.yield %r : f32
  } -> tensor<4x16xf32>
  // backward, Linear 1 (x needs no grad): dW1 = t(da1)·x, db1 = sum_0(da1)
  %e8 = tensor.empty() : tensor<16x4xf32>
  %da1t = linalg.transpose ins(%da1 : tensor<4x16xf32>) outs(%e8 : tensor<16x4xf32>) permutation = [1, 0]
  %z8 = linalg.fill ins(%cst : f32) outs(%w1 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %dw1 = linalg.matmul ins(%da1t, %x : tensor<16x4xf32>, tensor<4x8xf32>) outs(%z8 : tensor<16x8xf32>) -> tensor<16x8xf32>
  %e9 = tensor.empty() : tensor<1x16xf32>
  %z9 = linalg.fill ins(%cst : f32) outs(%e9 : tensor<1x16xf32>) -> tensor<1x16xf32>
  %db1k = linalg.generic {indexing_maps = [#id2, #red0k], iterator_types = ["reduction", "parallel"]}
      ins(%da1 : tensor<4x16xf32>) outs(%z9 : tensor<1x16xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
  } -> tensor<1x16xf32>
  %db1 = tensor.collapse_shape %db1k [[0, 1]] : tensor<1x16xf32> into tensor<16xf32>
  return %y, %dw1, %db1, %dw2, %db2 : tensor<4x3xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<3x16xf32>, tensor<3xf32>
}
