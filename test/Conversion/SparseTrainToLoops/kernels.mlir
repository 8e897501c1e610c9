// The other ops become loops over buffers reached through
// bufferization.to_buffer; block_prune assembles a real BSR tensor and
// bsr_matmul reads its buffers through sparse_tensor ops.
// RUN: sparse-train-opt %s --convert-sparse-train-to-loops | FileCheck %s

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>

// CHECK-LABEL: func.func @min_k
//       CHECK: bufferization.to_buffer %{{.*}} read_only
//       CHECK: math.absf
//       CHECK: arith.cmpf uno
//       CHECK: scf.for
//       CHECK: bufferization.to_tensor {{.*}} restrict writable
func.func @min_k(%x: tensor<16xf32>) -> !sparse_train.retained<16xf32, kept = 4, indices> {
  %r = sparse_train.min_k_retain %x keep = 4 encoding = indices : tensor<16xf32>
  return %r : !sparse_train.retained<16xf32, kept = 4, indices>
}

// CHECK-LABEL: func.func @prune_and_multiply
//       CHECK: %[[P:.*]] = sparse_tensor.assemble
//       CHECK: sparse_tensor.positions %[[P]] {level = 1 : index}
//       CHECK: sparse_tensor.coordinates %[[P]] {level = 1 : index}
//       CHECK: sparse_tensor.values %[[P]]
//   CHECK-NOT: sparse_train.
func.func @prune_and_multiply(%x: tensor<4x4xf32>, %w: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %p = sparse_train.block_prune %x block = [2, 2] score = l2 select = global_top_k keep_ratio = 0.5 : tensor<4x4xf32> -> tensor<4x4xf32, #BSR>
  %y = sparse_train.bsr_matmul %p, %w : tensor<4x4xf32, #BSR>, tensor<4x3xf32> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// Zeros of the scanned operand are tested before any multiplication.
// CHECK-LABEL: func.func @conv
//       CHECK: arith.cmpf une
//       CHECK: scf.if
//       CHECK: arith.mulf
func.func @conv(%x: tensor<1x4x4x2xf32>, %w: tensor<3x3x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<1x4x4x2xf32>, tensor<3x3x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
