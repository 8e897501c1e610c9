// The convolution-filter form of min_k_weight_grad compiled and run, with
// every element kept (the dense filter gradient) and with some dropped.
// RUN: sparse-train-opt %s --sparse-train-to-cpu | %run_cpu | FileCheck %s

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  // x = 1..9 on a 3x3 image, one channel; dy = ones on the 2x2 output of a
  // 2x2 filter with stride 1: dW[kh, kw] = sum of the 2x2 window at (kh, kw).
  %x = arith.constant dense<[[[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]], [[7.0], [8.0], [9.0]]]]> : tensor<1x3x3x1xf32>
  %dy = arith.constant dense<1.0> : tensor<1x2x2x1xf32>
  %all = sparse_train.min_k_retain %x keep_ratio = 1.0 : tensor<1x3x3x1xf32>
  %dw = sparse_train.min_k_weight_grad %all, %dy
      : !sparse_train.retained<1x3x3x1xf32, kept = 9, bitmask>, tensor<1x2x2x1xf32> -> tensor<2x2x1x1xf32>
  // CHECK: {{\[}}{{\[}}{{\[}}[12]],
  // CHECK-NEXT: {{\[}}[16]]],
  // CHECK-NEXT: {{\[}}{{\[}}[24]],
  // CHECK-NEXT: {{\[}}[28]]]]
  %m = bufferization.to_buffer %dw : tensor<2x2x1x1xf32> to memref<2x2x1x1xf32>
  %u = memref.cast %m : memref<2x2x1x1xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()

  // Keep the 3 largest (9, 8, 7) with padding 1 and stride 2: output 2x2,
  // dW[kh, kw] sums x[2 oh + kh - 1, 2 ow + kw - 1] over the kept ones:
  // row 2 needs kh = 1; then kw = 0 reaches column 1 (8), kw = 1 columns 0
  // and 2 (7 + 9).
  %top = sparse_train.min_k_retain %x keep = 3 encoding = indices : tensor<1x3x3x1xf32>
  %dw2 = sparse_train.min_k_weight_grad %top, %dy strides = [2, 2] padding = [1, 1, 1, 1]
      : !sparse_train.retained<1x3x3x1xf32, kept = 3, indices>, tensor<1x2x2x1xf32> -> tensor<2x2x1x1xf32>
  // CHECK: {{\[}}{{\[}}{{\[}}[0]],
  // CHECK-NEXT: {{\[}}[0]]],
  // CHECK-NEXT: {{\[}}{{\[}}[8]],
  // CHECK-NEXT: {{\[}}[16]]]]
  %m2 = bufferization.to_buffer %dw2 : tensor<2x2x1x1xf32> to memref<2x2x1x1xf32>
  %u2 = memref.cast %m2 : memref<2x2x1x1xf32> to memref<*xf32>
  call @printMemrefF32(%u2) : (memref<*xf32>) -> ()
  return
}
