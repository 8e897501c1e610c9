// The three zero-skip convolutions (padding, strides, dilations) in f32 and
// the forward in f16.
func.func @conv(%x: tensor<8x16x16x32xf32>, %w: tensor<3x3x32x64xf32>, %dy: tensor<8x8x8x64xf32>)
    -> (tensor<8x8x8x64xf32>, tensor<8x16x16x32xf32>, tensor<3x3x32x64xf32>) {
  %y = sparse_train.conv2d_zero_skip %x, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : tensor<8x16x16x32xf32>, tensor<3x3x32x64xf32>
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : tensor<8x8x8x64xf32>, tensor<3x3x32x64xf32> -> tensor<8x16x16x32xf32>
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1]
      : tensor<8x16x16x32xf32>, tensor<8x8x8x64xf32> -> tensor<3x3x32x64xf32>
  return %y, %dx, %dw : tensor<8x8x8x64xf32>, tensor<8x16x16x32xf32>, tensor<3x3x32x64xf32>
}
func.func @conv_f16(%x: tensor<2x9x9x16xf16>, %w: tensor<3x3x16x32xf16>) -> tensor<2x5x5x32xf16> {
  %y = sparse_train.conv2d_zero_skip %x, %w dilations = [2, 2]
      : tensor<2x9x9x16xf16>, tensor<3x3x16x32xf16>
  return %y : tensor<2x5x5x32xf16>
}
