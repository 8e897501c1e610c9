// min_k_retain, min_k_restore and min_k_weight_grad compiled and run: the
// ordering (NaN first, then magnitude, -0.0 = 0.0, ties to the lowest index),
// both encodings and granularities, and the weight gradient from the kept
// entries only.
// RUN: sparse-train-opt %s --sparse-train-to-cpu | %run_cpu | FileCheck %s

!Rt = !sparse_train.retained<2x6xf32, kept = 3, indices>
!Rr = !sparse_train.retained<2x6xf32, kept = 4, bitmask>

func.func @retain_tensor(%x: tensor<2x6xf32>) -> !Rt {
  %r = sparse_train.min_k_retain %x keep = 3 encoding = indices : tensor<2x6xf32>
  return %r : !Rt
}

func.func @retain_rows(%x: tensor<2x6xf32>) -> !Rr {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.3 granularity = row : tensor<2x6xf32>
  return %r : !Rr
}

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  // NaN (index 2) ranks first; 7 at 8 and -7 at 9 tie with 7 at 11.
  %x = arith.constant dense<[[1.0, -3.0, 0x7FC00000, 2.0, -2.0, 0.5],
                             [0.0, -0.0, 7.0, -7.0, 1.0, 7.0]]> : tensor<2x6xf32>
  // CHECK: {{\[}}[0, 0, nan, 0, 0, 0],
  // CHECK-NEXT: [0, 0, 7, -7, 0, 0]]
  %r = call @retain_tensor(%x) : (tensor<2x6xf32>) -> !Rt
  %d = sparse_train.min_k_restore %r : !Rt
  %pd = tensor.cast %d : tensor<2x6xf32> to tensor<?x?xf32>
  call @print(%pd) : (tensor<?x?xf32>) -> ()

  // Per row, K = floor(0.3 * 6 + 0.5) = 2.
  // CHECK: {{\[}}[0, -3, nan, 0, 0, 0],
  // CHECK-NEXT: [0, 0, 7, -7, 0, 0]]
  %q = call @retain_rows(%x) : (tensor<2x6xf32>) -> !Rr
  %e = sparse_train.min_k_restore %q : !Rr
  %pe = tensor.cast %e : tensor<2x6xf32> to tensor<?x?xf32>
  call @print(%pe) : (tensor<?x?xf32>) -> ()

  // dW = x̂ᵀ dy: a dropped 2.0 facing Inf in dy adds nothing.
  // CHECK: {{\[}}[0, 0],
  // CHECK-NEXT: [-3, -6],
  // CHECK-NEXT: [nan, nan],
  // CHECK-NEXT: [-21, -28],
  // CHECK-NEXT: [0, 0],
  // CHECK-NEXT: [0, 0]]
  %dy = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %dw = sparse_train.min_k_weight_grad %q, %dy : !Rr, tensor<2x2xf32> -> tensor<6x2xf32>
  %pw = tensor.cast %dw : tensor<6x2xf32> to tensor<?x?xf32>
  call @print(%pw) : (tensor<?x?xf32>) -> ()

  // Keeping nothing gives zeros; keeping everything gives x back.
  // CHECK: {{\[}}[0, 0, 0, 0, 0, 0],
  // CHECK-NEXT: [0, 0, 0, 0, 0, 0]]
  %none = sparse_train.min_k_retain %x keep_ratio = 0.0 : tensor<2x6xf32>
  %z = sparse_train.min_k_restore %none : !sparse_train.retained<2x6xf32, kept = 0, bitmask>
  %pz = tensor.cast %z : tensor<2x6xf32> to tensor<?x?xf32>
  call @print(%pz) : (tensor<?x?xf32>) -> ()
  return
}
