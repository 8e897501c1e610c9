// Round trip of every sparse_train op and every attribute variant.
// RUN: sparse-train-opt %s -split-input-file | FileCheck %s
// RUN: sparse-train-opt %s | FileCheck %s
// RUN: sparse-train-opt %s -split-input-file -mlir-print-op-generic | sparse-train-opt -split-input-file | FileCheck %s
// RUN: sparse-train-opt %s -split-input-file --verify-roundtrip > /dev/null

// CHECK-LABEL: func.func @slice_start
//  CHECK-SAME: (%[[SEED:.*]]: i64, %[[CTR:.*]]: i64)
//       CHECK: sparse_train.slice_start %[[SEED]], %[[CTR]] extent = 512, width = 256{{$}}
//       CHECK: sparse_train.slice_start %[[SEED]], %[[CTR]] extent = 512, width = 100, align = 8{{$}}
func.func @slice_start(%seed: i64, %ctr: i64) -> (index, index) {
  %0 = sparse_train.slice_start %seed, %ctr extent = 512, width = 256
  %1 = sparse_train.slice_start %seed, %ctr extent = 512, width = 100, align = 8
  return %0, %1 : index, index
}

// -----

// CHECK-LABEL: func.func @slice_drop
//       CHECK: %[[Y:.*]] = sparse_train.slice_drop %{{.*}}, %{{.*}} dim = 1, width = 256 : tensor<32x512xf32>
//       CHECK: sparse_train.slice_drop %{{.*}}, %{{.*}} dim = 0, width = 3, scale = 1.000000e+00 : tensor<4x?xbf16>
//       CHECK: sparse_train.slice_drop %{{.*}}, %{{.*}} dim = 3, width = 8, scale = 2.500000e+00 : tensor<2x3x4x16xf16>
//       CHECK: sparse_train.slice_drop %{{.*}}, %{{.*}} dim = 0, width = 1 : tensor<7xf64>
func.func @slice_drop(%a: tensor<32x512xf32>, %b: tensor<4x?xbf16>,
                      %c: tensor<2x3x4x16xf16>, %d: tensor<7xf64>, %s: index)
    -> (tensor<32x256xf32>, tensor<3x?xbf16>, tensor<2x3x4x8xf16>, tensor<1xf64>) {
  %0 = sparse_train.slice_drop %a, %s dim = 1, width = 256 : tensor<32x512xf32>
  %1 = sparse_train.slice_drop %b, %s dim = 0, width = 3, scale = 1.0 : tensor<4x?xbf16>
  %2 = sparse_train.slice_drop %c, %s dim = 3, width = 8, scale = 2.5 : tensor<2x3x4x16xf16>
  %3 = sparse_train.slice_drop %d, %s dim = 0, width = 1 : tensor<7xf64>
  return %0, %1, %2, %3 : tensor<32x256xf32>, tensor<3x?xbf16>, tensor<2x3x4x8xf16>, tensor<1xf64>
}

// -----

// CHECK-LABEL: func.func @slice_expand
//       CHECK: sparse_train.slice_expand %{{.*}}, %{{.*}} dim = 1, extent = 512 : tensor<32x256xf32>
//       CHECK: sparse_train.slice_expand %{{.*}}, %{{.*}} dim = 0, extent = 9 : tensor<2x?xf16>
func.func @slice_expand(%a: tensor<32x256xf32>, %b: tensor<2x?xf16>, %s: index)
    -> (tensor<32x512xf32>, tensor<9x?xf16>) {
  %0 = sparse_train.slice_expand %a, %s dim = 1, extent = 512 : tensor<32x256xf32>
  %1 = sparse_train.slice_expand %b, %s dim = 0, extent = 9 : tensor<2x?xf16>
  return %0, %1 : tensor<32x512xf32>, tensor<9x?xf16>
}

// -----

