// Dynamic sizes where the contract allows them: everything but the sliced
// dimension of the slice ops and the shape of block_prune (which must be
// static so that block divisibility is checked at compile time).
// RUN: sparse-train-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @dynamic_allowed
//       CHECK: sparse_train.slice_drop %{{.*}} : tensor<?x?x16xf32>
//       CHECK: sparse_train.slice_expand %{{.*}} : tensor<?x?x8xf32>
//       CHECK: sparse_train.min_k_retain %{{.*}} : tensor<?x?x16xf32>
//       CHECK: sparse_train.min_k_weight_grad {{.*}} -> tensor<16x?xf32>
//       CHECK: sparse_train.conv2d_zero_skip_backward_data {{.*}} -> tensor<?x?x?x3xf32>
//       CHECK: sparse_train.conv2d_zero_skip_backward_filter {{.*}} -> tensor<3x3x3x?xf32>
func.func @dynamic_allowed(%x: tensor<?x?x16xf32>, %s: index, %dy: tensor<?x?xf32>,
                           %cdy: tensor<?x?x?x4xf32>, %cw: tensor<3x3x3x4xf32>,
                           %cx: tensor<?x?x?x3xf32>, %cdy2: tensor<?x?x?x?xf32>) {
  %0 = sparse_train.slice_drop %x, %s dim = 2, width = 8 : tensor<?x?x16xf32>
  %1 = sparse_train.slice_expand %0, %s dim = 2, extent = 16 : tensor<?x?x8xf32>
  %2 = sparse_train.min_k_retain %x keep_ratio = 0.25 : tensor<?x?x16xf32>
  %3 = sparse_train.min_k_weight_grad %2, %dy : !sparse_train.retained<?x?x16xf32, kept = ?, bitmask>, tensor<?x?xf32> -> tensor<16x?xf32>
  %4 = sparse_train.conv2d_zero_skip_backward_data %cdy, %cw : tensor<?x?x?x4xf32>, tensor<3x3x3x4xf32> -> tensor<?x?x?x3xf32>
  %5 = sparse_train.conv2d_zero_skip_backward_filter %cx, %cdy2 : tensor<?x?x?x3xf32>, tensor<?x?x?x?xf32> -> tensor<3x3x3x?xf32>
  return
}

// -----

func.func @negative_dynamic_sliced_dim(%x: tensor<4x?xf32>, %s: index) {
  // expected-error @+1 {{expects dimension 1 of the input to be static}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 2 : tensor<4x?xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @negative_dynamic_block_prune(%x: tensor<8x?xf32>) {
  // expected-error @+1 {{expects a static input shape, got 'tensor<8x?xf32>'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x?xf32> -> tensor<8x8xf32, #BSR>
  return
}
