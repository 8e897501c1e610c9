// convert-sparse-train-to-cpu runs bsr_matmul with a BSR left operand, in
// all four transpose forms, as a vector kernel: op(B) packed into 64-byte
// aligned panels (B read row by row, in parallel over its rows; masked
// loads only in the chunk past the last whole one), a parallel loop over
// output block rows, a register tile of rows x 6 vectors updated by vector
// FMAs, stored with streaming stores when the tile is whole and written
// once (one contraction slice, rows a multiple of a vector long), with
// masked stores otherwise. The product runs over blocks of output columns
// whose panels are packed right before they are applied (a slice's panels
// of one block within panel-cache-kib, 1 MiB by default, 0 for one block);
// without transpose_b, B is read in place, unpacked, when its contraction
// blocks have at most in-place-uses stored blocks each on average (0 by
// default: always packed, no in-place loops). The micro-kernel prefetches
// the stored block two entries ahead where it contracts fewer than 32
// elements of a block (its columns, or its rows with transpose_a).
// Other element types keep the reference loops.
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu | FileCheck %s
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="in-place-uses=4" | FileCheck %s --check-prefix=IN-PLACE
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=256" | FileCheck %s --check-prefix=AVX2
// RUN: not sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=100" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not sparse-train-opt %s --convert-sparse-train-to-cpu="panel-depth=0" 2>&1 | FileCheck %s --check-prefix=DEPTH
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="panel-cache-kib=0" | FileCheck %s --check-prefix=ONE-BLOCK
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="in-place-uses=7" | FileCheck %s --check-prefix=USES7
// RUN: sparse-train-opt %s --sparse-train-to-cpu="in-place-uses=7" | FileCheck %s --check-prefix=PIPELINE
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=96" | FileCheck %s --check-prefix=LANES3

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 4 : dense, j floordiv 4 : compressed, i mod 4 : dense, j mod 4 : dense)}>

