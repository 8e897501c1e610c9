// Dense f32 products through the runtime's sgemm (OpenBLAS) give the same
// results as the loops of blas=false, in the four transpose forms, on a
// weight slice with a dynamic offset, into a zero fill (overwritten) and
// into another value (accumulated), and with an empty contraction. Inputs
// are small integers, so both are exact.
// RUN: sparse-train-opt %s --sparse-train-to-cpu | %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.blas
// RUN: sparse-train-opt %s --sparse-train-to-cpu=blas=false | %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.loops
// RUN: diff %t.blas %t.loops
// RUN: FileCheck %s < %t.blas

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<2x2xf32>) {
  %m = bufferization.to_buffer %t : tensor<2x2xf32> to memref<2x2xf32>
  %u = memref.cast %m : memref<2x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %a = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %at = arith.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %b = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]> : tensor<3x2xf32>
  %bt = arith.constant dense<[[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]> : tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // a b = [[7, -1], [16, -1]] in every form.
  // CHECK-COUNT-4: {{\[}}[7,   -1],
  %y0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y0) : (tensor<2x2xf32>) -> ()
  %y1 = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%at, %b : tensor<3x2xf32>, tensor<3x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y1) : (tensor<2x2xf32>) -> ()
  %y2 = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%a, %bt : tensor<2x3xf32>, tensor<2x3xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y2) : (tensor<2x2xf32>) -> ()
  %y3 = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%at, %bt : tensor<3x2xf32>, tensor<2x3xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y3) : (tensor<2x2xf32>) -> ()
  // Columns 1..2 of a wider weight, at an offset known only at run time.
  // CHECK: {{\[}}[2,   3],
  // CHECK-NEXT: [5,   6]]
  %w = arith.constant dense<[[9.0, 1.0, 0.0, 9.0], [9.0, 0.0, 1.0, 9.0], [9.0, 0.0, 0.0, 9.0]]> : tensor<3x4xf32>
  %s = arith.constant 1 : index
  %x = tensor.extract_slice %a[0, 1] [2, 2] [1, 1] : tensor<2x3xf32> to tensor<2x2xf32>
  %ws = tensor.extract_slice %w[0, %s] [2, 2] [1, 1] : tensor<3x4xf32> to tensor<2x2xf32>
  %y4 = linalg.matmul ins(%x, %ws : tensor<2x2xf32>, tensor<2x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y4) : (tensor<2x2xf32>) -> ()
  // Accumulated into 10: [[17, 9], [26, 9]].
  // CHECK: {{\[}}[17,   9],
  // CHECK-NEXT: [26,   9]]
  %ten = arith.constant 10.0 : f32
  %e10 = tensor.empty() : tensor<2x2xf32>
  %z10 = linalg.fill ins(%ten : f32) outs(%e10 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y5 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z10 : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y5) : (tensor<2x2xf32>) -> ()
  // An empty contraction (k = 0): the zero fill, then the 10s, unchanged.
  // CHECK: {{\[}}[0,   0],
  // CHECK-NEXT: [0,   0]]
  // CHECK: {{\[}}[10,   10],
  // CHECK-NEXT: [10,   10]]
  %k0 = tensor.empty() : tensor<2x0xf32>
  %k1 = tensor.empty() : tensor<0x2xf32>
  %y6 = linalg.matmul ins(%k0, %k1 : tensor<2x0xf32>, tensor<0x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y6) : (tensor<2x2xf32>) -> ()
  %y7 = linalg.matmul ins(%k0, %k1 : tensor<2x0xf32>, tensor<0x2xf32>) outs(%z10 : tensor<2x2xf32>) -> tensor<2x2xf32>
  call @print(%y7) : (tensor<2x2xf32>) -> ()
  return
}
