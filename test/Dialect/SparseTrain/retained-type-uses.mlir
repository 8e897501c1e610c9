// The retained form is an ordinary SSA value: it crosses calls, returns,
// branches of scf.if and loop-carried values, as a saved activation does
// between the forward and the backward function.
// RUN: sparse-train-opt %s | sparse-train-opt | FileCheck %s

!R = !sparse_train.retained<16x32xf32, kept = 51, bitmask>

// CHECK-LABEL: func.func @forward
//  CHECK-SAME: -> !sparse_train.retained<16x32xf32, kept = 51, bitmask>
func.func @forward(%x: tensor<16x32xf32>) -> !R {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<16x32xf32>
  return %r : !R
}

// CHECK-LABEL: func.func @backward
//       CHECK: %[[R:.*]] = call @forward
//       CHECK: scf.if
//       CHECK: scf.yield %[[R]] : !sparse_train.retained<16x32xf32, kept = 51, bitmask>
//       CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (!sparse_train.retained<16x32xf32, kept = 51, bitmask>)
//       CHECK: sparse_train.min_k_weight_grad
func.func @backward(%x: tensor<16x32xf32>, %dy: tensor<16x8xf32>, %c: i1) -> tensor<32x8xf32> {
  %r = func.call @forward(%x) : (tensor<16x32xf32>) -> !R
  %other = sparse_train.min_k_retain %x keep = 51 : tensor<16x32xf32>
  %s = scf.if %c -> !R {
    scf.yield %r : !R
  } else {
    scf.yield %other : !R
  }
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %t = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %s) -> (!R) {
    scf.yield %acc : !R
  }
  %dw = sparse_train.min_k_weight_grad %t, %dy : !R, tensor<16x8xf32> -> tensor<32x8xf32>
  return %dw : tensor<32x8xf32>
}
