// sparse-train-apply-min-k on torch-mlir's MLP joint step (Inputs/
// mlp_joint_step.mlir, tangent argument 5). Its two layers are the first
// and the last, which DropIT keeps dense by default; `layers=1` rewrites
// the second layer's weight gradient dW2 = gy^T h into a transpose of
// min_k_weight_grad(min_k_retain(h), gy), and says that the ReLU mask
// keeps h alive.
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-min-k="tangents=5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=DEFAULT
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-min-k="tangents=5 layers=1 keep-ratio=0.25" 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks

// DEFAULT-COUNT-2: remark: layer {{[01]}}: not rewritten to sparse_train.min_k_weight_grad: the first and the last layer keep their input

// CHECK-LABEL: func.func @train_step
// CHECK: arith.cmpf ugt
// CHECK: } -> tensor<4x16xf32>
// CHECK-NEXT: %[[R:.*]] = sparse_train.min_k_retain %{{.*}} keep_ratio = 2.500000e-01 : tensor<4x16xf32>
// CHECK: %[[G:.*]] = sparse_train.min_k_weight_grad %[[R]], %arg5 : !sparse_train.retained<4x16xf32, kept = 16, bitmask>, tensor<4x3xf32> -> tensor<16x3xf32>
// CHECK: %[[DW2:.*]] = linalg.transpose ins(%[[G]] : tensor<16x3xf32>) outs(%{{.*}} : tensor<3x16xf32>) permutation = [1, 0]
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[DW2]], %{{.*}}

// REMARK: remark: layer 0: not rewritten to sparse_train.min_k_weight_grad: not among the chosen layers
// REMARK: remark: layer 1: weight gradient rewritten to sparse_train.min_k_weight_grad of the saved input retained with keep ratio 2.500000e-01; the dense input stays alive: the backward also reads it (linalg.generic)
