// convert-sparse-train-to-cpu runs min_k_retain on f32 as a vector kernel:
// i32 magnitude keys (NaN clamped to one key above +Inf), a vector pass
// that compress-stores the candidate keys, and a vector compaction pass
// that compress-stores the kept values (and the indices, or ORs the mask
// bits into the bitmask), or for a bitmask keeping at most a fifth, one
// pass over x and a fix-up of what it stored; every streaming pass
// prefetches its input 8 KiB ahead. The passes over x run in
// parallel over chunks (scf.parallel), each chunk writing its own slots
// (memref.subview) from an output position a sequential loop over the
// chunks computes. Compress-stores are vector.compressstore, or with
// x86-compress and 16 lanes an AVX-512 register compress and a masked
// store of the leading popcount lanes (the memory form is microcode on AMD
// Zen 4/5). min_k_restore: expanding loads in parallel over chunks; the
// linear min_k_weight_grad: restore + linalg.matmul. Other element types,
// rows shorter than 65536, and rows whose bitmask words would straddle two
// rows keep the reference loops.
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu | FileCheck %s
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=256" | FileCheck %s --check-prefix=AVX2
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="x86-compress=true" | FileCheck %s --check-prefix=X86
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="x86-compress=true vector-bits=256" | FileCheck %s --check-prefix=AVX2

// CHECK-LABEL: func.func @bitmask
// K <= n / 5: one pass stores every value above the bracket into scratch
// (and its mask bits), and the candidates' indices; the candidates' keys
// come from the scratch values, and the fix-up compacts them into the
// result.
//       CHECK: memref.alloc(%{{.*}}) : memref<?xi32>
//       CHECK: %[[CANDIDATES:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
//       CHECK: %[[SCRATCH:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// The strided sample, in parallel.
//       CHECK: scf.parallel
//       CHECK: vector.load %{{.*}} : memref<250xf32>, vector<16xf32>
// Gathering, in parallel over chunks, each into its own slots.
//       CHECK: scf.parallel
//       CHECK: memref.subview %[[CANDIDATES]]
//       CHECK: %[[CHUNK_SCRATCH:.*]] = memref.subview %[[SCRATCH]]
// Each vector of x prefetches the line 8 KiB (2048 floats) ahead, clamped
// to the last element.
//       CHECK: %[[LAST:.*]] = arith.subi %{{.*}}, %c1{{(_[0-9]+)?}} : index
//       CHECK: scf.for %[[J:.*]] = %{{.*}} iter_args
//       CHECK: %[[AT:.*]] = arith.addi %{{.*}}, %[[J]] : index
//       CHECK: %[[AHEAD:.*]] = arith.addi %[[AT]], %c2048{{(_[0-9]+)?}} : index
//       CHECK: %[[CLAMPED:.*]] = arith.minui %[[AHEAD]], %[[LAST]] : index
//       CHECK: memref.prefetch %[[X:.*]][%[[CLAMPED]]], read, locality<3>, data : memref<250xf32>
//       CHECK: vector.load %[[X]][%[[AT]]] : memref<250xf32>, vector<16xf32>
//       CHECK: arith.constant dense<2139095041> : vector<16xi32>
//       CHECK: arith.minui %{{.*}} : vector<16xi32>
//       CHECK: vector.compressstore %[[CHUNK_SCRATCH]][%{{.*}}], %{{.*}}, %{{.*}} : memref<?xf32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xf32>
//       CHECK: vector.bitcast %{{.*}} : vector<16xi1> to vector<1xi16>
//       CHECK: vector.compressstore %{{.*}} : memref<?xi32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xi32>
//       CHECK: vector.load %[[CHUNK_SCRATCH]]
//       CHECK: vector.compressstore %{{.*}} : memref<?xi32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xi32>
//       CHECK: scf.reduce
// The chunks' candidates packed together, one chunk after the other.
//       CHECK: scf.for
//       CHECK: vector.load %[[CANDIDATES]]
//       CHECK: vector.maskedstore %[[CANDIDATES]]
// A missed bracket: every key above 0 is gathered again, in parallel.
//       CHECK: scf.parallel
//       CHECK: vector.compressstore %{{.*}} : memref<?xi32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xi32>
// Per chunk, its kept count from its candidates, and its output position.
//       CHECK: scf.for
//       CHECK: vector.load %[[CANDIDATES]]
//       CHECK: math.ctpop
// The fix-up, in parallel: drop the bits of the candidates below T, then
// compact the chunk's scratch values into the result.
//       CHECK: scf.parallel
//       CHECK: vector.load %[[CANDIDATES]]
//       CHECK: vector.compressstore %{{.*}} : memref<?xi32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xi32>
//       CHECK: vector.load %{{.*}} : memref<?xf32, strided<[1], offset: ?>>, vector<16xf32>
//       CHECK: vector.compressstore %{{.*}} : memref<25xf32>, vector<16xi1>, vector<16xf32>
// Two passes when T is not above the bracket's bottom (and for K > n / 5):
// the compaction of x, in parallel.
//       CHECK: scf.parallel
//       CHECK: vector.load %{{.*}} : memref<250xf32>, vector<16xf32>
//       CHECK: vector.compressstore %{{.*}} : memref<25xf32>, vector<16xi1>, vector<16xf32>
//       CHECK: vector.bitcast %{{.*}} : vector<16xi1> to vector<1xi16>
//   X86-LABEL: func.func @bitmask
//       X86: %[[VALUES:.*]] = x86vector.avx512.mask.compress %{{.*}}, %{{.*}} : vector<16xf32>
//       X86: vector.maskedstore %{{.*}}, %{{.*}}, %[[VALUES]] : memref<?xf32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xf32>
//       X86: %[[INDICES:.*]] = x86vector.avx512.mask.compress %{{.*}}, %{{.*}} : vector<16xi32>
//       X86: vector.maskedstore %{{.*}}, %{{.*}}, %[[INDICES]] : memref<?xi32, strided<[1], offset: ?>>, vector<16xi1>, vector<16xi32>
//       X86: vector.maskedstore %{{.*}} : memref<25xf32>, vector<16xi1>, vector<16xf32>
//   X86-NOT: vector.compressstore
//       X86: return
//       CHECK: math.ctpop
// AVX2-LABEL: func.func @bitmask
//       AVX2: vector.compressstore %{{.*}} : memref<25xf32>, vector<8xi1>, vector<8xf32>
func.func @bitmask(%x: tensor<10x25xf32>) -> !sparse_train.retained<10x25xf32, kept = 25, bitmask> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<10x25xf32>
  return %r : !sparse_train.retained<10x25xf32, kept = 25, bitmask>
}