// CHECK-LABEL: func.func @min_k_retain
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 1.000000e-01 : tensor<64x128xf32>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep = 10 encoding = indices : tensor<64x128xf32>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 2.500000e-01 granularity = row : tensor<64x128xf32>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep = 3 granularity = row encoding = indices : tensor<4x8xbf16>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 5.000000e-01 : tensor<?x16xf16>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 0.000000e+00 : tensor<10xf64>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 1.000000e+00 : tensor<10xf64>
func.func @min_k_retain(%a: tensor<64x128xf32>, %b: tensor<4x8xbf16>,
                        %c: tensor<?x16xf16>, %d: tensor<10xf64>)
    -> (!sparse_train.retained<64x128xf32, kept = 819, bitmask>,
        !sparse_train.retained<64x128xf32, kept = 10, indices>,
        !sparse_train.retained<64x128xf32, kept = 2048, bitmask>,
        !sparse_train.retained<4x8xbf16, kept = 12, indices>,
        !sparse_train.retained<?x16xf16, kept = ?, bitmask>,
        !sparse_train.retained<10xf64, kept = 0, bitmask>,
        !sparse_train.retained<10xf64, kept = 10, bitmask>) {
  %0 = sparse_train.min_k_retain %a keep_ratio = 0.1 : tensor<64x128xf32>
  %1 = sparse_train.min_k_retain %a keep = 10 encoding = indices : tensor<64x128xf32>
  %2 = sparse_train.min_k_retain %a keep_ratio = 0.25 granularity = row encoding = bitmask : tensor<64x128xf32>
  %3 = sparse_train.min_k_retain %b keep = 3 granularity = row encoding = indices : tensor<4x8xbf16>
  %4 = sparse_train.min_k_retain %c keep_ratio = 0.5 granularity = tensor : tensor<?x16xf16>
  %5 = sparse_train.min_k_retain %d keep_ratio = 0.0 : tensor<10xf64>
  %6 = sparse_train.min_k_retain %d keep_ratio = 1.0 : tensor<10xf64>
  return %0, %1, %2, %3, %4, %5, %6
      : !sparse_train.retained<64x128xf32, kept = 819, bitmask>,
        !sparse_train.retained<64x128xf32, kept = 10, indices>,
        !sparse_train.retained<64x128xf32, kept = 2048, bitmask>,
        !sparse_train.retained<4x8xbf16, kept = 12, indices>,
        !sparse_train.retained<?x16xf16, kept = ?, bitmask>,
        !sparse_train.retained<10xf64, kept = 0, bitmask>,
        !sparse_train.retained<10xf64, kept = 10, bitmask>
}

// -----

// K = floor(0.5 * 5 + 0.5) = 3 (round half up), per row with dynamic rows.
// CHECK-LABEL: func.func @min_k_retain_rounding
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 5.000000e-01 : tensor<5xf32>
//       CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 5.000000e-01 granularity = row : tensor<?x5xf32>
func.func @min_k_retain_rounding(%a: tensor<5xf32>, %b: tensor<?x5xf32>)
    -> (!sparse_train.retained<5xf32, kept = 3, bitmask>,
        !sparse_train.retained<?x5xf32, kept = ?, bitmask>) {
  %0 = sparse_train.min_k_retain %a keep_ratio = 0.5 : tensor<5xf32>
  %1 = sparse_train.min_k_retain %b keep_ratio = 0.5 granularity = row : tensor<?x5xf32>
  return %0, %1 : !sparse_train.retained<5xf32, kept = 3, bitmask>,
                  !sparse_train.retained<?x5xf32, kept = ?, bitmask>
}

// -----

// CHECK-LABEL: func.func @min_k_restore
//       CHECK: sparse_train.min_k_restore %{{.*}} : !sparse_train.retained<64x128xf32, kept = 819, bitmask>
//       CHECK: sparse_train.min_k_restore %{{.*}} : !sparse_train.retained<?x16xf16, kept = ?, indices>
func.func @min_k_restore(%r: !sparse_train.retained<64x128xf32, kept = 819, bitmask>,
                         %q: !sparse_train.retained<?x16xf16, kept = ?, indices>)
    -> (tensor<64x128xf32>, tensor<?x16xf16>) {
  %0 = sparse_train.min_k_restore %r : !sparse_train.retained<64x128xf32, kept = 819, bitmask>
  %1 = sparse_train.min_k_restore %q : !sparse_train.retained<?x16xf16, kept = ?, indices>
  return %0, %1 : tensor<64x128xf32>, tensor<?x16xf16>
}

// -----

