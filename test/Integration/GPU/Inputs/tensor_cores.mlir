// bsr_matmul with f16 and bf16 blocks of 16 x 16: the tensor-core kernels
// (mma.sync m16n8k16, f32 accumulators), S * B, S^T * B^T and A * S.
#BSR16 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 16 : dense, j floordiv 16 : compressed, i mod 16 : dense, j mod 16 : dense)}>
func.func @mma(%x: tensor<32x48xf16>, %b: tensor<48x40xf16>) -> tensor<32x40xf32> {
  %p = sparse_train.block_prune %x block = [16, 16] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<32x48xf16> -> tensor<32x48xf16, #BSR16>
  %y = sparse_train.bsr_matmul %p, %b : tensor<32x48xf16, #BSR16>, tensor<48x40xf16> -> tensor<32x40xf32>
  return %y : tensor<32x40xf32>
}
func.func @mma_t(%x: tensor<32x48xbf16>, %b: tensor<40x32xbf16>) -> tensor<48x40xf32> {
  %p = sparse_train.block_prune %x block = [16, 16] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<32x48xbf16> -> tensor<32x48xbf16, #BSR16>
  %y = sparse_train.bsr_matmul %p, %b transpose_a transpose_b : tensor<32x48xbf16, #BSR16>, tensor<40x32xbf16> -> tensor<48x40xf32>
  return %y : tensor<48x40xf32>
}
func.func @mma_rhs(%a: tensor<40x48xf16>, %x: tensor<48x32xf16>) -> tensor<40x32xf32> {
  %p = sparse_train.block_prune %x block = [16, 16] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<48x32xf16> -> tensor<48x32xf16, #BSR16>
  %y = sparse_train.bsr_matmul %a, %p : tensor<40x48xf16>, tensor<48x32xf16, #BSR16> -> tensor<40x32xf32>
  return %y : tensor<40x32xf32>
}
