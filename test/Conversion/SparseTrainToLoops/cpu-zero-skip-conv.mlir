// convert-sparse-train-to-cpu runs the f32 zero-skipping convolutions as
// vector kernels: a (sampled) count of the scanned operand's non-zeros picks the
// skipping or the dense loop (max_density); the skipping loop compares a
// vector with zero, walks the set bits of the mask (math.cttz in an
// scf.while, no branch per lane) and broadcasts each non-zero into a tile
// of vector FMAs over 16-lane vectors of packed filter panels. Stride-1
// rows keep one accumulator set per filter column tap (3 x 4 here).
// Other element types keep the reference loops.
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu | FileCheck %s
// RUN: sparse-train-opt %s --convert-sparse-train-to-cpu="vector-bits=256" | FileCheck %s --check-prefix=AVX2

// CHECK-LABEL: func.func @forward
//       CHECK: memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?x?x?x?x64xf32>
//       CHECK: scf.parallel
//       CHECK: math.ctpop
//       CHECK: scf.if
// The skipping loop reads x and writes y (64 channels: one chunk) in
// place, no packed copies. A loop of its own first computes the mask word
// of each pixel and span of 64 scanned channels. Each parallel item is one
// result row (the filter panels, 72 KiB, stay in L2; see
// @forward_row_groups) and a chunk of result channels; inside, spans of 64
// scanned channels (a 48 KiB filter slice per span), then filter row taps;
// each scanned pixel's bits are walked from its precomputed word.
//       CHECK: %[[WORDS:.*]] = memref.alloc({{.*}}) : memref<?x?x?x?xi64>
//       CHECK: scf.parallel
//       CHECK: arith.cmpf une, %{{.*}} : vector<16xf32>
//       CHECK: vector.bitcast %{{.*}} : vector<16xi1> to vector<1xi16>
//       CHECK: memref.store %{{.*}}, %[[WORDS]]
//   CHECK-NOT: memref.alloc
//       CHECK: scf.parallel (%[[ITEM:.*]]) =
//       CHECK: %[[GROUP:.*]] = arith.remui %[[ITEM]]
//  CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[GROUP]], %c1
//       CHECK: scf.for %[[SPAN:.*]] = %{{.*}} to
//  CHECK-NEXT: arith.constant 64 : index
//  CHECK-NEXT: arith.muli %[[SPAN]]
//       CHECK: scf.for %{{.*}} = %{{.*}} to
//  CHECK-NEXT: arith.constant 1 : index
//  CHECK-NEXT: scf.for %{{.*}} = %[[FIRST]] to
//       CHECK: %[[WORD:.*]] = memref.load %[[WORDS]]
//       CHECK: scf.while (%{{.*}} = %[[WORD]],
//       CHECK: math.cttz
//  CHECK-COUNT-12: vector.fma %{{.*}} : vector<16xf32>
// The dense loop tiles result pixels in registers: 6 pixels x 4 vectors
// of accumulators, one broadcast per pixel and 4 filter vectors per
// channel, over rows packed with their zero padding (no bounds tests); the
// last tile of a row is as large as the pixels left (scf.index_switch).
//       CHECK: } else {
//       CHECK: memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?x?x?x?x64xf32>
//   CHECK-NOT: scf.while
//  CHECK-COUNT-6: vector.broadcast %{{.*}} : f32 to vector<16xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: scf.index_switch
//       CHECK: case 5 {
//  CHECK-COUNT-20: vector.fma %{{.*}} : vector<16xf32>
//   CHECK-NOT: scf.while
//       CHECK: return
// AVX2-LABEL: func.func @forward
//       AVX2: vector.bitcast %{{.*}} : vector<8xi1> to vector<1xi8>
//  AVX2-COUNT-24: vector.fma %{{.*}} : vector<8xf32>
func.func @forward(%x: tensor<2x8x8x32xf32>, %w: tensor<3x3x32x64xf32>) -> tensor<2x8x8x64xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] : tensor<2x8x8x32xf32>, tensor<3x3x32x64xf32>
  return %y : tensor<2x8x8x64xf32>
}

