// The GPU kernels of convert-sparse-train-to-gpu run on the CPU
// (sparse-train-to-cpu after the GPU conversion) and must print what the
// reference lowering prints: the panel kernels of the four bsr_matmul
// forms and the warp kernels of the three convolutions through
// sparse-train-gpu-launch-to-openmp (a block's threads,
// or a warp's lanes, as OpenMP threads). Inputs are small integers, so every sum is
// exact whatever the summation order, and include zeros (skipped), padding,
// strides, dilations and a pruned block facing Inf.
// RUN: sparse-train-opt %s --convert-sparse-train-to-gpu --sparse-train-gpu-launch-to-openmp --sparse-train-to-cpu | %run_cpu | FileCheck %s
// RUN: sparse-train-opt %s --sparse-train-to-cpu="kernels=reference num-threads=1" | %run_cpu | FileCheck %s
// The GPU conversion produced the kernels: panel launches (workgroup
// buffers, barriers) for the four bsr_matmul forms, and a warp launch with
// ballot votes for each of the three convolutions (a parallel zero fill
// beside each, for an empty scanned tensor).
// RUN: sparse-train-opt %s --convert-sparse-train-to-gpu | FileCheck %s --check-prefix=IR
// IR-NOT: sparse_train.
// IR-COUNT-4: gpu.launch {{.*}} workgroup
// IR-NOT: scf.parallel
// IR: gpu.launch
// IR: nvvm.vote.sync ballot
// IR: gpu.shuffle idx
// IR: scf.parallel
// IR: gpu.launch
// IR: nvvm.vote.sync ballot
// IR: gpu.shuffle idx
// IR: scf.parallel
// IR: gpu.launch
// IR: nvvm.vote.sync ballot
// IR: gpu.shuffle idx
// IR: scf.parallel
// IR-NOT: gpu.launch
// IR-NOT: sparse_train.

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @print2(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @print4(%t: tensor<?x?x?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?x?x?xf32> to memref<?x?x?x?xf32>
  %u = memref.cast %m : memref<?x?x?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  // S = [[1, 2, 0, 0], [3, 4, 0, 0], [0, 0, 5, 6], [0, 0, 7, 8]]: blocks
  // (0, 0) and (1, 1) stored; block (0, 1) is not stored and faces Inf in
  // the dense operand of the first product.
  %pos = arith.constant dense<[0, 1, 2]> : tensor<3xindex>
  %crd = arith.constant dense<[0, 1]> : tensor<2xindex>
  %val = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %s = sparse_tensor.assemble (%pos, %crd), %val
      : (tensor<3xindex>, tensor<2xindex>), tensor<8xf32> to tensor<4x4xf32, #BSR>
  %inf = arith.constant 0x7F800000 : f32
  %b = arith.constant dense<[[1.0, 0.0], [2.0, 1.0], [0.0, 3.0], [1.0, 1.0]]> : tensor<4x2xf32>
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %bi = tensor.insert %inf into %b[%c2, %c1] : tensor<4x2xf32>

  // Y = S * B: B[2, 1] = Inf meets the stored 5.0 and 7.0 (inf) and the
  // pruned block of rows 0 and 1 (nothing: finite, where dense gives NaN).
  %y = sparse_train.bsr_matmul %s, %bi : tensor<4x4xf32, #BSR>, tensor<4x2xf32> -> tensor<4x2xf32>
  %py = tensor.cast %y : tensor<4x2xf32> to tensor<?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}4, 2]
  // CHECK-NEXT: {{\[\[}}5, 2]
  // CHECK-NEXT: [11, 4]
  // CHECK-NEXT: [6, inf]
  // CHECK-NEXT: [8, inf]]
  call @print2(%py) : (tensor<?x?xf32>) -> ()

  // G = S^T * B.
  %g = sparse_train.bsr_matmul %s, %b transpose_a : tensor<4x4xf32, #BSR>, tensor<4x2xf32> -> tensor<4x2xf32>
  %pg = tensor.cast %g : tensor<4x2xf32> to tensor<?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}4, 2]
  // CHECK-NEXT: {{\[\[}}7, 3]
  // CHECK-NEXT: [10, 4]
  // CHECK-NEXT: [7, 22]
  // CHECK-NEXT: [8, 26]]
  call @print2(%pg) : (tensor<?x?xf32>) -> ()

  // H = B^T * S (dense left operand, transposed).
  %h = sparse_train.bsr_matmul %b, %s transpose_a : tensor<4x2xf32>, tensor<4x4xf32, #BSR> -> tensor<2x4xf32>
  %ph = tensor.cast %h : tensor<2x4xf32> to tensor<?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}2, 4]
  // CHECK-NEXT: {{\[\[}}7, 10, 7, 8]
  // CHECK-NEXT: [3, 4, 22, 26]]
  call @print2(%ph) : (tensor<?x?xf32>) -> ()

  // T = B^T * S^T.
  %t = sparse_train.bsr_matmul %b, %s transpose_a transpose_b : tensor<4x2xf32>, tensor<4x4xf32, #BSR> -> tensor<2x4xf32>
  %pt = tensor.cast %t : tensor<2x4xf32> to tensor<?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}2, 4]
  // CHECK-NEXT: {{\[\[}}5, 11, 6, 8]
  // CHECK-NEXT: [2, 4, 21, 29]]
  call @print2(%pt) : (tensor<?x?xf32>) -> ()

  // Convolutions: x has zeros (skipped) and one Inf facing a zero of dy in
  // the filter gradient only through skipped products.
  %x = arith.constant dense<[[[[1.0, 0.0], [2.0, 1.0], [0.0, 0.0], [3.0, 1.0]],
                               [[0.0, 2.0], [1.0, 1.0], [4.0, 0.0], [0.0, 1.0]],
                               [[2.0, 0.0], [0.0, 0.0], [1.0, 3.0], [2.0, 2.0]],
                               [[1.0, 1.0], [3.0, 0.0], [0.0, 2.0], [1.0, 0.0]]]]> : tensor<1x4x4x2xf32>
  %w = arith.constant dense<[[[[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]], [[2.0, 1.0, 0.0], [1.0, 0.0, 1.0]]],
                              [[[0.0, 1.0, 1.0], [1.0, 2.0, 0.0]], [[1.0, 1.0, 1.0], [0.0, 0.0, 2.0]]]]> : tensor<2x2x2x3xf32>
  // Padding and stride 2.
  %y1 = sparse_train.conv2d_zero_skip %x, %w strides = [2, 2] padding = [1, 1, 1, 1] : tensor<1x4x4x2xf32>, tensor<2x2x2x3xf32>
  %py1 = tensor.cast %y1 : tensor<1x3x3x3xf32> to tensor<?x?x?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}1, 3, 3, 3]
  // CHECK-NEXT: {{\[\[}}{{\[\[}}1, 1, 1]
  // CHECK-NEXT: [1, 4, 2]
  // CHECK-NEXT: [1, 5, 3]]
  // CHECK-NEXT: {{\[\[}}4, 2, 4]
  // CHECK-NEXT: [10, 6, 10]
  // CHECK-NEXT: [2, 7, 3]]
  // CHECK-NEXT: {{\[\[}}3, 1, 1]
  // CHECK-NEXT: [5, 0, 8]
  // CHECK-NEXT: [1, 0, 2]]]]
  call @print4(%py1) : (tensor<?x?x?x?xf32>) -> ()

  // Dilation 2, no padding: dy is 1x2x2x3.
  %dy = arith.constant dense<[[[[1.0, 0.0, 2.0], [0.0, 0.0, 0.0]],
                                [[3.0, 1.0, 0.0], [0.0, 2.0, 1.0]]]]> : tensor<1x2x2x3xf32>
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w dilations = [2, 2] : tensor<1x2x2x3xf32>, tensor<2x2x2x3xf32> -> tensor<1x4x4x2xf32>
  %pdx = tensor.cast %dx : tensor<1x4x4x2xf32> to tensor<?x?x?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}1, 4, 4, 2]
  // CHECK-NEXT: {{\[\[}}{{\[\[}}5, 2]
  // CHECK-NEXT: [0, 0]
  // CHECK-NEXT: [2, 3]
  // CHECK-NEXT: [0, 0]]
  // CHECK-NEXT: {{\[\[}}3, 1]
  // CHECK-NEXT: [2, 3]
  // CHECK-NEXT: [7, 3]
  // CHECK-NEXT: [2, 1]]
  // CHECK-NEXT: {{\[\[}}2, 1]
  // CHECK-NEXT: [0, 0]
  // CHECK-NEXT: [3, 4]
  // CHECK-NEXT: [0, 0]]
  // CHECK-NEXT: {{\[\[}}1, 5]
  // CHECK-NEXT: [3, 4]
  // CHECK-NEXT: [4, 0]
  // CHECK-NEXT: [3, 2]]]]
  call @print4(%pdx) : (tensor<?x?x?x?xf32>) -> ()
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy dilations = [2, 2] : tensor<1x4x4x2xf32>, tensor<1x2x2x3xf32> -> tensor<2x2x2x3xf32>
  %pdw = tensor.cast %dw : tensor<2x2x2x3xf32> to tensor<?x?x?x?xf32>
  // CHECK-LABEL: sizes = {{\[}}2, 2, 2, 3]
  // CHECK-NEXT: {{\[\[}}{{\[\[}}1, 2, 3]
  // CHECK-NEXT: [6, 4, 1]]
  // CHECK-NEXT: {{\[\[}}12, 4, 0]
  // CHECK-NEXT: [0, 2, 1]]]
  // CHECK-NEXT: {{\[\[}}[5, 7, 7]
  // CHECK-NEXT: [3, 1, 0]]
  // CHECK-NEXT: {{\[\[}}1, 2, 3]
  // CHECK-NEXT: [9, 2, 6]]]]
  call @print4(%pdw) : (tensor<?x?x?x?xf32>) -> ()
  return
}
