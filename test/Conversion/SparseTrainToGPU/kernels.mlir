// RUN: sparse-train-opt %s --convert-sparse-train-to-gpu -split-input-file | FileCheck %s

// slice_start: one thread draws the start (Philox's 32x32->64 products) into
// a one-element buffer that the host reads after the launch; the slices
// stay tensor slices (the reference lowering).
// CHECK-LABEL: func.func @slices(
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<1xindex>
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{[_0-9]*}}, {{.*}} = %c1{{[_0-9]*}}, {{.*}} = %c1{{[_0-9]*}}) threads({{.*}}) in ({{.*}} = %c1{{[_0-9]*}}, {{.*}} = %c1{{[_0-9]*}}, {{.*}} = %c1{{[_0-9]*}}) {
// CHECK-COUNT-20: arith.mului_extended
// CHECK: arith.muli {{.*}} : i128
// CHECK: memref.store {{.*}}, %[[BUF]]
// CHECK: gpu.terminator
// CHECK: %[[START:.*]] = memref.load %[[BUF]]
// CHECK: tensor.extract_slice %{{.*}}[0, %[[START]]] [32, 64] [1, 1]
// CHECK: tensor.insert_slice
// CHECK-NOT: sparse_train.
func.func @slices(%h: tensor<32x128xf32>, %seed: i64, %step: i64) -> (tensor<32x64xf32>, tensor<32x128xf32>) {
  %start = sparse_train.slice_start %seed, %step extent = 128, width = 64, align = 8
  %hs = sparse_train.slice_drop %h, %start dim = 1, width = 64 : tensor<32x128xf32>
  %dh = sparse_train.slice_expand %hs, %start dim = 1, extent = 128 : tensor<32x64xf32>
  return %hs, %dh : tensor<32x64xf32>, tensor<32x128xf32>
}

// -----

// min_k_retain, row granularity: one block of 256 threads per row, shared
// histogram / scan / prefix / count buffers; four 8-bit digit passes over
// 32-bit keys (histogram atomics in shared memory, thread 0 walks the
// buckets), then the compaction writes values and flat indices.
// CHECK-LABEL: func.func @retain_rows(
// CHECK-SAME: -> (tensor<8xf32>, tensor<8xi32>)
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[ROWS:[^,]*]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}}) workgroup(%[[HIST:.*]] : memref<256xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<256xindex, #gpu.address_space<workgroup>>, %{{.*}} : memref<256xindex, #gpu.address_space<workgroup>>, %{{.*}} : memref<1xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1xindex, #gpu.address_space<workgroup>>)
// CHECK-COUNT-4: memref.atomic_rmw addi %{{.*}}, %[[HIST]]
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %{{.*}} : memref<8xf32>
// CHECK: memref.store %{{.*}}, %{{.*}} : memref<8xi32>
// CHECK: gpu.terminator
// CHECK-NOT: sparse_train.
func.func @retain_rows(%x: tensor<4x40xf32>) -> !sparse_train.retained<4x40xf32, kept = 8, indices> {
  %r = sparse_train.min_k_retain %x keep = 2 granularity = row encoding = indices : tensor<4x40xf32>
  return %r : !sparse_train.retained<4x40xf32, kept = 8, indices>
}

// -----

// f64: 64-bit keys, eight digit passes; the bitmask is zeroed by a parallel
// loop first and its bits are set with an atomic OR.
// CHECK-LABEL: func.func @retain_f64(
// CHECK: scf.parallel
// CHECK: memref.store %c0_i32
// CHECK: gpu.launch
// CHECK-SAME: memref<1xi64, #gpu.address_space<workgroup>>
// CHECK-COUNT-8: memref.atomic_rmw addi
// CHECK: memref.atomic_rmw ori
func.func @retain_f64(%x: tensor<100xf64>) -> !sparse_train.retained<100xf64, kept = 10, bitmask> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<100xf64>
  return %r : !sparse_train.retained<100xf64, kept = 10, bitmask>
}

// -----