// The default max_density is 0.8 (3x3 x 4 vectors per non-zero here); a
// pointwise forward or data gradient (1x1, unit strides, no padding) has
// its own kernel, whose default is 0.5; an explicit max_density is kept.
// CHECK-LABEL: func.func @default_max_density
//       CHECK: %[[LIMIT:.*]] = arith.constant 8.000000e-01 : f64
//       CHECK: arith.mulf %{{.*}}, %[[LIMIT]] : f64
//       CHECK: arith.cmpf ole
func.func @default_max_density(%x: tensor<1x4x4x16xf32>, %w: tensor<3x3x16x64xf32>) -> tensor<1x2x2x64xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<1x4x4x16xf32>, tensor<3x3x16x64xf32>
  return %y : tensor<1x2x2x64xf32>
}
// CHECK-LABEL: func.func @pointwise_default_max_density
//       CHECK: %[[LIMIT:.*]] = arith.constant 5.000000e-01 : f64
//       CHECK: arith.mulf %{{.*}}, %[[LIMIT]] : f64
//       CHECK: arith.cmpf ole
func.func @pointwise_default_max_density(%x: tensor<1x4x4x32xf32>, %w: tensor<1x1x32x64xf32>) -> tensor<1x4x4x64xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<1x4x4x32xf32>, tensor<1x1x32x64xf32>
  return %y : tensor<1x4x4x64xf32>
}
// CHECK-LABEL: func.func @pointwise_explicit_max_density
//       CHECK: %[[LIMIT:.*]] = arith.constant 2.500000e-01 : f64
//       CHECK: arith.mulf %{{.*}}, %[[LIMIT]] : f64
func.func @pointwise_explicit_max_density(%dy: tensor<1x4x4x32xf32>, %w: tensor<1x1x64x32xf32>) -> tensor<1x4x4x64xf32> {
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w max_density = 0.25 : tensor<1x4x4x32xf32>, tensor<1x1x64x32xf32> -> tensor<1x4x4x64xf32>
  return %dx : tensor<1x4x4x64xf32>
}
// A 1x1 filter with a stride is not pointwise: the gather kernel, whose
// skipping loop adds 4 vectors per non-zero here (64 result channels),
// skips only an all-zero operand (0).
// CHECK-LABEL: func.func @strided_few_result_channels
//       CHECK: %[[LIMIT:.*]] = arith.constant 0.000000e+00 : f64
//       CHECK: arith.mulf %{{.*}}, %[[LIMIT]] : f64
func.func @strided_few_result_channels(%x: tensor<1x4x4x32xf32>, %w: tensor<1x1x32x64xf32>) -> tensor<1x2x2x64xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w strides = [2, 2] : tensor<1x4x4x32xf32>, tensor<1x1x32x64xf32>
  return %y : tensor<1x2x2x64xf32>
}

// max_density = 1: the skipping loop only, no count.
// CHECK-LABEL: func.func @always_skip
//   CHECK-NOT: math.ctpop
//       CHECK: scf.while
//   CHECK-NOT: math.ctpop
//       CHECK: return
func.func @always_skip(%x: tensor<1x4x4x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x2x2x16xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w max_density = 1.0 : tensor<1x4x4x16xf32>, tensor<3x3x16x16xf32>
  return %y : tensor<1x2x2x16xf32>
}

// The pointwise kernel, skipping: each item (16 pixels) first computes its
// mask words (64 channels each) into a buffer, prefetching the next
// block's rows into L2; then each pixel's word is walked two set bits per
// iteration (while at least two remain), into two sets of 8 accumulators;
// the last bit, if any, is applied under a select on a vector condition,
// the sets are summed, and the 4 MiB result (one word of scanned channels,
// whole vectors) is written with streaming stores. The dense loop tiles 3
// pixels x 8 vectors and prefetches its next tile into L1.
// CHECK-LABEL: func.func @pointwise_skip
//       CHECK: %[[RESULT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x64x64x256xf32>
//       CHECK: %[[WORDS:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x16xi64>
//       CHECK: scf.parallel
//       CHECK: memref.prefetch %{{.*}}, read, locality<2>, data : memref<4096x64xf32>
//       CHECK: arith.cmpf une
//       CHECK: memref.store %{{.*}}, %[[WORDS]]
//       CHECK: %[[WORD:.*]] = memref.load %[[WORDS]]
//       CHECK: scf.while (%{{.*}} = %[[WORD]],
//  CHECK-NEXT: %[[TWO:.*]] = arith.constant 2 : i64
//  CHECK-NEXT: %[[BITS:.*]] = math.ctpop
//  CHECK-NEXT: arith.cmpi uge, %[[BITS]], %[[TWO]]
//  CHECK-COUNT-16: vector.fma
//       CHECK: %[[LAST:.*]] = vector.broadcast %{{.*}} : i1 to vector<16xi1>
//  CHECK-COUNT-8: arith.select %[[LAST]]
//  CHECK-COUNT-8: arith.addf
//  CHECK-COUNT-8: vector.store %{{.*}} {alignment = 64 : i64, nontemporal = true}
//       CHECK: } else {
//       CHECK: memref.prefetch %{{.*}}, read, locality<3>, data : memref<4096x64xf32>
//  CHECK-COUNT-24: vector.fma
//       CHECK: vector.store %{{.*}} {alignment = 64 : i64, nontemporal = true}
func.func @pointwise_skip(%x: tensor<1x64x64x64xf32>, %w: tensor<1x1x64x256xf32>) -> tensor<1x64x64x256xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<1x64x64x64xf32>, tensor<1x1x64x256xf32>
  return %y : tensor<1x64x64x256xf32>
}

