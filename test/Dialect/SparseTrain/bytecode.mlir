// Every op survives a bytecode round trip: text -> bytecode -> text is the
// same as text -> text.
// RUN: sparse-train-opt %s -emit-bytecode | sparse-train-opt > %t.bc.mlir
// RUN: sparse-train-opt %s > %t.txt.mlir
// RUN: diff %t.bc.mlir %t.txt.mlir
// RUN: sparse-train-opt %s -emit-bytecode | sparse-train-opt | FileCheck %s

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense), posWidth = 32, crdWidth = 32}>

// CHECK-LABEL: func.func @all_ops
func.func @all_ops(%x: tensor<4x64xf32>, %seed: i64, %step: i64, %m: tensor<8x8xf32>,
                   %w: tensor<8x4xf32>, %ci: tensor<2x8x8x16xf32>, %cw: tensor<3x3x16x32xf32>) {
  // CHECK: sparse_train.slice_start {{.*}} extent = 64, width = 32, align = 4
  %s = sparse_train.slice_start %seed, %step extent = 64, width = 32, align = 4
  // CHECK: sparse_train.slice_drop {{.*}} dim = 1, width = 32, scale = 3.000000e+00 : tensor<4x64xf32>
  %y = sparse_train.slice_drop %x, %s dim = 1, width = 32, scale = 3.0 : tensor<4x64xf32>
  // CHECK: sparse_train.slice_expand {{.*}} dim = 1, extent = 64 : tensor<4x32xf32>
  %e = sparse_train.slice_expand %y, %s dim = 1, extent = 64 : tensor<4x32xf32>
  // CHECK: sparse_train.min_k_retain {{.*}} keep_ratio = 1.000000e-01 granularity = row encoding = indices : tensor<4x64xf32>
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 granularity = row encoding = indices : tensor<4x64xf32>
  // CHECK: sparse_train.min_k_restore {{.*}} : !sparse_train.retained<4x64xf32, kept = 24, indices>
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<4x64xf32, kept = 24, indices>
  // CHECK: sparse_train.min_k_weight_grad {{.*}} -> tensor<64x64xf32>
  %g = sparse_train.min_k_weight_grad %r, %x : !sparse_train.retained<4x64xf32, kept = 24, indices>, tensor<4x64xf32> -> tensor<64x64xf32>
  // CHECK: sparse_train.block_prune {{.*}} block = [2, 2] score = max_abs select = row_top_k keep_per_row = 1
  %p = sparse_train.block_prune %m block = [2, 2] score = max_abs select = row_top_k keep_per_row = 1 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  // CHECK: sparse_train.bsr_matmul {{.*}} transpose_a
  %mm = sparse_train.bsr_matmul %p, %w transpose_a : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  // CHECK: sparse_train.conv2d_zero_skip {{.*}} padding = [1, 1, 1, 1]
  %c = sparse_train.conv2d_zero_skip %ci, %cw padding = [1, 1, 1, 1] : tensor<2x8x8x16xf32>, tensor<3x3x16x32xf32>
  // CHECK: sparse_train.conv2d_zero_skip_backward_data {{.*}} padding = [1, 1, 1, 1]
  %dx = sparse_train.conv2d_zero_skip_backward_data %c, %cw padding = [1, 1, 1, 1] : tensor<2x8x8x32xf32>, tensor<3x3x16x32xf32> -> tensor<2x8x8x16xf32>
  // CHECK: sparse_train.conv2d_zero_skip_backward_filter {{.*}} padding = [1, 1, 1, 1]
  %dw = sparse_train.conv2d_zero_skip_backward_filter %ci, %c padding = [1, 1, 1, 1] : tensor<2x8x8x16xf32>, tensor<2x8x8x32xf32> -> tensor<3x3x16x32xf32>
  return
}