// min_k_restore: bitmask as one block scanning its threads' popcounts in
// shared memory; indices as a parallel fill and a parallel scatter.
// CHECK-LABEL: func.func @restore_bitmask(
// CHECK: gpu.launch {{.*}} workgroup(%[[OFFSETS:.*]] : memref<256xindex, #gpu.address_space<workgroup>>)
// CHECK: llvm.intr.ctpop
// CHECK: gpu.barrier
// CHECK: gpu.barrier
// CHECK-LABEL: func.func @restore_indices(
// CHECK-NOT: gpu.launch
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: memref.load
// CHECK: memref.store
func.func @restore_bitmask(%r: !sparse_train.retained<4x40xf32, kept = 16, bitmask>) -> tensor<4x40xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<4x40xf32, kept = 16, bitmask>
  return %d : tensor<4x40xf32>
}
func.func @restore_indices(%r: !sparse_train.retained<4x40xf32, kept = 16, indices>) -> tensor<4x40xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<4x40xf32, kept = 16, indices>
  return %d : tensor<4x40xf32>
}

// -----

// min_k_weight_grad: one parallel iteration per gradient element, summing in
// f32 over the kept entries only (f16 widened on load, narrowed once).
// CHECK-LABEL: func.func @weight_grad(
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = {{.*}} to (%c100, %{{.*}})
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK: scf.if %{{.*}} -> (f32)
// CHECK: arith.extf
// CHECK: arith.mulf {{.*}} : f32
// CHECK: arith.truncf {{.*}} : f32 to f16
func.func @weight_grad(%r: !sparse_train.retained<8x100xf16, kept = 80, indices>, %dy: tensor<8x50xf16>) -> tensor<100x50xf16> {
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<8x100xf16, kept = 80, indices>, tensor<8x50xf16> -> tensor<100x50xf16>
  return %g : tensor<100x50xf16>
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>

// block_prune: scores in parallel, the block top-k kernel, a one-block scan
// of the positions, the host reads the block count, coordinates and values
// in parallel, sparse_tensor.assemble.
// CHECK-LABEL: func.func @prune(
// CHECK: scf.parallel
// CHECK: math.absf
// CHECK: gpu.launch
// CHECK-COUNT-4: memref.atomic_rmw addi
// CHECK: gpu.launch
// CHECK: gpu.barrier
// CHECK: %[[NNZ:.*]] = memref.load %{{.*}}[%c4{{.*}}] : memref<5xindex>
// CHECK: memref.alloc(%[[NNZ]]) : memref<?xindex>
// CHECK: scf.parallel
// CHECK: sparse_tensor.assemble
func.func @prune(%x: tensor<8x8xf32>) -> tensor<8x8xf32, #BSR> {
  %p = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return %p : tensor<8x8xf32, #BSR>
}

