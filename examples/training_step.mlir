// A training step written with sparse_train ops: a 2-layer MLP (forward and
// backward) and one convolution layer. It is what `make run` compiles.
//
// MLP: x[32x64] -> h = relu(x·W1 + b1)[32x128] -> SliceOut keeps 64 of the
// 128 hidden units -> y = h_s·W2_s[32x10]. Backward from the output gradient
// dy: the saved input of layer 1 is kept with DropIT (min_k_retain, 10 %),
// the saved hidden activation of layer 2 is block-pruned into BSR.
//
// Conv: x[8x16x16x32] (post-ReLU, so zero-rich) -> y = conv3x3(x, w) with
// the three SparseTrain zero-skipping convolutions (forward, data gradient,
// filter gradient).

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 8 : dense, j floordiv 8 : compressed, i mod 8 : dense, j mod 8 : dense)}>

#map_mn = affine_map<(m, n) -> (m, n)>
#map_n = affine_map<(m, n) -> (n)>

func.func @mlp_step(%x: tensor<32x64xf32>, %w1: tensor<64x128xf32>, %b1: tensor<128xf32>,
                    %w2: tensor<128x10xf32>, %dy: tensor<32x10xf32>,
                    %seed: i64, %step: i64)
    -> (tensor<32x10xf32>, tensor<64x128xf32>, tensor<64x10xf32>, tensor<1xindex>,
        !sparse_train.retained<32x64xf32, kept = 205, bitmask>,
        memref<?xindex>, memref<?xindex>, memref<?xf32>)
    attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32

  // Forward, layer 1: z1 = x·W1 + b1, h = relu(z1).
  %e1 = tensor.empty() : tensor<32x128xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<32x128xf32>) -> tensor<32x128xf32>
  %xw = linalg.matmul ins(%x, %w1 : tensor<32x64xf32>, tensor<64x128xf32>)
                      outs(%f1 : tensor<32x128xf32>) -> tensor<32x128xf32>
  %h = linalg.generic {indexing_maps = [#map_mn, #map_n, #map_mn],
                       iterator_types = ["parallel", "parallel"]}
      ins(%xw, %b1 : tensor<32x128xf32>, tensor<128xf32>) outs(%e1 : tensor<32x128xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<32x128xf32>

  // SliceOut: keep 64 contiguous hidden units; the rows of W2 they meet.
  %start = sparse_train.slice_start %seed, %step extent = 128, width = 64, align = 8
  %hs = sparse_train.slice_drop %h, %start dim = 1, width = 64 : tensor<32x128xf32>
  %w2s = tensor.extract_slice %w2[%start, 0] [64, 10] [1, 1] : tensor<128x10xf32> to tensor<64x10xf32>

  // Forward, layer 2: y = h_s·W2_s.
  %e2 = tensor.empty() : tensor<32x10xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<32x10xf32>) -> tensor<32x10xf32>
  %y = linalg.matmul ins(%hs, %w2s : tensor<32x64xf32>, tensor<64x10xf32>)
                     outs(%f2 : tensor<32x10xf32>) -> tensor<32x10xf32>

  // Saved for the backward pass: x as its 10 % largest magnitudes, h_s as
  // its 50 % strongest 8x8 blocks.
  %x_saved = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<32x64xf32>
  %hs_saved = sparse_train.block_prune %hs block = [8, 8] score = l2
      select = global_top_k keep_ratio = 0.5 : tensor<32x64xf32> -> tensor<32x64xf32, #BSR>

  // Backward, layer 2: dW2_s = h_sᵀ·dy from the BSR copy; dh_s = dy·W2_sᵀ.
  %dw2 = sparse_train.bsr_matmul %hs_saved, %dy transpose_a
      : tensor<32x64xf32, #BSR>, tensor<32x10xf32> -> tensor<64x10xf32>
  %e3 = tensor.empty() : tensor<32x64xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %dhs = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                        affine_map<(m, n, k) -> (n, k)>,
                                        affine_map<(m, n, k) -> (m, n)>]
      ins(%dy, %w2s : tensor<32x10xf32>, tensor<64x10xf32>)
      outs(%f3 : tensor<32x64xf32>) -> tensor<32x64xf32>

  // Back through the slice (scale 2) and the ReLU.
  %dh = sparse_train.slice_expand %dhs, %start dim = 1, extent = 128 : tensor<32x64xf32>
  %two = arith.constant 2.0 : f32
  %dz1 = linalg.generic {indexing_maps = [#map_mn, #map_mn, #map_mn],
                         iterator_types = ["parallel", "parallel"]}
      ins(%dh, %h : tensor<32x128xf32>, tensor<32x128xf32>) outs(%e1 : tensor<32x128xf32>) {
  ^bb0(%g: f32, %a: f32, %o: f32):
    %pos = arith.cmpf ogt, %a, %zero : f32
    %gs = arith.mulf %g, %two : f32
    %r = arith.select %pos, %gs, %zero : f32
    linalg.yield %r : f32
  } -> tensor<32x128xf32>

  // Backward, layer 1: dW1 = x̂ᵀ·dz1 from the retained copy.
  %dw1 = sparse_train.min_k_weight_grad %x_saved, %dz1
      : !sparse_train.retained<32x64xf32, kept = 205, bitmask>, tensor<32x128xf32> -> tensor<64x128xf32>

  // The step's outputs, and the two saved copies so that the caller can
  // count the bytes they hold.
  %start_t = tensor.from_elements %start : tensor<1xindex>
  %pos = sparse_tensor.positions %hs_saved {level = 1 : index} : tensor<32x64xf32, #BSR> to memref<?xindex>
  %crd = sparse_tensor.coordinates %hs_saved {level = 1 : index} : tensor<32x64xf32, #BSR> to memref<?xindex>
  %val = sparse_tensor.values %hs_saved : tensor<32x64xf32, #BSR> to memref<?xf32>
  return %y, %dw1, %dw2, %start_t, %x_saved, %pos, %crd, %val
      : tensor<32x10xf32>, tensor<64x128xf32>, tensor<64x10xf32>, tensor<1xindex>,
        !sparse_train.retained<32x64xf32, kept = 205, bitmask>,
        memref<?xindex>, memref<?xindex>, memref<?xf32>
}

func.func @conv_step(%x: tensor<8x16x16x32xf32>, %w: tensor<3x3x32x32xf32>,
                     %dy: tensor<8x16x16x32xf32>)
    -> (tensor<8x16x16x32xf32>, tensor<8x16x16x32xf32>, tensor<3x3x32x32xf32>)
    attributes {llvm.emit_c_interface} {
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1]
      : tensor<8x16x16x32xf32>, tensor<3x3x32x32xf32>
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1]
      : tensor<8x16x16x32xf32>, tensor<3x3x32x32xf32> -> tensor<8x16x16x32xf32>
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1]
      : tensor<8x16x16x32xf32>, tensor<8x16x16x32xf32> -> tensor<3x3x32x32xf32>
  return %y, %dx, %dw : tensor<8x16x16x32xf32>, tensor<8x16x16x32xf32>, tensor<3x3x32x32xf32>
}