// CHECK-LABEL: func.func @min_k_weight_grad
//       CHECK: sparse_train.min_k_weight_grad %{{.*}}, %{{.*}} : !sparse_train.retained<64x128xf32, kept = 819, bitmask>, tensor<64x32xf32> -> tensor<128x32xf32>
//       CHECK: sparse_train.min_k_weight_grad %{{.*}}, %{{.*}} : !sparse_train.retained<4x16x128xbf16, kept = 100, indices>, tensor<64x32xbf16> -> tensor<128x32xf32>
//       CHECK: sparse_train.min_k_weight_grad %{{.*}}, %{{.*}} : !sparse_train.retained<?x128xf16, kept = ?, bitmask>, tensor<?x32xf16> -> tensor<128x32xf16>
//       CHECK: sparse_train.min_k_weight_grad %{{.*}}, %{{.*}} strides = [2, 2] dilations = [1, 1] padding = [1, 1, 1, 1] : !sparse_train.retained<2x8x8x16xf32, kept = 1024, bitmask>, tensor<2x4x4x32xf32> -> tensor<3x3x16x32xf32>
//       CHECK: sparse_train.min_k_weight_grad %{{.*}}, %{{.*}} : !sparse_train.retained<1x5x5x3xf64, kept = 7, indices>, tensor<1x5x5x4xf64> -> tensor<1x1x3x4xf64>
func.func @min_k_weight_grad(
    %r0: !sparse_train.retained<64x128xf32, kept = 819, bitmask>, %dy0: tensor<64x32xf32>,
    %r1: !sparse_train.retained<4x16x128xbf16, kept = 100, indices>, %dy1: tensor<64x32xbf16>,
    %r2: !sparse_train.retained<?x128xf16, kept = ?, bitmask>, %dy2: tensor<?x32xf16>,
    %r3: !sparse_train.retained<2x8x8x16xf32, kept = 1024, bitmask>, %dy3: tensor<2x4x4x32xf32>,
    %r4: !sparse_train.retained<1x5x5x3xf64, kept = 7, indices>, %dy4: tensor<1x5x5x4xf64>)
    -> (tensor<128x32xf32>, tensor<128x32xf32>, tensor<128x32xf16>, tensor<3x3x16x32xf32>, tensor<1x1x3x4xf64>) {
  %0 = sparse_train.min_k_weight_grad %r0, %dy0 : !sparse_train.retained<64x128xf32, kept = 819, bitmask>, tensor<64x32xf32> -> tensor<128x32xf32>
  %1 = sparse_train.min_k_weight_grad %r1, %dy1 : !sparse_train.retained<4x16x128xbf16, kept = 100, indices>, tensor<64x32xbf16> -> tensor<128x32xf32>
  %2 = sparse_train.min_k_weight_grad %r2, %dy2 : !sparse_train.retained<?x128xf16, kept = ?, bitmask>, tensor<?x32xf16> -> tensor<128x32xf16>
  %3 = sparse_train.min_k_weight_grad %r3, %dy3 strides = [2, 2] dilations = [1, 1] padding = [1, 1, 1, 1] : !sparse_train.retained<2x8x8x16xf32, kept = 1024, bitmask>, tensor<2x4x4x32xf32> -> tensor<3x3x16x32xf32>
  %4 = sparse_train.min_k_weight_grad %r4, %dy4 : !sparse_train.retained<1x5x5x3xf64, kept = 7, indices>, tensor<1x5x5x4xf64> -> tensor<1x1x3x4xf64>
  return %0, %1, %2, %3, %4 : tensor<128x32xf32>, tensor<128x32xf32>, tensor<128x32xf16>, tensor<3x3x16x32xf32>, tensor<1x1x3x4xf64>
}

// -----