// bsr_matmul S * B: one block per output panel (2 rows x 128 columns), the
// stored block and the tile of B it meets staged in shared memory, no
// atomics.
// CHECK-LABEL: func.func @matmul(
// CHECK-NOT: atomic_rmw
// CHECK: sparse_tensor.positions
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256{{.*}}) workgroup(%[[BLK:.*]] : memref<4xf32, #gpu.address_space<workgroup>>, %[[TILE:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[BLK]]
// CHECK: memref.store %{{.*}}, %[[TILE]]
// CHECK: gpu.barrier
// CHECK: arith.mulf
// CHECK: gpu.barrier
// CHECK-NOT: atomic_rmw
// CHECK: return
// S^T * B: one block per output panel of a block column of S; every block
// row is searched for a block in that column, which is staged with its tile.
// CHECK-LABEL: func.func @matmul_t(
// CHECK: gpu.launch {{.*}} workgroup(%{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.cmpi eq
// CHECK: scf.if
// CHECK: gpu.barrier
// CHECK-NOT: atomic_rmw
// CHECK: return
// With the BSR operand on the right: one block per output panel of a
// block column of S (its columns times 256 / C rows of A); every block row
// is searched for a block in that column, which is staged with the tile of
// A it meets.
// CHECK-LABEL: func.func @matmul_rhs(
// CHECK: gpu.launch {{.*}} workgroup(%{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.cmpi eq
// CHECK: scf.if
// CHECK: gpu.barrier
// CHECK: arith.mulf
// CHECK: gpu.barrier
// CHECK-NOT: scf.parallel
// CHECK-NOT: atomic_rmw
// CHECK: return
func.func @matmul(%s: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %y = sparse_train.bsr_matmul %s, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}
func.func @matmul_t(%s: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %y = sparse_train.bsr_matmul %s, %b transpose_a : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}
func.func @matmul_rhs(%a: tensor<4x8xf32>, %s: tensor<8x8xf32, #BSR>) -> tensor<4x8xf32> {
  %y = sparse_train.bsr_matmul %a, %s : tensor<4x8xf32>, tensor<8x8xf32, #BSR> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The forward convolution: warps of 32 lanes (an output position and 32
// output channels each); a ballot vote of the non-zero input channels, then
// a walk over its set bits with the value broadcast by a shuffle.
// CHECK-LABEL: func.func @conv(
// CHECK: gpu.launch
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: %[[MASK:.*]] = nvvm.vote.sync ballot %{{.*}}, %{{.*}} -> i32
// CHECK: scf.while ({{.*}} = %[[MASK]]
// CHECK: llvm.intr.cttz
// CHECK: gpu.shuffle idx
// CHECK: arith.mulf
// CHECK-NOT: atomic_rmw
// The gradients too: warps over input positions and 32 input channels
// (data gradient) or over filter positions and 32 output channels (filter
// gradient), ballot votes over the scanned operand, the set bits walked.
// CHECK-LABEL: func.func @conv_data(
// CHECK: gpu.launch
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: %[[DMASK:.*]] = nvvm.vote.sync ballot %{{.*}}, %{{.*}} -> i32
// CHECK: scf.while ({{.*}} = %[[DMASK]]
// CHECK: gpu.shuffle idx
// CHECK: arith.mulf
// CHECK-NOT: atomic_rmw
// CHECK-LABEL: func.func @conv_filter(
// CHECK: gpu.launch
// CHECK: %[[FMASK:.*]] = nvvm.vote.sync ballot %{{.*}}, %{{.*}} -> i32
// CHECK: scf.while ({{.*}} = %[[FMASK]]
// CHECK: gpu.shuffle idx
// CHECK: arith.mulf
// CHECK-NOT: atomic_rmw
func.func @conv(%x: tensor<2x6x6x4xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<2x4x4x8xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<2x6x6x4xf32>, tensor<3x3x4x8xf32>
  return %y : tensor<2x4x4x8xf32>
}
func.func @conv_data(%dy: tensor<2x4x4x8xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<2x6x6x4xf32> {
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<2x4x4x8xf32>, tensor<3x3x4x8xf32> -> tensor<2x6x6x4xf32>
  return %dx : tensor<2x6x6x4xf32>
}
func.func @conv_filter(%x: tensor<2x6x6x4xf32>, %dy: tensor<2x4x4x8xf32>) -> tensor<3x3x4x8xf32> {
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<2x6x6x4xf32>, tensor<2x4x4x8xf32> -> tensor<3x3x4x8xf32>
  return %dw : tensor<3x3x4x8xf32>
}

// -----

// f16/bf16 blocks whose sides are multiples of 16: tensor cores. One warp
// per 16 x 32 output tile, fragments loaded from the block values and from
// B, four m16n8k16 MMAs per 16-deep slice, f32 accumulators.
// CHECK-LABEL: func.func @bsr_mma(
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK-COUNT-4: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: atomic_rmw
// CHECK-LABEL: func.func @bsr_mma_bf16(
// CHECK: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>{{.*}} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// BSR on the right: 16 x 16 warp tiles, two MMAs per slice.
// CHECK-LABEL: func.func @bsr_mma_rhs(
// CHECK: gpu.launch
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
#BSR16 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 16 : dense, j floordiv 16 : compressed, i mod 16 : dense, j mod 16 : dense)}>
func.func @bsr_mma(%s: tensor<32x32xf16, #BSR16>, %b: tensor<32x40xf16>) -> tensor<32x40xf32> {
  %y = sparse_train.bsr_matmul %s, %b : tensor<32x32xf16, #BSR16>, tensor<32x40xf16> -> tensor<32x40xf32>
  return %y : tensor<32x40xf32>
}
func.func @bsr_mma_bf16(%s: tensor<32x32xbf16, #BSR16>, %b: tensor<40x32xbf16>) -> tensor<32x40xf32> {
  %y = sparse_train.bsr_matmul %s, %b transpose_a transpose_b : tensor<32x32xbf16, #BSR16>, tensor<40x32xbf16> -> tensor<32x40xf32>
  return %y : tensor<32x40xf32>
}
func.func @bsr_mma_rhs(%a: tensor<40x32xf16>, %s: tensor<32x32xf16, #BSR16>) -> tensor<40x32xf32> {
  %y = sparse_train.bsr_matmul %a, %s : tensor<40x32xf16>, tensor<32x32xf16, #BSR16> -> tensor<40x32xf32>
  return %y : tensor<40x32xf32>
}
