// convert-sparse-train-to-cpu scores the blocks of an f32 block_prune with
// vector loads (masked when the block width is not a multiple of the vector
// length) and one reassociating reduction per block (a shuffle tree, not a
// serial chain of adds), and orders the scores by i32 keys; the rows of a
// block row are read whole, one after the other, with one vector
// accumulator per block in a buffer. The scores and the compaction of the
// kept blocks run in parallel over block rows (scf.parallel), the
// compaction of each row from its own position. Other element types keep
// the scalar reference scores.
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu | FileCheck %s

#BSR16 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 16 : dense, j floordiv 16 : compressed, i mod 16 : dense, j mod 16 : dense)}>
#BSR6 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 6 : compressed, i mod 2 : dense, j mod 6 : dense)}>

// CHECK-LABEL: func.func @l2
//       CHECK: %[[ACC:.*]] = memref.alloc() : memref<128xf32>
//       CHECK: scf.parallel (%[[BR:.*]]) = (%{{.*}}) to (%c2{{.*}}) step
//       CHECK: scf.for %[[BC0:.*]] = %{{.*}} to %c4{{.*}} step
//       CHECK: vector.store %{{.*}}, %[[ACC]]
//       CHECK: scf.for %[[RR:.*]] = %{{.*}} to %c16{{.*}} step
//       CHECK: scf.for %[[BC:.*]] = %{{.*}} to %c4{{.*}} step
//       CHECK: %[[SUM:.*]] = vector.load %[[ACC]]
//       CHECK: vector.load %{{.*}} : memref<32x64xf32>, vector<16xf32>
//       CHECK: arith.mulf %{{.*}} : vector<16xf32>
//       CHECK: vector.store %{{.*}}, %[[ACC]]
//       CHECK: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step
//       CHECK: vector.load %[[ACC]]
//       CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
//       CHECK: math.sqrt
//       CHECK: arith.bitcast %{{.*}} : f32 to i32
//       CHECK: memref.store %{{.*}} : memref<8xi32>
// The kept blocks, each block row from positions[row].
//       CHECK: scf.parallel (%[[ROW:.*]]) = (%{{.*}}) to (%c2{{.*}}) step
//       CHECK: %[[FIRST:.*]] = memref.load %{{.*}}[%[[ROW]]] : memref<3xindex>
//       CHECK: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[FIRST]]) -> (index)
func.func @l2(%x: tensor<32x64xf32>) -> tensor<32x64xf32, #BSR16> {
  %p = sparse_train.block_prune %x block = [16, 16] score = l2 select = global_top_k keep_ratio = 0.5 : tensor<32x64xf32> -> tensor<32x64xf32, #BSR16>
  return %p : tensor<32x64xf32, #BSR16>
}

// A 6-wide block: one masked load of 8 lanes per row.
// CHECK-LABEL: func.func @max_abs_narrow
//       CHECK: vector.maskedload %{{.*}} : memref<4x12xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
//       CHECK: vector.reduction <maximumf>
func.func @max_abs_narrow(%x: tensor<4x12xf32>) -> tensor<4x12xf32, #BSR6> {
  %p = sparse_train.block_prune %x block = [2, 6] score = max_abs select = row_top_k keep_per_row = 1 : tensor<4x12xf32> -> tensor<4x12xf32, #BSR6>
  return %p : tensor<4x12xf32, #BSR6>
}

// CHECK-LABEL: func.func @negative_f64
//   CHECK-NOT: vector.reduction
//       CHECK: return
func.func @negative_f64(%x: tensor<32x64xf64>) -> tensor<32x64xf64, #BSR16> {
  %p = sparse_train.block_prune %x block = [16, 16] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<32x64xf64> -> tensor<32x64xf64, #BSR16>
  return %p : tensor<32x64xf64, #BSR16>
}
