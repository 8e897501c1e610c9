// sparse-train-sink-fills: a fill on tensors gets a clone (with its
// tensor.empty) right before each op it initializes; the original goes when
// nothing else uses it.
// RUN: sparse-train-opt %s --sparse-train-sink-fills --split-input-file | FileCheck %s

// A fill shared by two products (as CSE leaves it): one per product.
// CHECK-LABEL: func.func @shared
//       CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x4xf32>
//  CHECK-NEXT: %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4x4xf32>)
//  CHECK-NEXT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x4xf32>) outs(%[[Z1]] : tensor<4x4xf32>)
//  CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<4x4xf32>
//  CHECK-NEXT: %[[Z2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4x4xf32>)
//  CHECK-NEXT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x2xf32>, tensor<2x4xf32>) outs(%[[Z2]] : tensor<4x4xf32>)
//   CHECK-NOT: linalg.fill
func.func @shared(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x2xf32>, %d: tensor<2x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%c, %d : tensor<4x2xf32>, tensor<2x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x, %y : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Dynamic sizes: the cloned empty takes the same size operands.
// CHECK-LABEL: func.func @dynamic
//  CHECK-SAME: %[[N:[a-z0-9]+]]: index
//       CHECK: %[[B:.*]] = linalg.matmul
//       CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
//  CHECK-NEXT: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x4xf32>)
//  CHECK-NEXT: linalg.matmul ins(%{{.*}}, %[[B]] : tensor<?x4xf32>, tensor<4x4xf32>) outs(%[[Z]] : tensor<?x4xf32>)
func.func @dynamic(%a: tensor<?x4xf32>, %w: tensor<4x4xf32>, %v: tensor<4x4xf32>, %n: index) -> tensor<?x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %e2 = tensor.empty() : tensor<4x4xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = linalg.matmul ins(%w, %v : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%a, %b : tensor<?x4xf32>, tensor<4x4xf32>) outs(%z : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// A fill that is also read (not as an init) stays for that reader; the
// product gets its own. A fill into a function argument is cloned without
// an empty.
// CHECK-LABEL: func.func @also_read
//  CHECK-SAME: %{{.*}}: tensor<4x4xf32>, %[[T:[a-z0-9]+]]: tensor<4x4xf32>
//       CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[T]] : tensor<4x4xf32>)
//  CHECK-NEXT: %[[Z1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[T]] : tensor<4x4xf32>)
//  CHECK-NEXT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>) outs(%[[Z1]] : tensor<4x4xf32>)
//       CHECK: return %{{.*}}, %[[Z]]
func.func @also_read(%a: tensor<4x4xf32>, %t: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%t : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x, %z : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Fills on buffers are not touched.
// CHECK-LABEL: func.func @negative_buffers
//       CHECK: linalg.fill
//  CHECK-NEXT: memref.copy
//  CHECK-NEXT: linalg.matmul
func.func @negative_buffers(%a: memref<4x4xf32>, %c: memref<4x4xf32>, %d: memref<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x4xf32>)
  memref.copy %c, %d : memref<4x4xf32> to memref<4x4xf32>
  linalg.matmul ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  return
}
