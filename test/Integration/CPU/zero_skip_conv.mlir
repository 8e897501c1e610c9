// The three zero-skipping convolutions compiled and run, with padding,
// stride and dilation, and the documented difference from dense: a zero of
// the scanned operand facing Inf contributes 0, not NaN (and NaN again when
// the density dispatch runs the dense loop).
// RUN: sparse-train-opt %s --sparse-train-to-cpu | %run_cpu | FileCheck %s

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @print4(%t: tensor<?x?x?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?x?x?xf32> to memref<?x?x?x?xf32>
  %u = memref.cast %m : memref<?x?x?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %x = arith.constant dense<1.0> : tensor<1x3x3x1xf32>
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  // Top/left padding 1: y[oh, ow] counts the window's in-image pixels.
  // CHECK: {{\[}}{{\[}}{{\[}}[1],
  // CHECK-NEXT: [2],
  // CHECK-NEXT: [2]],
  // CHECK-NEXT: {{\[}}[2],
  // CHECK-NEXT: [4],
  // CHECK-NEXT: [4]],
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 0, 1, 0] : tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32>
  %py = tensor.cast %y : tensor<1x3x3x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%py) : (tensor<?x?x?x?xf32>) -> ()
  // dx[h, w] sums dy over the outputs that read (h, w): dx[0, 0] = 1+2+2+4.
  // CHECK: {{\[}}{{\[}}{{\[}}[9],
  // CHECK-NEXT: [12],
  // CHECK-NEXT: [6]],
  %dx = sparse_train.conv2d_zero_skip_backward_data %y, %w padding = [1, 0, 1, 0] : tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32> -> tensor<1x3x3x1xf32>
  %pdx = tensor.cast %dx : tensor<1x3x3x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%pdx) : (tensor<?x?x?x?xf32>) -> ()
  // dw[kh, kw] sums dy over the outputs whose tap (kh, kw) is in the image.
  // CHECK: {{\[}}{{\[}}{{\[}}[16]],
  // CHECK-NEXT: {{\[}}[20]]],
  // CHECK-NEXT: {{\[}}{{\[}}[20]],
  // CHECK-NEXT: {{\[}}[25]]]]
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %y padding = [1, 0, 1, 0] : tensor<1x3x3x1xf32>, tensor<1x3x3x1xf32> -> tensor<2x2x1x1xf32>
  %pdw = tensor.cast %dw : tensor<2x2x1x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%pdw) : (tensor<?x?x?x?xf32>) -> ()

  // Stride 2, dilation 2 on a 5x5 image of 1..25 with a 2x2 filter of ones:
  // y[oh, ow] = x[2oh, 2ow] + x[2oh, 2ow+2] + x[2oh+2, 2ow] + x[2oh+2, 2ow+2].
  // CHECK: {{\[}}{{\[}}{{\[}}[28],
  // CHECK-NEXT: [36]],
  // CHECK-NEXT: {{\[}}[68],
  // CHECK-NEXT: [76]]]]
  %x5 = arith.constant dense<[[[[1.0], [2.0], [3.0], [4.0], [5.0]], [[6.0], [7.0], [8.0], [9.0], [10.0]],
                               [[11.0], [12.0], [13.0], [14.0], [15.0]], [[16.0], [17.0], [18.0], [19.0], [20.0]],
                               [[21.0], [22.0], [23.0], [24.0], [25.0]]]]> : tensor<1x5x5x1xf32>
  %y5 = sparse_train.conv2d_zero_skip %x5, %w strides = [2, 2] dilations = [2, 2] : tensor<1x5x5x1xf32>, tensor<2x2x1x1xf32>
  %py5 = tensor.cast %y5 : tensor<1x2x2x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%py5) : (tensor<?x?x?x?xf32>) -> ()

  // A zero input facing an Inf weight is skipped (dense would give NaN); a
  // NaN input is not skipped.
  // CHECK: {{\[}}{{\[}}{{\[}}[0]]]]
  // CHECK: {{\[}}{{\[}}{{\[}}[nan]]]]
  %zero = arith.constant dense<0.0> : tensor<1x1x1x1xf32>
  %nan = arith.constant dense<0x7FC00000> : tensor<1x1x1x1xf32>
  %inf = arith.constant dense<0x7F800000> : tensor<1x1x1x1xf32>
  %z = sparse_train.conv2d_zero_skip %zero, %inf : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>
  %pz = tensor.cast %z : tensor<1x1x1x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%pz) : (tensor<?x?x?x?xf32>) -> ()
  %n = sparse_train.conv2d_zero_skip %nan, %inf : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>
  %pn = tensor.cast %n : tensor<1x1x1x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%pn) : (tensor<?x?x?x?xf32>) -> ()

  // The density dispatch: x = [0, 1] (half non-zero) facing [Inf, 1]. With
  // max_density = 1 the zero is skipped (1); with max_density = 0.25 the
  // dense loop runs and 0 * Inf gives NaN, as the dense convolution does.
  // CHECK: {{\[}}{{\[}}{{\[}}[1]]]]
  // CHECK: {{\[}}{{\[}}{{\[}}[{{-?}}nan]]]]
  %xh = arith.constant dense<[[[[0.0, 1.0]]]]> : tensor<1x1x1x2xf32>
  %wh = arith.constant dense<[[[[0x7F800000], [1.0]]]]> : tensor<1x1x2x1xf32>
  %ys = sparse_train.conv2d_zero_skip %xh, %wh max_density = 1.0 : tensor<1x1x1x2xf32>, tensor<1x1x2x1xf32>
  %pys = tensor.cast %ys : tensor<1x1x1x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%pys) : (tensor<?x?x?x?xf32>) -> ()
  %yd = sparse_train.conv2d_zero_skip %xh, %wh max_density = 0.25 : tensor<1x1x1x2xf32>, tensor<1x1x2x1xf32>
  %pyd = tensor.cast %yd : tensor<1x1x1x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%pyd) : (tensor<?x?x?x?xf32>) -> ()

  // No input channels: the output is zero (nothing to scan, nothing to
  // skip).
  // CHECK: {{\[}}{{\[}}{{\[}}[0],
  // CHECK-NEXT: [0]],
  // CHECK-NEXT: {{\[}}[0],
  // CHECK-NEXT: [0]]]]
  %x0 = tensor.empty() : tensor<1x2x2x0xf32>
  %w0 = tensor.empty() : tensor<3x3x0x1xf32>
  %y0 = sparse_train.conv2d_zero_skip %x0, %w0 padding = [1, 1, 1, 1] : tensor<1x2x2x0xf32>, tensor<3x3x0x1xf32>
  %py0 = tensor.cast %y0 : tensor<1x2x2x1xf32> to tensor<?x?x?x?xf32>
  call @print4(%py0) : (tensor<?x?x?x?xf32>) -> ()
  return
}
