// A transformer-style FFN layer with slice-drop, forward and backward: the
// input of propagate-slices.mlir and propagate_slices_exec.py.
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
func.func @ffn(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %b1: tensor<32xf32>, %w2: tensor<32x16xf32>,
               %dy: tensor<8x16xf32>, %seed: i64, %counter: i64)
    -> (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<8x16xf32>) attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %s = sparse_train.slice_start %seed, %counter extent = 32, width = 16, align = 8
  %e32 = tensor.empty() : tensor<8x32xf32>
  %f32 = linalg.fill ins(%zero : f32) outs(%e32 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%x, %w1 : tensor<8x16xf32>, tensor<16x32xf32>) outs(%f32 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %h = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %b1 : tensor<8x32xf32>, tensor<32xf32>) outs(%e32 : tensor<8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    %r = arith.maximumf %t, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x32xf32>
  %hs = sparse_train.slice_drop %h, %s dim = 1, width = 16 : tensor<8x32xf32>
  %w2s = sparse_train.slice_drop %w2, %s dim = 0, width = 16, scale = 1.0 : tensor<32x16xf32>
  %e16 = tensor.empty() : tensor<8x16xf32>
  %f16 = linalg.fill ins(%zero : f32) outs(%e16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %y = linalg.matmul ins(%hs, %w2s : tensor<8x16xf32>, tensor<16x16xf32>) outs(%f16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  // Backward.
  %ew = tensor.empty() : tensor<16x16xf32>
  %fw = linalg.fill ins(%zero : f32) outs(%ew : tensor<16x16xf32>) -> tensor<16x16xf32>
  %dw2s = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%hs, %dy : tensor<8x16xf32>, tensor<8x16xf32>) outs(%fw : tensor<16x16xf32>) -> tensor<16x16xf32>
  %dw2 = sparse_train.slice_expand %dw2s, %s dim = 0, extent = 32 : tensor<16x16xf32>
  %dhs = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%dy, %w2s : tensor<8x16xf32>, tensor<16x16xf32>) outs(%f16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %dh = sparse_train.slice_expand %dhs, %s dim = 1, extent = 32 : tensor<8x16xf32>
  %dz = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%dh, %h : tensor<8x32xf32>, tensor<8x32xf32>) outs(%e32 : tensor<8x32xf32>) {
  ^bb0(%g: f32, %v: f32, %o: f32):
    %p = arith.cmpf ogt, %v, %zero : f32
    %sg = arith.mulf %g, %two : f32
    %r = arith.select %p, %sg, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x32xf32>
  %e1 = tensor.empty() : tensor<16x32xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %dw1 = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%x, %dz : tensor<8x16xf32>, tensor<8x32xf32>) outs(%f1 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %dx = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%dz, %w1 : tensor<8x32xf32>, tensor<16x32xf32>) outs(%f16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %y, %dw1, %dw2, %dx : tensor<8x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<8x16xf32>
}
