// The retained type is taken apart into its values, its positions and one
// index per dynamic dimension, across function signatures, calls and
// returns.
// RUN: sparse-train-opt %s --convert-sparse-train-to-loops | FileCheck %s

// CHECK-LABEL: func.func @produce
//  CHECK-SAME: -> (tensor<13xf32>, tensor<2xi32>)
func.func @produce(%x: tensor<8x8xf32>) -> !sparse_train.retained<8x8xf32, kept = 13, bitmask> {
  %r = sparse_train.min_k_retain %x keep = 13 : tensor<8x8xf32>
  return %r : !sparse_train.retained<8x8xf32, kept = 13, bitmask>
}

// CHECK-LABEL: func.func @consume
//  CHECK-SAME: (%{{.*}}: tensor<13xf32>, %{{.*}}: tensor<2xi32>)
func.func @consume(%r: !sparse_train.retained<8x8xf32, kept = 13, bitmask>) -> tensor<8x8xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<8x8xf32, kept = 13, bitmask>
  return %d : tensor<8x8xf32>
}

// CHECK-LABEL: func.func @dynamic
//  CHECK-SAME: (%{{.*}}: tensor<?xf16>, %{{.*}}: tensor<?xi64>, %{{.*}}: index)
//  CHECK-SAME: -> (tensor<?xf16>, tensor<?xi64>, index)
//       CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<?xf16>, tensor<?xi64>, index
func.func @dynamic(%r: !sparse_train.retained<?x4xf16, kept = ?, indices>) -> !sparse_train.retained<?x4xf16, kept = ?, indices> {
  return %r : !sparse_train.retained<?x4xf16, kept = ?, indices>
}

// CHECK-LABEL: func.func @call
//       CHECK: %[[P:.*]]:2 = call @produce
//       CHECK: call @consume(%[[P]]#0, %[[P]]#1)
//   CHECK-NOT: unrealized_conversion_cast
func.func @call(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %r = func.call @produce(%x) : (tensor<8x8xf32>) -> !sparse_train.retained<8x8xf32, kept = 13, bitmask>
  %d = func.call @consume(%r) : (!sparse_train.retained<8x8xf32, kept = 13, bitmask>) -> tensor<8x8xf32>
  return %d : tensor<8x8xf32>
}