// CHECK-LABEL: func.func @block_prune
//       CHECK: sparse_train.block_prune %{{.*}} block = [2, 4] score = l1 select = global_top_k keep_ratio = 5.000000e-01 : tensor<8x16xf32> -> tensor<8x16xf32, #{{.*}}>
//       CHECK: sparse_train.block_prune %{{.*}} block = [2, 4] score = l2 select = row_top_k keep_per_row = 2 : tensor<8x16xf32> -> tensor<8x16xf32, #{{.*}}>
//       CHECK: sparse_train.block_prune %{{.*}} block = [2, 4] score = max_abs select = row_top_k keep_ratio = 2.500000e-01 : tensor<8x16xf32> -> tensor<8x16xf32, #{{.*}}>
//       CHECK: sparse_train.block_prune %{{.*}} block = [2, 4] score = l2 select = threshold threshold = 1.500000e+00 : tensor<8x16xf16> -> tensor<8x16xf16, #{{.*}}>
//       CHECK: sparse_train.block_prune %{{.*}} block = [2, 4] score = l1 select = global_top_k keep_ratio = 0.000000e+00 : tensor<8x16xbf16> -> tensor<8x16xbf16, #{{.*}}>
//       CHECK: sparse_train.block_prune %{{.*}} block = [2, 4] score = max_abs select = threshold threshold = -1.000000e+00 : tensor<8x16xf64> -> tensor<8x16xf64, #{{.*}}>
func.func @block_prune(%a: tensor<8x16xf32>, %b: tensor<8x16xf16>,
                       %c: tensor<8x16xbf16>, %d: tensor<8x16xf64>) {
  %0 = sparse_train.block_prune %a block = [2, 4] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x16xf32> -> tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>
  %1 = sparse_train.block_prune %a block = [2, 4] score = l2 select = row_top_k keep_per_row = 2 : tensor<8x16xf32> -> tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense), posWidth = 64, crdWidth = 64}>>
  %2 = sparse_train.block_prune %a block = [2, 4] score = max_abs select = row_top_k keep_ratio = 0.25 : tensor<8x16xf32> -> tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense), posWidth = 32, crdWidth = 32}>>
  %3 = sparse_train.block_prune %b block = [2, 4] score = l2 select = threshold threshold = 1.5 : tensor<8x16xf16> -> tensor<8x16xf16, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>
  %4 = sparse_train.block_prune %c block = [2, 4] score = l1 select = global_top_k keep_ratio = 0.0 : tensor<8x16xbf16> -> tensor<8x16xbf16, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>
  %5 = sparse_train.block_prune %d block = [2, 4] score = max_abs select = threshold threshold = -1.0 : tensor<8x16xf64> -> tensor<8x16xf64, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>
  return
}

// -----


// CHECK-LABEL: func.func @bsr_matmul
//       CHECK: sparse_train.bsr_matmul %{{.*}}, %{{.*}} : tensor<8x16xf32, #{{.*}}>, tensor<16x5xf32> -> tensor<8x5xf32>
//       CHECK: sparse_train.bsr_matmul %{{.*}}, %{{.*}} transpose_a : tensor<8x16xf32, #{{.*}}>, tensor<8x5xf32> -> tensor<16x5xf32>
//       CHECK: sparse_train.bsr_matmul %{{.*}}, %{{.*}} transpose_a : tensor<8x3xf32>, tensor<8x16xf32, #{{.*}}> -> tensor<3x16xf32>
//       CHECK: sparse_train.bsr_matmul %{{.*}}, %{{.*}} transpose_b : tensor<3x16xf32>, tensor<8x16xf32, #{{.*}}> -> tensor<3x8xf32>
//       CHECK: sparse_train.bsr_matmul %{{.*}}, %{{.*}} transpose_a transpose_b : tensor<8x16xf32, #{{.*}}>, tensor<5x8xf32> -> tensor<16x5xf32>
//       CHECK: sparse_train.bsr_matmul %{{.*}}, %{{.*}} : tensor<8x16xf16, #{{.*}}>, tensor<16x?xf16> -> tensor<8x?xf32>
func.func @bsr_matmul(%x: tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>, %w: tensor<16x5xf32>,
                      %dy: tensor<8x5xf32>, %g: tensor<8x3xf32>,
                      %h: tensor<3x16xf32>, %t: tensor<5x8xf32>,
                      %xh: tensor<8x16xf16, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>, %wh: tensor<16x?xf16>) {
  %0 = sparse_train.bsr_matmul %x, %w : tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>, tensor<16x5xf32> -> tensor<8x5xf32>
  %1 = sparse_train.bsr_matmul %x, %dy transpose_a : tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>, tensor<8x5xf32> -> tensor<16x5xf32>
  %2 = sparse_train.bsr_matmul %g, %x transpose_a : tensor<8x3xf32>, tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>> -> tensor<3x16xf32>
  %3 = sparse_train.bsr_matmul %h, %x transpose_b : tensor<3x16xf32>, tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>> -> tensor<3x8xf32>
  %4 = sparse_train.bsr_matmul %x, %t transpose_a transpose_b : tensor<8x16xf32, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>, tensor<5x8xf32> -> tensor<16x5xf32>
  %5 = sparse_train.bsr_matmul %xh, %wh : tensor<8x16xf16, #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 4 : compressed, i mod 2 : dense, j mod 4 : dense)}>>, tensor<16x?xf16> -> tensor<8x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @conv2d_zero_skip
//       CHECK: sparse_train.conv2d_zero_skip %{{.*}}, %{{.*}} : tensor<2x8x8x16xf32>, tensor<3x3x16x32xf32>
//       CHECK: sparse_train.conv2d_zero_skip %{{.*}}, %{{.*}} strides = [2, 2] dilations = [2, 1] padding = [2, 1, 0, 2] : tensor<1x9x7x3xf16>, tensor<5x5x3x5xf16>
//       CHECK: sparse_train.conv2d_zero_skip %{{.*}}, %{{.*}} padding = [1, 1, 1, 1] : tensor<?x?x?x16xbf16>, tensor<3x3x16x8xbf16>
func.func @conv2d_zero_skip(%x: tensor<2x8x8x16xf32>, %w: tensor<3x3x16x32xf32>,
                            %x1: tensor<1x9x7x3xf16>, %w1: tensor<5x5x3x5xf16>,
                            %x2: tensor<?x?x?x16xbf16>, %w2: tensor<3x3x16x8xbf16>)
    -> (tensor<2x6x6x32xf32>, tensor<1x2x3x5xf16>, tensor<?x?x?x8xbf16>) {
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<2x8x8x16xf32>, tensor<3x3x16x32xf32>
  %1 = sparse_train.conv2d_zero_skip %x1, %w1 strides = [2, 2] dilations = [2, 1] padding = [2, 1, 0, 2] : tensor<1x9x7x3xf16>, tensor<5x5x3x5xf16>
  %2 = sparse_train.conv2d_zero_skip %x2, %w2 padding = [1, 1, 1, 1] : tensor<?x?x?x16xbf16>, tensor<3x3x16x8xbf16>
  return %0, %1, %2 : tensor<2x6x6x32xf32>, tensor<1x2x3x5xf16>, tensor<?x?x?x8xbf16>
}

// -----

// CHECK-LABEL: func.func @conv2d_zero_skip_backward_data
//       CHECK: sparse_train.conv2d_zero_skip_backward_data %{{.*}}, %{{.*}} padding = [1, 1, 1, 1] : tensor<2x8x8x32xf32>, tensor<3x3x16x32xf32> -> tensor<2x8x8x16xf32>
//       CHECK: sparse_train.conv2d_zero_skip_backward_data %{{.*}}, %{{.*}} strides = [2, 2] : tensor<1x3x3x4xf64>, tensor<3x3x2x4xf64> -> tensor<1x8x8x2xf64>
func.func @conv2d_zero_skip_backward_data(%dy: tensor<2x8x8x32xf32>, %w: tensor<3x3x16x32xf32>,
                                          %dy1: tensor<1x3x3x4xf64>, %w1: tensor<3x3x2x4xf64>)
    -> (tensor<2x8x8x16xf32>, tensor<1x8x8x2xf64>) {
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1] : tensor<2x8x8x32xf32>, tensor<3x3x16x32xf32> -> tensor<2x8x8x16xf32>
  // Input width 8 with stride 2 gives 3 outputs, like width 7 would.
  %1 = sparse_train.conv2d_zero_skip_backward_data %dy1, %w1 strides = [2, 2] : tensor<1x3x3x4xf64>, tensor<3x3x2x4xf64> -> tensor<1x8x8x2xf64>
  return %0, %1 : tensor<2x8x8x16xf32>, tensor<1x8x8x2xf64>
}