// Indices are compress-stored next to the values; rows of 65536 and more.
// CHECK-LABEL: func.func @indices_rows
//       CHECK: vector.compressstore %{{.*}} : memref<26214xf32>, vector<16xi1>, vector<16xf32>
//       CHECK: vector.compressstore %{{.*}} : memref<26214xi32>, vector<16xi1>, vector<16xi32>
func.func @indices_rows(%x: tensor<2x65536xf32>) -> !sparse_train.retained<2x65536xf32, kept = 26214, indices> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.2 granularity = row encoding = indices : tensor<2x65536xf32>
  return %r : !sparse_train.retained<2x65536xf32, kept = 26214, indices>
}

// Shorter rows: the histograms' fixed cost would dominate.
// CHECK-LABEL: func.func @negative_short_rows
//   CHECK-NOT: compress
//       CHECK: return
func.func @negative_short_rows(%x: tensor<4x7xf32>) -> !sparse_train.retained<4x7xf32, kept = 16, indices> {
  %r = sparse_train.min_k_retain %x keep = 4 granularity = row encoding = indices : tensor<4x7xf32>
  return %r : !sparse_train.retained<4x7xf32, kept = 16, indices>
}

// CHECK-LABEL: func.func @negative_rows_straddle_words
//   CHECK-NOT: compress
//       CHECK: return
func.func @negative_rows_straddle_words(%x: tensor<2x65537xf32>) -> !sparse_train.retained<2x65537xf32, kept = 2, bitmask> {
  %r = sparse_train.min_k_retain %x keep = 1 granularity = row : tensor<2x65537xf32>
  return %r : !sparse_train.retained<2x65537xf32, kept = 2, bitmask>
}

