// block_prune with every score and selection, and bsr_matmul in its four
// forms, in the forms their GPU kernels cover.
#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 8 : dense, j floordiv 8 : compressed, i mod 8 : dense, j mod 8 : dense)}>
#BSR32 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 4 : dense, j floordiv 4 : compressed, i mod 4 : dense, j mod 4 : dense), posWidth = 32, crdWidth = 32}>
func.func @prune_global(%x: tensor<64x64xf32>) -> tensor<64x64xf32, #BSR> {
  %p = sparse_train.block_prune %x block = [8, 8] score = l2 select = global_top_k keep_ratio = 0.5 : tensor<64x64xf32> -> tensor<64x64xf32, #BSR>
  return %p : tensor<64x64xf32, #BSR>
}
func.func @prune_rows(%x: tensor<32x64xf32>) -> tensor<32x64xf32, #BSR32> {
  %p = sparse_train.block_prune %x block = [4, 4] score = l1 select = row_top_k keep_per_row = 3 : tensor<32x64xf32> -> tensor<32x64xf32, #BSR32>
  return %p : tensor<32x64xf32, #BSR32>
}
func.func @prune_threshold(%x: tensor<64x64xf32>) -> tensor<64x64xf32, #BSR> {
  %p = sparse_train.block_prune %x block = [8, 8] score = l2 select = threshold threshold = 2.5 : tensor<64x64xf32> -> tensor<64x64xf32, #BSR>
  return %p : tensor<64x64xf32, #BSR>
}
func.func @prune_max_abs(%x: tensor<64x64xf32>) -> tensor<64x64xf32, #BSR> {
  %p = sparse_train.block_prune %x block = [8, 8] score = max_abs select = global_top_k keep_ratio = 0.25 : tensor<64x64xf32> -> tensor<64x64xf32, #BSR>
  return %p : tensor<64x64xf32, #BSR>
}
func.func @matmul_forms(%s: tensor<64x64xf32, #BSR>, %b: tensor<64x32xf32>, %bt: tensor<32x64xf32>)
    -> (tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<32x64xf32>) {
  %y = sparse_train.bsr_matmul %s, %b : tensor<64x64xf32, #BSR>, tensor<64x32xf32> -> tensor<64x32xf32>
  %g = sparse_train.bsr_matmul %s, %b transpose_a : tensor<64x64xf32, #BSR>, tensor<64x32xf32> -> tensor<64x32xf32>
  %h = sparse_train.bsr_matmul %bt, %s : tensor<32x64xf32>, tensor<64x64xf32, #BSR> -> tensor<32x64xf32>
  %t = sparse_train.bsr_matmul %bt, %s transpose_b : tensor<32x64xf32>, tensor<64x64xf32, #BSR> -> tensor<32x64xf32>
  return %y, %g, %h, %t : tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<32x64xf32>
}
