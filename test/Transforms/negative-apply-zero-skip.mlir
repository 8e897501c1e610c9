// Convolutions the pass declines, each with the remark that says why, and
// ops it does not consider at all.
// RUN: sparse-train-opt %s --sparse-train-apply-zero-skip --verify-diagnostics --split-input-file | FileCheck %s

// The input is not a ReLU output.
// CHECK-LABEL: func @negative_no_relu
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: sparse_train
func.func @negative_no_relu(%x: tensor<1x4x4x2xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x4x4x2xf32> {
  %z = arith.constant dense<0.0> : tensor<1x4x4x2xf32>
  // expected-remark @below {{not rewritten to sparse_train.conv2d_zero_skip: the input is not a ReLU output}}
  %y = linalg.conv_2d_nhwc_hwcf ins(%x, %w : tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>) outs(%z : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// A ReLU-like op whose floor is not zero (max(x, 1)) gives no zeros.
func.func @negative_max_with_one(%x: tensor<1x4x4x2xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x4x4x2xf32> {
  %ones = arith.constant dense<1.0> : tensor<1x4x4x2xf32>
  %r = arith.maximumf %x, %ones : tensor<1x4x4x2xf32>
  %z = arith.constant dense<0.0> : tensor<1x4x4x2xf32>
  // expected-remark @below {{the input is not a ReLU output}}
  %y = linalg.conv_2d_nhwc_hwcf ins(%r, %w : tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>) outs(%z : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// Padding with a value other than zero.
func.func @negative_pad_one(%x: tensor<1x4x4x2xf32>, %w: tensor<3x3x2x2xf32>) -> tensor<1x4x4x2xf32> {
  %one = arith.constant 1.0 : f32
  %zeros = arith.constant dense<0.0> : tensor<1x4x4x2xf32>
  %r = arith.maximumf %x, %zeros : tensor<1x4x4x2xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %one : f32
  } : tensor<1x4x4x2xf32> to tensor<1x6x6x2xf32>
  %z = arith.constant dense<0.0> : tensor<1x4x4x2xf32>
  // expected-remark @below {{the image is padded with a value other than zero}}
  %y = linalg.conv_2d_nhwc_hwcf ins(%p, %w : tensor<1x6x6x2xf32>, tensor<3x3x2x2xf32>) outs(%z : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// Dynamic sizes: no static window to recover.
#id = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @negative_dynamic(%x: tensor<?x?x?x2xf32>, %w: tensor<3x3x2x2xf32>, %init: tensor<?x?x?x2xf32>) -> tensor<?x?x?x2xf32> {
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x?x?x2xf32>) outs(%x : tensor<?x?x?x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x?x?x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%init : tensor<?x?x?x2xf32>) -> tensor<?x?x?x2xf32>
  // expected-remark @below {{the window does not match a convolution with static sizes and padding >= 0}}
  %y = linalg.conv_2d_nhwc_hwcf ins(%r, %w : tensor<?x?x?x2xf32>, tensor<3x3x2x2xf32>) outs(%z : tensor<?x?x?x2xf32>) -> tensor<?x?x?x2xf32>
  return %y : tensor<?x?x?x2xf32>
}

// -----

// Not convolutions: a matmul of a ReLU output and a pooling-like sum get
// no remark and stay.
// CHECK-LABEL: func @negative_not_conv
// CHECK: linalg.matmul
// CHECK-NOT: sparse_train
func.func @negative_not_conv(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %zeros = arith.constant dense<0.0> : tensor<4x8xf32>
  %r = arith.maximumf %a, %zeros : tensor<4x8xf32>
  %z = arith.constant dense<0.0> : tensor<4x4xf32>
  %y = linalg.matmul ins(%r, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// The window reads before the unpadded image (offset 1, no padding): no
// padding >= 0 explains it.
func.func @negative_offset_without_padding(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<1x3x3x8xf32> {
  %zeros = arith.constant dense<0.0> : tensor<1x6x6x4xf32>
  %r = arith.maximumf %x, %zeros : tensor<1x6x6x4xf32>
  %z = arith.constant dense<0.0> : tensor<1x3x3x8xf32>
  // expected-remark @below {{the window does not match a convolution with static sizes and padding >= 0}}
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, a, b, f, p, q, c) -> (n, a + p + 1, b + q, c)>,
      affine_map<(n, a, b, f, p, q, c) -> (p, q, c, f)>,
      affine_map<(n, a, b, f, p, q, c) -> (n, a, b, f)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%r, %w : tensor<1x6x6x4xf32>, tensor<3x3x4x8xf32>) outs(%z : tensor<1x3x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x3x3x8xf32>
  return %y : tensor<1x3x3x8xf32>
}

// -----

// One loop for both filter taps (a diagonal window): not a convolution the
// ops express; no remark, unchanged.
// CHECK-LABEL: func @negative_shared_tap
// CHECK: linalg.generic
// CHECK-NOT: sparse_train
func.func @negative_shared_tap(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %zeros = arith.constant dense<0.0> : tensor<1x6x6x4xf32>
  %r = arith.maximumf %x, %zeros : tensor<1x6x6x4xf32>
  %z = arith.constant dense<0.0> : tensor<1x4x4x8xf32>
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, a, b, f, p, c) -> (n, a + p, b + p, c)>,
      affine_map<(n, a, b, f, p, c) -> (p, p, c, f)>,
      affine_map<(n, a, b, f, p, c) -> (n, a, b, f)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%r, %w : tensor<1x6x6x4xf32>, tensor<3x3x4x8xf32>) outs(%z : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x8xf32>
  return %y : tensor<1x4x4x8xf32>
}
