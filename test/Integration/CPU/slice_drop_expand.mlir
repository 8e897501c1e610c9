// slice_drop and slice_expand compiled and run: the slice at a dynamic start,
// the default scale extent/width rounded to the element type, an explicit
// scale, and expansion with +0.0 outside the slice, also of a product
// written in place into the expanded result.
// RUN: sparse-train-opt %s --sparse-train-to-cpu | %run_cpu | FileCheck %s

func.func @drop(%x: tensor<2x4xf32>, %s: index) -> tensor<2x2xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 2 : tensor<2x4xf32>
  return %0 : tensor<2x2xf32>
}

func.func @drop_rows_scaled(%x: tensor<3x2xf64>, %s: index) -> tensor<1x2xf64> {
  %0 = sparse_train.slice_drop %x, %s dim = 0, width = 1, scale = 0.5 : tensor<3x2xf64>
  return %0 : tensor<1x2xf64>
}

func.func @drop_f16(%x: tensor<1x3xf16>, %s: index) -> tensor<1x2xf32> {
  // scale 3/2 = 1.5 exactly in f16.
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 2 : tensor<1x3xf16>
  %1 = arith.extf %0 : tensor<1x2xf16> to tensor<1x2xf32>
  return %1 : tensor<1x2xf32>
}

func.func @expand(%y: tensor<2x2xf32>, %s: index) -> tensor<2x5xf32> {
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 5 : tensor<2x2xf32>
  return %0 : tensor<2x5xf32>
}

func.func @expand_product(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>, %s: index) -> tensor<2x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %p = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  %0 = sparse_train.slice_expand %p, %s dim = 1, extent = 5 : tensor<2x2xf32>
  return %0 : tensor<2x5xf32>
}

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefF64(memref<*xf64>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %x = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  // CHECK: {{\[}}[4, 6],
  // CHECK-NEXT: [12, 14]]
  %0 = call @drop(%x, %c1) : (tensor<2x4xf32>, index) -> tensor<2x2xf32>
  %p0 = tensor.cast %0 : tensor<2x2xf32> to tensor<?x?xf32>
  call @print(%p0) : (tensor<?x?xf32>) -> ()
  // CHECK: {{\[}}[0, 6, 8, 0, 0],
  // CHECK-NEXT: [0, 14, 16, 0, 0]]
  %1 = call @drop(%x, %c2) : (tensor<2x4xf32>, index) -> tensor<2x2xf32>
  %2 = call @expand(%1, %c1) : (tensor<2x2xf32>, index) -> tensor<2x5xf32>
  %p2 = tensor.cast %2 : tensor<2x5xf32> to tensor<?x?xf32>
  call @print(%p2) : (tensor<?x?xf32>) -> ()
  // CHECK: {{\[}}[2.5, 3]]
  %d = arith.constant dense<[[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]> : tensor<3x2xf64>
  %3 = call @drop_rows_scaled(%d, %c1) : (tensor<3x2xf64>, index) -> tensor<1x2xf64>
  %m3 = bufferization.to_buffer %3 : tensor<1x2xf64> to memref<1x2xf64>
  %u3 = memref.cast %m3 : memref<1x2xf64> to memref<*xf64>
  call @printMemrefF64(%u3) : (memref<*xf64>) -> ()
  // CHECK: {{\[}}[4.5, 7.5]]
  %h = arith.constant dense<[[1.0, 3.0, 5.0]]> : tensor<1x3xf16>
  %4 = call @drop_f16(%h, %c1) : (tensor<1x3xf16>, index) -> tensor<1x2xf32>
  %p4 = tensor.cast %4 : tensor<1x2xf32> to tensor<?x?xf32>
  call @print(%p4) : (tensor<?x?xf32>) -> ()
  // [[1, 2], [5, 6]] [[1, 1], [0, 1]] = [[1, 3], [5, 11]] at columns 2..3.
  // CHECK: {{\[}}[0, 0, 1, 3, 0],
  // CHECK-NEXT: [0, 0, 5, 11, 0]]
  %xs = tensor.extract_slice %x[0, 0] [2, 2] [1, 1] : tensor<2x4xf32> to tensor<2x2xf32>
  %w = arith.constant dense<[[1.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %5 = call @expand_product(%xs, %w, %c2) : (tensor<2x2xf32>, tensor<2x2xf32>, index) -> tensor<2x5xf32>
  %p5 = tensor.cast %5 : tensor<2x5xf32> to tensor<?x?xf32>
  call @print(%p5) : (tensor<?x?xf32>) -> ()
  return
}