// CHECK-LABEL: func.func @forward
//       CHECK: %[[BYTES:.*]] = arith.constant 1048576 : index
//       CHECK: arith.divui %[[BYTES]]
// The parallel loop runs over parts of the output block rows of about equal
// work (two per stored block, one per row), their bounds found by bisection.
//       CHECK: %[[PARTS:.*]] = memref.alloc() : memref<3xindex>
//       CHECK: scf.for %[[PART:.*]] = %{{.*}} to %c3
//       CHECK: %[[FOUND:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %c2{{(_[0-9]+)?}} step %{{.*}} iter_args
//       CHECK: memref.store %[[FOUND]]#0, %[[PARTS]][%[[PART]]] : memref<3xindex>
// B is packed (no in-place copy of the loops, no run-time test).
//   CHECK-NOT: scf.if
//   CHECK-NOT: memref<8x?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//       CHECK: %[[PANELS:.*]] = memref.alloc(%[[WIDTH:.*]]) {alignment = 64 : i64} : memref<?x8x96xf32>
//       CHECK: scf.for %[[CB:.*]] = %{{.*}} to %{{.*}} step
//       CHECK: %[[BEGIN:.*]] = arith.muli %[[CB]], %[[WIDTH]] : index
//       CHECK: %[[END:.*]] = arith.minui %{{.*}}, %{{.*}} : index
//       CHECK: scf.parallel (%[[KK:.*]]) = (%{{.*}}) to (%c8{{(_[0-9]+)?}})
//       CHECK: %[[AHEAD:.*]] = arith.minui %{{.*}}, %c7{{(_[0-9]+)?}} : index
//       CHECK: scf.for %[[JC:.*]] = %[[BEGIN]] to %{{.*}} step
//       CHECK: %[[SLOT:.*]] = arith.subi %[[JC]], %[[BEGIN]] : index
//       CHECK: memref.prefetch %{{.*}}[%[[AHEAD]], %{{.*}}], read, locality<3>, data : memref<8x?xf32>
//       CHECK: vector.load %{{.*}}[%[[KK]], %{{.*}}] : memref<8x?xf32>, vector<16xf32>
//       CHECK: vector.store %{{.*}}, %[[PANELS]][%[[SLOT]], %[[KK]], %{{.*}}] : memref<?x8x96xf32>
//       CHECK: scf.for %[[JT:.*]] = %{{.*}} to %[[END]] step
//       CHECK: %[[TSLOT:.*]] = arith.subi %[[JT]], %[[BEGIN]] : index
//       CHECK: vector.maskedload %{{.*}}[%[[KK]], %{{.*}}], %{{.*}} : memref<8x?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//       CHECK: vector.store %{{.*}}, %[[PANELS]][%[[TSLOT]], %[[KK]], %{{.*}}] : memref<?x8x96xf32>
//       CHECK: scf.parallel
//       CHECK: scf.for %{{.*}} = %[[BEGIN]] to %[[END]]
// Blocks of 4 columns: each update prefetches a line of the block two
// entries ahead (clamped to the last entry).
//       CHECK: %[[QAHEAD:.*]] = arith.minui %{{.*}}, %{{.*}} : index
//       CHECK: %[[BASE:.*]] = arith.muli %[[QAHEAD]], %c16{{(_[0-9]+)?}} : index
//       CHECK: scf.for
//       CHECK: %[[AT:.*]] = arith.addi %[[BASE]], %{{.*}} : index
//       CHECK: memref.prefetch %{{.*}}[%[[AT]]], read, locality<3>, data : memref<?xf32>
//       CHECK: vector.load %{{.*}} : memref<?x8x96xf32>, vector<16xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: scf.if
//  CHECK-COUNT-24: vector.store %{{.*}} {alignment = 64 : i64, nontemporal = true} : memref<8x?xf32>, vector<16xf32>
//       CHECK: } else {
//  CHECK-COUNT-24: vector.maskedstore
// At most 4 stored blocks per contraction block (4 x 2 blocks): B in place,
// no panels; otherwise packed.
// IN-PLACE-LABEL: func.func @forward
//       IN-PLACE: %[[PARTS:.*]] = memref.alloc() : memref<3xindex>
//       IN-PLACE: %[[FEW:.*]] = arith.cmpi ule, %{{.*}}, %c8{{(_[0-9]+)?}} : index
//       IN-PLACE: scf.if %[[FEW]] {
//   IN-PLACE-NOT: memref<?x8x96xf32>
//       IN-PLACE: scf.parallel (%[[P:.*]]) =
//       IN-PLACE: %[[NEXT:.*]] = arith.addi %[[P]], %c1
//       IN-PLACE: %[[PEND:.*]] = memref.load %[[PARTS]][%[[NEXT]]] : memref<3xindex>
//       IN-PLACE: %[[PBEGIN:.*]] = memref.load %[[PARTS]][%[[P]]] : memref<3xindex>
//       IN-PLACE: scf.for %{{.*}} = %[[PBEGIN]] to %[[PEND]]
//   IN-PLACE-NOT: memref<?x8x96xf32>
//       IN-PLACE: vector.maskedload %{{.*}} : memref<8x?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//   IN-PLACE-NOT: memref<?x8x96xf32>
//  IN-PLACE-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//   IN-PLACE-NOT: memref<?x8x96xf32>
//       IN-PLACE: } else {
//       IN-PLACE: memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x8x96xf32>
//       IN-PLACE: scf.parallel
//       IN-PLACE: vector.load %{{.*}} : memref<?x8x96xf32>, vector<16xf32>
//  IN-PLACE-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
// USES7-LABEL: func.func @forward
//       USES7: arith.cmpi ule, %{{.*}}, %c14{{(_[0-9]+)?}} : index
// The pipeline passes the option on.
// PIPELINE-LABEL: llvm.func @forward
//       PIPELINE: %[[C14:.*]] = llvm.mlir.constant(14 : index) : i64
//       PIPELINE: llvm.icmp "ule" %{{.*}}, %[[C14]] : i64
// ONE-BLOCK-LABEL: func.func @forward
//   ONE-BLOCK-NOT: arith.constant 1048576
//       ONE-BLOCK: scf.for %{{.*}} = %{{.*}} to %c1{{(_[0-9]+)?}} step
//       ONE-BLOCK: scf.parallel
// AVX2-LABEL: func.func @forward
//       AVX2: memref<?x8x48xf32>
//  AVX2-COUNT-12: vector.fma %{{.*}} : vector<8xf32>
// BAD: error: convert-sparse-train-to-cpu: vector-bits must be a multiple of 32 in [64, 2048], got 100
// DEPTH: error: convert-sparse-train-to-cpu: panel-depth must be positive
func.func @forward(%x: tensor<8x8xf32, #BSR>, %w: tensor<8x?xf32>) -> tensor<8x?xf32> {
  %y = sparse_train.bsr_matmul %x, %w : tensor<8x8xf32, #BSR>, tensor<8x?xf32> -> tensor<8x?xf32>
  return %y : tensor<8x?xf32>
}

