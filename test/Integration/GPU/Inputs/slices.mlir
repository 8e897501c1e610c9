// SliceOut: the start drawn on the device, the slice and its expansion.
func.func @slices(%h: tensor<32x128xf32>, %seed: i64, %step: i64) -> (tensor<32x64xf32>, tensor<32x128xf32>, index) {
  %start = sparse_train.slice_start %seed, %step extent = 128, width = 64, align = 8
  %hs = sparse_train.slice_drop %h, %start dim = 1, width = 64 : tensor<32x128xf32>
  %dh = sparse_train.slice_expand %hs, %start dim = 1, extent = 128 : tensor<32x64xf32>
  return %hs, %dh, %start : tensor<32x64xf32>, tensor<32x128xf32>, index
}