// Several words of scanned channels: the accumulators go through the
// result between spans (no streaming stores).
// CHECK-LABEL: func.func @pointwise_spans
//   CHECK-NOT: nontemporal
//       CHECK: scf.while
//   CHECK-NOT: nontemporal
//       CHECK: return
func.func @pointwise_spans(%dy: tensor<1x64x64x256xf32>, %w: tensor<1x1x64x256xf32>) -> tensor<1x64x64x64xf32> {
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x64x64x256xf32>, tensor<1x1x64x256xf32> -> tensor<1x64x64x64xf32>
  return %dx : tensor<1x64x64x64xf32>
}

// Strided: no sliding window; each result pixel gathers its taps
// (8 vectors per tile).
// CHECK-LABEL: func.func @strided
//       CHECK: scf.while
//  CHECK-COUNT-8: vector.fma %{{.*}} : vector<16xf32>
func.func @strided(%x: tensor<1x9x9x16xf32>, %w: tensor<3x3x16x128xf32>) -> tensor<1x4x4x128xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w strides = [2, 2] : tensor<1x9x9x16xf32>, tensor<3x3x16x128xf32>
  return %y : tensor<1x4x4x128xf32>
}

// Without padding the dense loop reads and writes the activations in
// place (no packed copies): a 1x1 layer, 8 vectors x 3 pixels.
// CHECK-LABEL: func.func @pointwise_forward
//       CHECK: } else {
//   CHECK-NOT: memref<?x?x?x?x
//  CHECK-COUNT-3: vector.broadcast %{{.*}} : f32 to vector<16xf32>
//  CHECK-COUNT-24: vector.fma %{{.*}} : vector<16xf32>
//       CHECK: return
func.func @pointwise_forward(%x: tensor<1x4x5x16xf32>, %w: tensor<1x1x16x128xf32>) -> tensor<1x4x5x128xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<1x4x5x16xf32>, tensor<1x1x16x128xf32>
  return %y : tensor<1x4x5x128xf32>
}

// A data gradient with a width stride above 1 reads dy at columns that
// are not affine in the result column: its dense loop is the skipping
// loop without zero tests (no register tiles of several pixels).
// CHECK-LABEL: func.func @strided_backward_data
//       CHECK: } else {
//   CHECK-NOT: scf.index_switch
//       CHECK: return
func.func @strided_backward_data(%dy: tensor<1x4x4x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x9x9x16xf32> {
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w strides = [2, 2] : tensor<1x4x4x16xf32>, tensor<3x3x16x16xf32> -> tensor<1x9x9x16xf32>
  return %dx : tensor<1x9x9x16xf32>
}

// The data gradient scans dy against the filter packed with input
// channels contiguous.
// CHECK-LABEL: func.func @backward_data
//       CHECK: memref<?x?x?x?x32xf32>
//       CHECK: scf.while
//       CHECK: math.cttz
//       CHECK: vector.fma
func.func @backward_data(%dy: tensor<2x8x8x64xf32>, %w: tensor<3x3x32x64xf32>) -> tensor<2x8x8x32xf32> {
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1] : tensor<2x8x8x64xf32>, tensor<3x3x32x64xf32> -> tensor<2x8x8x32xf32>
  return %dx : tensor<2x8x8x32xf32>
}