// The weight-gradient form: the stored blocks are regrouped by block column
// (a counting sort) and copied in that order, each transposed (in parallel
// over the entries: element (i, j) of a 4 x 4 block goes to j * 4 + i), then
// the same kernel runs on the copy, prefetching ahead.
// CHECK-LABEL: func.func @transpose_a
//       CHECK: %[[ENTRY:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
//       CHECK: %[[COPY:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?xf32>
//       CHECK: scf.parallel (%[[Q:.*]]) =
//       CHECK: memref.load %[[ENTRY]][%[[Q]]] : memref<?xindex>
//       CHECK: %[[TO:.*]] = arith.muli %[[Q]], %c16{{(_[0-9]+)?}} : index
//       CHECK: scf.for %[[I:.*]] =
//       CHECK: %[[COLUMN:.*]] = arith.addi %[[TO]], %[[I]] : index
//       CHECK: scf.for %[[J:.*]] =
//       CHECK: %[[J4:.*]] = arith.muli %[[J]], %c4{{(_[0-9]+)?}} : index
//       CHECK: %[[AT:.*]] = arith.addi %[[COLUMN]], %[[J4]] : index
//       CHECK: %[[V:.*]] = memref.load %{{.*}} : memref<?xf32>
//       CHECK: memref.store %[[V]], %[[COPY]][%[[AT]]] : memref<?xf32>
//       CHECK: scf.parallel
//       CHECK: memref.prefetch %[[COPY]][%{{.*}}], read, locality<3>, data : memref<?xf32>
//       CHECK: memref.load %[[COPY]]
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: return
func.func @transpose_a(%x: tensor<8x8xf32, #BSR>, %dy: tensor<8x3xf32>) -> tensor<8x3xf32> {
  %g = sparse_train.bsr_matmul %x, %dy transpose_a : tensor<8x8xf32, #BSR>, tensor<8x3xf32> -> tensor<8x3xf32>
  return %g : tensor<8x3xf32>
}

// With transpose_b the panels are filled from columns of B.
// CHECK-LABEL: func.func @transpose_b
//       CHECK: memref.load %{{.*}} : memref<5x8xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: return
func.func @transpose_b(%x: tensor<8x8xf32, #BSR>, %w: tensor<5x8xf32>) -> tensor<8x5xf32> {
  %y = sparse_train.bsr_matmul %x, %w transpose_b : tensor<8x8xf32, #BSR>, tensor<5x8xf32> -> tensor<8x5xf32>
  return %y : tensor<8x5xf32>
}

// CHECK-LABEL: func.func @negative_f64
//   CHECK-NOT: vector.fma
//       CHECK: return
func.func @negative_f64(%x: tensor<8x8xf64, #BSR>, %w: tensor<8x3xf64>) -> tensor<8x3xf64> {
  %y = sparse_train.bsr_matmul %x, %w : tensor<8x8xf64, #BSR>, tensor<8x3xf64> -> tensor<8x3xf64>
  return %y : tensor<8x3xf64>
}

