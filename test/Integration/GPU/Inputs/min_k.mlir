// The DropIT ops in the forms their GPU kernels cover: min_k_retain with
// both encodings, both granularities, 32-bit (f32, f16) and 64-bit (f64)
// keys; min_k_restore of both encodings; min_k_weight_grad (linear form) of
// both encodings and in f16.
func.func @retain_bitmask(%x: tensor<32x64xf32>) -> !sparse_train.retained<32x64xf32, kept = 205, bitmask> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<32x64xf32>
  return %r : !sparse_train.retained<32x64xf32, kept = 205, bitmask>
}
func.func @retain_rows_indices(%x: tensor<8x100xf32>) -> !sparse_train.retained<8x100xf32, kept = 80, indices> {
  %r = sparse_train.min_k_retain %x keep = 10 granularity = row encoding = indices : tensor<8x100xf32>
  return %r : !sparse_train.retained<8x100xf32, kept = 80, indices>
}
func.func @retain_f64(%x: tensor<1000xf64>) -> !sparse_train.retained<1000xf64, kept = 100, bitmask> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<1000xf64>
  return %r : !sparse_train.retained<1000xf64, kept = 100, bitmask>
}
func.func @retain_f16(%x: tensor<16x16xf16>) -> !sparse_train.retained<16x16xf16, kept = 26, bitmask> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<16x16xf16>
  return %r : !sparse_train.retained<16x16xf16, kept = 26, bitmask>
}
func.func @restore_bitmask(%r: !sparse_train.retained<32x64xf32, kept = 205, bitmask>) -> tensor<32x64xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<32x64xf32, kept = 205, bitmask>
  return %d : tensor<32x64xf32>
}
func.func @restore_indices(%r: !sparse_train.retained<8x100xf32, kept = 80, indices>) -> tensor<8x100xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<8x100xf32, kept = 80, indices>
  return %d : tensor<8x100xf32>
}
func.func @weight_grad_bitmask(%r: !sparse_train.retained<32x64xf32, kept = 205, bitmask>, %dy: tensor<32x128xf32>) -> tensor<64x128xf32> {
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<32x64xf32, kept = 205, bitmask>, tensor<32x128xf32> -> tensor<64x128xf32>
  return %g : tensor<64x128xf32>
}
func.func @weight_grad_indices_f16(%r: !sparse_train.retained<8x100xf16, kept = 80, indices>, %dy: tensor<8x50xf16>) -> tensor<100x50xf16> {
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<8x100xf16, kept = 80, indices>, tensor<8x50xf16> -> tensor<100x50xf16>
  return %g : tensor<100x50xf16>
}