// CHECK-LABEL: func.func @negative_f16
//   CHECK-NOT: compress
//       CHECK: return
func.func @negative_f16(%x: tensor<64xf16>) -> !sparse_train.retained<64xf16, kept = 6, bitmask> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<64xf16>
  return %r : !sparse_train.retained<64xf16, kept = 6, bitmask>
}

// Restore from a bitmask, in parallel over chunks: where each chunk's
// values start (a popcount of its words, then a prefix), then one
// expanding load per vector, masked at the end.
// CHECK-LABEL: func.func @restore_bitmask
//       CHECK: scf.parallel
//       CHECK: math.ctpop %{{.*}} : i32
//       CHECK: scf.for
//       CHECK: scf.parallel
//       CHECK: vector.expandload %{{.*}} : memref<25xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//       CHECK: vector.store
//       CHECK: vector.maskedstore
func.func @restore_bitmask(%r: !sparse_train.retained<10x25xf32, kept = 25, bitmask>) -> tensor<10x25xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<10x25xf32, kept = 25, bitmask>
  return %d : tensor<10x25xf32>
}

// Restore from indices: zeros, then the scatter, each in parallel.
// CHECK-LABEL: func.func @restore_indices
//       CHECK: scf.parallel
//       CHECK: memref.store %{{.*}} : memref<250xf32>
//       CHECK: scf.parallel
//       CHECK: memref.load %{{.*}} : memref<25xi32>
//       CHECK: memref.store %{{.*}} : memref<250xf32>
func.func @restore_indices(%r: !sparse_train.retained<10x25xf32, kept = 25, indices>) -> tensor<10x25xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<10x25xf32, kept = 25, indices>
  return %d : tensor<10x25xf32>
}

// The linear weight gradient above 15 % kept: the restored input times dy,
// as a linalg.matmul with a transposed left operand (BLAS in
// sparse-train-to-cpu).
// CHECK-LABEL: func.func @weight_grad_dense
//       CHECK: vector.expandload
//       CHECK: linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%{{.*}}, %{{.*}} : tensor<10x25xf32>, tensor<10x4xf32>) outs(%{{.*}} : tensor<25x4xf32>)
func.func @weight_grad_dense(%r: !sparse_train.retained<10x25xf32, kept = 100, bitmask>, %dy: tensor<10x4xf32>) -> tensor<25x4xf32> {
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<10x25xf32, kept = 100, bitmask>, tensor<10x4xf32> -> tensor<25x4xf32>
  return %g : tensor<25x4xf32>
}

// At most 15 % kept: straight from the retained form. The bitmask is
// decoded (cttz over each word), the entries grouped by column, dy packed
// into panels of 8 vectors, and each row of dW summed in registers; no
// restore, no matmul.
// CHECK-LABEL: func.func @weight_grad_bitmask
//   CHECK-NOT: vector.expandload
//       CHECK: scf.while
//       CHECK: math.cttz
//       CHECK: memref.alloc() {alignment = 64 : i64} : memref<1x10x128xf32>
//       CHECK: scf.parallel
//  CHECK-COUNT-8: vector.fma %{{.*}} : vector<16xf32>
//  CHECK-COUNT-8: vector.maskedstore
//   CHECK-NOT: linalg.matmul
func.func @weight_grad_bitmask(%r: !sparse_train.retained<10x25xf32, kept = 25, bitmask>, %dy: tensor<10x4xf32>) -> tensor<25x4xf32> {
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<10x25xf32, kept = 25, bitmask>, tensor<10x4xf32> -> tensor<25x4xf32>
  return %g : tensor<25x4xf32>
}

// Indices need no decoding.
// CHECK-LABEL: func.func @weight_grad_indices
//   CHECK-NOT: scf.while
//       CHECK: scf.parallel
//  CHECK-COUNT-8: vector.fma %{{.*}} : vector<16xf32>
func.func @weight_grad_indices(%r: !sparse_train.retained<2x5x25xf32, kept = 20, indices>, %dy: tensor<2x5x40xf32>) -> tensor<25x40xf32> {
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<2x5x25xf32, kept = 20, indices>, tensor<2x5x40xf32> -> tensor<25x40xf32>
  return %g : tensor<25x40xf32>
}
