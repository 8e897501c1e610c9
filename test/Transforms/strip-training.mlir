// sparse-train-strip-training: slice_drop becomes its full-size input, the
// wider shapes reach the ops that consumed the slices (linalg inits
// rebuilt, element-wise ops retyped), slice_expand of a full-size value
// disappears, the unused slice_start is removed and the function's result
// types follow.
// RUN: sparse-train-opt %s --sparse-train-strip-training --split-input-file | FileCheck %s
// RUN: sparse-train-opt %S/Inputs/ffn_step.mlir --sparse-train-strip-training --canonicalize | FileCheck %s --check-prefix=FFN

// CHECK-LABEL: func.func @layer
// CHECK-SAME: -> tensor<8x32xf32>
// CHECK-NOT: sparse_train
// CHECK: %[[E:.*]] = tensor.empty() : tensor<8x32xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<8x32xf32>)
// CHECK: %[[Y:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<16x32xf32>) outs(%[[F]] : tensor<8x32xf32>)
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<8x32xf32>
// CHECK: %[[R:.*]] = arith.maximumf %[[Y]], %[[Z]] : tensor<8x32xf32>
// CHECK: return %[[R]] : tensor<8x32xf32>
func.func @layer(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %seed: i64, %step: i64) -> tensor<8x8xf32> {
  %s = sparse_train.slice_start %seed, %step extent = 32, width = 8
  %ws = sparse_train.slice_drop %w, %s dim = 1, width = 8 : tensor<16x32xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %y = linalg.matmul ins(%x, %ws : tensor<8x16xf32>, tensor<16x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  %zeros = arith.constant dense<0.0> : tensor<8x8xf32>
  %r = arith.maximumf %y, %zeros : tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// FFN-LABEL: func.func @ffn
// FFN-SAME: -> (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32x16xf32>, tensor<8x16xf32>)
// FFN-NOT: sparse_train
// FFN: linalg.matmul ins(%{{.*}}, %arg3 : tensor<8x32xf32>, tensor<32x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// FFN: linalg.matmul {{.*}} ins(%{{.*}}, %arg4 : tensor<8x32xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<32x16xf32>)
// FFN: return