// The filter gradient transposes x to [C, N, H, W], scans 4 vectors of an
// input row per mask word (an i64) and keeps 3 taps x 4 vectors in
// registers.
// CHECK-LABEL: func.func @backward_filter
//       CHECK: memref<32x2x8x8xf32>
//       CHECK: scf.while
//       CHECK: math.cttz %{{.*}} : i64
//  CHECK-COUNT-4: vector.fma
func.func @backward_filter(%x: tensor<2x8x8x32xf32>, %dy: tensor<2x8x8x64xf32>) -> tensor<3x3x32x64xf32> {
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1] : tensor<2x8x8x32xf32>, tensor<2x8x8x64xf32> -> tensor<3x3x32x64xf32>
  return %dw : tensor<3x3x32x64xf32>
}

// On rows of at least 28 pixels the filter gradient's dense loop tiles 4
// input channels x 2 vectors of filters per tap: each dy vector loaded
// meets 4 broadcasts (3 taps x 8 accumulators). The accumulators stay in
// registers across a group of output rows (32 KiB of dy), loaded and
// stored once per group.
// (The skipping kernel comes first, then the dense one.)
// In the skipping kernel the group of output rows is the outermost loop
// of an item, outside the row taps and the channels, so that the group's
// dy is read from memory once per item rather than once per row tap; the
// group holds whole mask words of rows: 28-pixel rows are scanned two per
// word (2 x 2 vectors; the second row's vectors at bits 32 and 48), and a
// set bit's row is its index / 32.
// CHECK-LABEL: func.func @backward_filter_wide
//       CHECK: %[[GROUP_BYTES:.*]] = arith.constant 32768 : index
//       CHECK: arith.minui %{{.*}}, %{{.*}} : index
//       CHECK: %[[GROUP_ROWS:.*]] = arith.muli %{{.*}}, %c2{{.*}} : index
//       CHECK: %[[GROUPS:.*]] = arith.divui %{{.*}}, %[[GROUP_ROWS]] : index
//       CHECK: scf.parallel
//       CHECK: scf.for %[[GROUP:.*]] = %{{.*}} to %[[GROUPS]] step
//  CHECK-NEXT: arith.muli %[[GROUP]], %[[GROUP_ROWS]]
//       CHECK: %[[TAPS:.*]] = arith.constant 3 : index
//       CHECK: scf.for %{{.*}} = %{{.*}} to %[[TAPS]] step
//  CHECK-NEXT: arith.constant 1 : index
//  CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
//  CHECK-COUNT-2: vector.maskedload %{{.*}} : memref<8x56xf32>
//       CHECK: arith.shli %{{.*}}, %c16_i64
//       CHECK: vector.maskedload %{{.*}} : memref<8x56xf32>
//       CHECK: arith.shli %{{.*}}, %c32_i64 : i64
//       CHECK: vector.maskedload %{{.*}} : memref<8x56xf32>
//       CHECK: arith.shli %{{.*}}, %c48_i64 : i64
//       CHECK: arith.ori
//  CHECK-NEXT: %[[WORD:.*]] = arith.ori
//  CHECK-NEXT: scf.while (%{{.*}} = %[[WORD]],
//       CHECK: math.cttz
//       CHECK: arith.divui %{{.*}}, %c32{{.*}} : index
//       CHECK: arith.remui %{{.*}}, %c32{{.*}} : index
//       CHECK: arith.select
//       CHECK: } else {
//       CHECK: %[[BYTES:.*]] = arith.constant 32768 : index
//       CHECK: arith.divui %[[BYTES]]
//       CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
//  CHECK-COUNT-24: vector.maskedload
//       CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
//  CHECK-NEXT: arith.divui %[[ROW]]
//  CHECK-NEXT: arith.remui %[[ROW]]
//       CHECK: scf.if %{{.*}} -> (vector<16xf32>
//  CHECK-COUNT-4: vector.broadcast %{{.*}} : f32 to vector<16xf32>
//       CHECK: scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//  CHECK-COUNT-8: vector.fma
//       CHECK: scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//  CHECK-COUNT-8: vector.fma
//       CHECK: scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//  CHECK-COUNT-8: vector.fma
func.func @backward_filter_wide(%x: tensor<1x2x28x8xf32>, %dy: tensor<1x2x28x32xf32>) -> tensor<3x3x8x32xf32> {
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1] : tensor<1x2x28x8xf32>, tensor<1x2x28x32xf32> -> tensor<3x3x8x32xf32>
  return %dw : tensor<3x3x8x32xf32>
}

