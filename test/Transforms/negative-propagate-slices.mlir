// sparse-train-propagate-slices leaves what it cannot prove alone: a start
// not drawn by slice_start for this extent and width (it might be out of
// range), a slice_expand feeding an op that does not map zero to zero,
// a slice of a convolution (its input maps are not permutations), and an
// op that reads its loop indices.
// RUN: sparse-train-opt %s --sparse-train-propagate-slices | FileCheck %s

#id = affine_map<(i, j) -> (i, j)>

// CHECK-LABEL: func.func @negative_unknown_start
//       CHECK: sparse_train.slice_drop
func.func @negative_unknown_start(%h: tensor<4x32xf32>, %s: index) -> tensor<4x16xf32> {
  %y = sparse_train.slice_drop %h, %s dim = 1, width = 16 : tensor<4x32xf32>
  return %y : tensor<4x16xf32>
}

// exp(0) = 1: the zeros outside the slice do not stay zeros.
// CHECK-LABEL: func.func @negative_not_zero_preserving
//       CHECK: sparse_train.slice_expand
//       CHECK: math.exp
//       CHECK: } -> tensor<4x32xf32>
func.func @negative_not_zero_preserving(%g: tensor<4x16xf32>, %s: index) -> tensor<4x32xf32> {
  %d = sparse_train.slice_expand %g, %s dim = 1, extent = 32 : tensor<4x16xf32>
  %e = tensor.empty() : tensor<4x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%d : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %x = math.exp %a : f32
    linalg.yield %x : f32
  } -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}

// CHECK-LABEL: func.func @negative_convolution
//       CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} -> tensor<1x4x4x8xf32>
//       CHECK: tensor.extract_slice
func.func @negative_convolution(%x: tensor<1x6x6x3xf32>, %w: tensor<3x3x3x8xf32>, %seed: i64, %counter: i64) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %y = linalg.conv_2d_nhwc_hwcf ins(%x, %w : tensor<1x6x6x3xf32>, tensor<3x3x3x8xf32>) outs(%f : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %s = sparse_train.slice_start %seed, %counter extent = 8, width = 4, align = 4
  %ys = sparse_train.slice_drop %y, %s dim = 3, width = 4, scale = 1.0 : tensor<1x4x4x8xf32>
  return %ys : tensor<1x4x4x4xf32>
}

// An element-wise op that reads its loop indices (linalg.index) would see
// the sliced iteration space: the slice stays below it.
// CHECK-LABEL: func.func @negative_index_semantics
//       CHECK: linalg.index
//       CHECK: } -> tensor<4x32xf32>
//       CHECK: tensor.extract_slice
func.func @negative_index_semantics(%seed: i64, %counter: i64) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x32xf32>
  %r = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<4x32xf32>) {
  ^bb0(%o: f32):
    %j = linalg.index 1 : index
    %i = arith.index_cast %j : index to i32
    %f = arith.sitofp %i : i32 to f32
    linalg.yield %f : f32
  } -> tensor<4x32xf32>
  %s = sparse_train.slice_start %seed, %counter extent = 32, width = 16, align = 8
  %y = sparse_train.slice_drop %r, %s dim = 1, width = 16, scale = 1.0 : tensor<4x32xf32>
  return %y : tensor<4x16xf32>
}