// A BSR right operand keeps the reference loops.
// CHECK-LABEL: func.func @negative_rhs_sparse
//   CHECK-NOT: vector.fma
//       CHECK: return
func.func @negative_rhs_sparse(%a: tensor<3x8xf32>, %x: tensor<8x8xf32, #BSR>) -> tensor<3x8xf32> {
  %y = sparse_train.bsr_matmul %a, %x : tensor<3x8xf32>, tensor<8x8xf32, #BSR> -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}

// Blocks 32 columns wide are read row by row and not prefetched (the panels
// still are, while packed); nor are blocks 32 rows high in the weight
// gradient, which reads their transposed copies row by row.
#BSR32 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 32 : dense, j floordiv 32 : compressed, i mod 32 : dense, j mod 32 : dense)}>
// CHECK-LABEL: func.func @wide_blocks
//   CHECK-NOT: memref.prefetch %{{.*}} : memref<?xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//   CHECK-NOT: memref.prefetch %{{.*}} : memref<?xf32>
//       CHECK: return
func.func @wide_blocks(%x: tensor<64x64xf32, #BSR32>, %w: tensor<64x?xf32>) -> tensor<64x?xf32> {
  %y = sparse_train.bsr_matmul %x, %w : tensor<64x64xf32, #BSR32>, tensor<64x?xf32> -> tensor<64x?xf32>
  return %y : tensor<64x?xf32>
}

#BSR32x4 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 32 : dense, j floordiv 4 : compressed, i mod 32 : dense, j mod 4 : dense)}>
// CHECK-LABEL: func.func @tall_blocks_transpose_a
//   CHECK-NOT: memref.prefetch %{{.*}} : memref<?xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//   CHECK-NOT: memref.prefetch %{{.*}} : memref<?xf32>
//       CHECK: return
func.func @tall_blocks_transpose_a(%x: tensor<64x64xf32, #BSR32x4>, %dy: tensor<64x?xf32>) -> tensor<64x?xf32> {
  %g = sparse_train.bsr_matmul %x, %dy transpose_a : tensor<64x64xf32, #BSR32x4>, tensor<64x?xf32> -> tensor<64x?xf32>
  return %g : tensor<64x?xf32>
}

// Blocks whose sides are multiples of a vector are copied transposed in
// square tiles of one vector per side: loaded row by row, transposed in
// registers by log2(lanes) rounds of two-input shuffles (the first round
// swaps the halves of rows 0 and 8), stored row by row of the copy.
// CHECK-LABEL: func.func @square_blocks_transpose_a
//       CHECK: scf.parallel
//       CHECK: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c16{{(_[0-9]+)?}}
//       CHECK: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c16{{(_[0-9]+)?}}
//  CHECK-COUNT-16: vector.load %{{.*}} : memref<?xf32>, vector<16xf32>
//       CHECK: vector.shuffle %[[ROW0:.*]], %[[ROW8:.*]] [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
//       CHECK: vector.shuffle %[[ROW0]], %[[ROW8]] [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]
//  CHECK-COUNT-62: vector.shuffle
//   CHECK-NOT: vector.shuffle
//  CHECK-COUNT-16: vector.store %{{.*}} : memref<?xf32>, vector<16xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: return
// AVX2-LABEL: func.func @square_blocks_transpose_a
//  AVX2-COUNT-8: vector.load %{{.*}} : memref<?xf32>, vector<8xf32>
//  AVX2-COUNT-24: vector.shuffle %{{.*}} : vector<8xf32>, vector<8xf32>
//   AVX2-NOT: vector.shuffle
//  AVX2-COUNT-8: vector.store %{{.*}} : memref<?xf32>, vector<8xf32>
func.func @square_blocks_transpose_a(%x: tensor<64x64xf32, #BSR32>, %dy: tensor<64x?xf32>) -> tensor<64x?xf32> {
  %g = sparse_train.bsr_matmul %x, %dy transpose_a : tensor<64x64xf32, #BSR32>, tensor<64x?xf32> -> tensor<64x?xf32>
  return %g : tensor<64x?xf32>
}

// With transpose_b and a contraction of whole vectors, the panels are
// filled by square tiles: a vector of each of `lanes` rows of B (panel
// columns; rows past the last are zeros), transposed in registers, stored
// as panel rows.
// CHECK-LABEL: func.func @wide_transpose_b
//       CHECK: scf.parallel
//       CHECK: scf.for %{{.*}} = %{{.*}} to %c64{{(_[0-9]+)?}} step %c16{{(_[0-9]+)?}}
//  CHECK-COUNT-16: vector.load %{{.*}} : memref<?x64xf32>, vector<16xf32>
//  CHECK-COUNT-64: vector.shuffle
//   CHECK-NOT: vector.shuffle
//  CHECK-COUNT-16: vector.store %{{.*}} : memref<?x64x96xf32>, vector<16xf32>
//       CHECK: scf.for %{{.*}} = %c64{{(_[0-9]+)?}} to %c64
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: return
// AVX2-LABEL: func.func @wide_transpose_b
//  AVX2-COUNT-8: vector.load %{{.*}} : memref<?x64xf32>, vector<8xf32>
//  AVX2-COUNT-24: vector.shuffle %{{.*}} : vector<8xf32>, vector<8xf32>
//  AVX2-COUNT-8: vector.store %{{.*}} : memref<?x64x48xf32>, vector<8xf32>
func.func @wide_transpose_b(%x: tensor<64x64xf32, #BSR32>, %w: tensor<?x64xf32>) -> tensor<64x?xf32> {
  %y = sparse_train.bsr_matmul %x, %w transpose_b : tensor<64x64xf32, #BSR32>, tensor<?x64xf32> -> tensor<64x?xf32>
  return %y : tensor<64x?xf32>
}

#BSR6 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 6 : dense, j floordiv 6 : compressed, i mod 6 : dense, j mod 6 : dense)}>

// Vectors of a lane count that is not a power of two (vector-bits = 96)
// copy and pack element by element: no in-register transposes.
// LANES3-LABEL: func.func @three_lane_blocks
//   LANES3-NOT: vector.shuffle
//       LANES3: vector.fma %{{.*}} : vector<3xf32>
//   LANES3-NOT: vector.shuffle
//       LANES3: return
func.func @three_lane_blocks(%x: tensor<12x12xf32, #BSR6>, %dy: tensor<12x?xf32>, %w: tensor<?x12xf32>) -> (tensor<12x?xf32>, tensor<12x?xf32>) {
  %g = sparse_train.bsr_matmul %x, %dy transpose_a : tensor<12x12xf32, #BSR6>, tensor<12x?xf32> -> tensor<12x?xf32>
  %y = sparse_train.bsr_matmul %x, %w transpose_b : tensor<12x12xf32, #BSR6>, tensor<?x12xf32> -> tensor<12x?xf32>
  return %g, %y : tensor<12x?xf32>, tensor<12x?xf32>
}