// A pointwise filter gradient (1x1, unit strides, no padding) has a kernel
// of its own (skipping from 0.65 zeros by default): one parallel item per
// slice of the pixels sums into a partial gradient of its own, copies each
// block of x to a buffer with rows a vector longer and prefetches the next
// block into L2; skipping, it computes one 64-pixel mask word per channel
// and walks its bits with two sets of 4 accumulators; the dense loop tiles
// 6 channels x 4 vectors (no BLAS product), the last partial tile as a
// whole one whose rows past the last channel are not stored; a last
// parallel loop adds the slices' partials.
// CHECK-LABEL: func.func @pointwise_filter_gradient
//       CHECK: arith.constant 3.500000e-01 : f64
//       CHECK: scf.if
//       CHECK: memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?x?x?xf32>
//       CHECK: memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?x64x?xf32>
//       CHECK: memref.alloc({{.*}}) {alignment = 64 : i64} : memref<?x?xi64>
//       CHECK: scf.parallel
//       CHECK: memref.prefetch %{{.*}} read, locality<2>, data : memref<128x64xf32>
//       CHECK: memref.prefetch %{{.*}} read, locality<2>, data : memref<128x32xf32>
//       CHECK: arith.ori {{.*}} : vector<16xi32>
//       CHECK: scf.while ({{.*}}) : (i64, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//  CHECK-COUNT-8: vector.fma
//       CHECK: scf.parallel
//       CHECK: } else {
//   CHECK-NOT: linalg.matmul
//       CHECK: scf.parallel
//       CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c6
//       CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-24: vector.fma
//       CHECK: scf.if
//       CHECK: arith.minui
//       CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//   CHECK-NOT: linalg.matmul
//       CHECK: return
func.func @pointwise_filter_gradient(%x: tensor<2x8x8x32xf32>, %dy: tensor<2x8x8x64xf32>) -> tensor<1x1x32x64xf32> {
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<2x8x8x32xf32>, tensor<2x8x8x64xf32> -> tensor<1x1x32x64xf32>
  return %dw : tensor<1x1x32x64xf32>
}

// CHECK-LABEL: func.func @negative_f64
//   CHECK-NOT: vector.fma
//   CHECK-NOT: scf.while
//       CHECK: return
func.func @negative_f64(%x: tensor<1x4x4x3xf64>, %w: tensor<3x3x3x2xf64>) -> tensor<1x2x2x2xf64> {
  %y = sparse_train.conv2d_zero_skip %x, %w : tensor<1x4x4x3xf64>, tensor<3x3x3x2xf64>
  return %y : tensor<1x2x2x2xf64>
}

// Filter panels of one chunk larger than 512 KiB (3 x 3 x 512 scanned
// channels x 128 result channels, 2.4 MB): each parallel item is a group of
// result rows (128 KiB of one chunk: 64 rows of 4 pixels x 128 channels,
// at most 16), inside which spans of 32 scanned channels are outermost,
// then filter row taps, then the group's rows, so that the filter slice of
// a span and tap is read once per group.
// (The first parallel loop packs the filter, the second computes the mask
// words.)
// CHECK-LABEL: func.func @forward_row_groups
//       CHECK: memref<?x?x?x?x128xf32>
//       CHECK: scf.parallel
//       CHECK: memref<?x?x?x?xi64>
//       CHECK: scf.parallel
//       CHECK: scf.parallel (%[[ITEM:.*]]) =
//       CHECK: %[[GROUP:.*]] = arith.remui %[[ITEM]]
//  CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[GROUP]], %c16
//       CHECK: scf.for %[[SPAN:.*]] = %{{.*}} to
//  CHECK-NEXT: arith.constant 32 : index
//  CHECK-NEXT: arith.muli %[[SPAN]]
//       CHECK: scf.for %{{.*}} = %{{.*}} to
//  CHECK-NEXT: arith.constant 1 : index
//  CHECK-NEXT: scf.for %{{.*}} = %[[FIRST]] to
//       CHECK: scf.while
func.func @forward_row_groups(%x: tensor<1x4x4x512xf32>, %w: tensor<3x3x512x128xf32>) -> tensor<1x4x4x128xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] max_density = 1.0 : tensor<1x4x4x512xf32>, tensor<3x3x512x128xf32>
  return %y : tensor<1x4x4x128xf32>
}