// -----

// CHECK-LABEL: func.func @conv2d_zero_skip_backward_filter
//       CHECK: sparse_train.conv2d_zero_skip_backward_filter %{{.*}}, %{{.*}} padding = [1, 1, 1, 1] : tensor<2x8x8x16xf32>, tensor<2x8x8x32xf32> -> tensor<3x3x16x32xf32>
//       CHECK: sparse_train.conv2d_zero_skip_backward_filter %{{.*}}, %{{.*}} strides = [1, 2] dilations = [2, 2] : tensor<1x9x9x3xf32>, tensor<1x5x4x1xf32> -> tensor<3x2x3x1xf32>
func.func @conv2d_zero_skip_backward_filter(%x: tensor<2x8x8x16xf32>, %dy: tensor<2x8x8x32xf32>,
                                            %x1: tensor<1x9x9x3xf32>, %dy1: tensor<1x5x4x1xf32>)
    -> (tensor<3x3x16x32xf32>, tensor<3x2x3x1xf32>) {
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1] : tensor<2x8x8x16xf32>, tensor<2x8x8x32xf32> -> tensor<3x3x16x32xf32>
  %1 = sparse_train.conv2d_zero_skip_backward_filter %x1, %dy1 strides = [1, 2] dilations = [2, 2] : tensor<1x9x9x3xf32>, tensor<1x5x4x1xf32> -> tensor<3x2x3x1xf32>
  return %0, %1 : tensor<3x3x16x32xf32>, tensor<3x2x3x1xf32>
}
