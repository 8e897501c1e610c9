// sparse-train-propagate-slices on an FFN layer with slice-drop: the
// forward product runs on a column slice of W1 (and of the bias), the
// activation and the ReLU gradient on the kept units only, the data
// gradient contracts over the slice of W1, and the weight gradients are
// smaller products expanded back to full size. Nothing 8x32 is computed.
// RUN: sparse-train-opt %S/Inputs/ffn_step.mlir --sparse-train-propagate-slices | FileCheck %s
// RUN: sparse-train-opt %S/Inputs/ffn_step.mlir --sparse-train-propagate-slices | FileCheck %s --check-prefix=NARROW

// CHECK-LABEL: func.func @ffn
//  CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<8x16xf32>, %[[W1:[a-z0-9]+]]: tensor<16x32xf32>, %[[B1:[a-z0-9]+]]: tensor<32xf32>, %[[W2:[a-z0-9]+]]: tensor<32x16xf32>
//       CHECK: %[[S:.*]] = sparse_train.slice_start
//       CHECK: %[[W1S:.*]] = tensor.extract_slice %[[W1]][0, %[[S]]] [16, 16] [1, 1]
//       CHECK: %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W1S]] : tensor<8x16xf32>, tensor<16x16xf32>)
//       CHECK: %[[B1S:.*]] = tensor.extract_slice %[[B1]][%[[S]]] [16] [1]
//       CHECK: linalg.generic {{.*}} ins(%[[M]], %[[B1S]] : tensor<8x16xf32>, tensor<16xf32>)
//       CHECK: tensor.extract_slice %[[W2]][%[[S]], 0] [16, 16] [1, 1]
//   CHECK-NOT: sparse_train.slice_drop
//       CHECK: %[[DW2:.*]] = sparse_train.slice_expand %{{.*}}, %[[S]] dim = 0, extent = 32 : tensor<16x16xf32>
//       CHECK: %[[DZ:.*]] = linalg.generic
//       CHECK: } -> tensor<8x16xf32>
//       CHECK: %[[DW1S:.*]] = linalg.matmul {{.*}} ins(%[[X]], %[[DZ]] : tensor<8x16xf32>, tensor<8x16xf32>)
//       CHECK: %[[DW1:.*]] = sparse_train.slice_expand %[[DW1S]], %[[S]] dim = 1, extent = 32 : tensor<16x16xf32>
//       CHECK: %[[DX:.*]] = linalg.matmul {{.*}} ins(%[[DZ]], %[[W1S]] : tensor<8x16xf32>, tensor<16x16xf32>)
//       CHECK: return %{{.*}}, %[[DW1]], %[[DW2]], %[[DX]]
// NARROW-NOT: -> tensor<8x32xf32>
