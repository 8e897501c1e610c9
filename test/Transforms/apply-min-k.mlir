// sparse-train-apply-min-k on torch-mlir's MLP joint step (Inputs/
// mlp_joint_step.mlir, tangent argument 5). Its two layers are the first
// and the last, which DropIT keeps dense by default; `layers=1` rewrites
// the second layer's weight gradient dW2 = gy^T h into a transpose of
// min_k_weight_grad(min_k_retain(h), gy). The ReLU's backward also reads
// h (threshold_backward: h <= 0): by default its comparison is saved as an
// i1 mask in the forward instead, so h is freed; with relu-mask=false the
// remark says that the ReLU mask keeps h alive.
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-min-k="tangents=5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=DEFAULT
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-min-k="tangents=5 layers=1 keep-ratio=0.25" 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-min-k="tangents=5 layers=1 keep-ratio=0.25 relu-mask=false" 2>&1 -o /dev/null | FileCheck %s --check-prefix=ALIVE

// DEFAULT-COUNT-2: remark: layer {{[01]}}: not rewritten to sparse_train.min_k_weight_grad: the first and the last layer keep their input

// CHECK-LABEL: func.func @train_step
// CHECK: arith.addf
// CHECK: %[[H:.*]] = linalg.generic
// CHECK: arith.cmpf ugt
// CHECK: } -> tensor<4x16xf32>
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<4x16xf32>) outs(%{{.*}} : tensor<4x16xi1>) attrs = {{.*}}{sparse_train.saved_form}
// CHECK: arith.cmpf ule
// CHECK: %[[R:.*]] = sparse_train.min_k_retain %[[H]] keep_ratio = 2.500000e-01 : tensor<4x16xf32>
// CHECK: %[[G:.*]] = sparse_train.min_k_weight_grad %[[R]], %arg5 : !sparse_train.retained<4x16xf32, kept = 16, bitmask>, tensor<4x3xf32> -> tensor<16x3xf32>
// CHECK: %[[DW2:.*]] = linalg.transpose ins(%[[G]] : tensor<16x3xf32>) outs(%{{.*}} : tensor<3x16xf32>) permutation = [1, 0]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[M]] : tensor<4x16xf32>, tensor<4x16xi1>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[B:.*]]: i1, %{{.*}}: f32):
// CHECK-NEXT: arith.select %[[B]]
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[DW2]], %{{.*}}

// REMARK: remark: layer 0: not rewritten to sparse_train.min_k_weight_grad: not among the chosen layers
// REMARK: remark: layer 1: weight gradient rewritten to sparse_train.min_k_weight_grad of the saved input retained with keep ratio 2.500000e-01; the ReLU backward reads an i1 mask saved in the forward instead of the input

// ALIVE: remark: layer 1: weight gradient rewritten to sparse_train.min_k_weight_grad of the saved input retained with keep ratio 2.500000e-01; the dense input stays alive: the backward also reads it (linalg.generic)

// One saved input feeding two weight gradients (the query and key
// projections of an attention layer take the same input): one retained
// form serves both, in the JAX form X^T G (transposed maps, no transpose
// back).
// RUN: sparse-train-opt %s --sparse-train-apply-min-k="forward-results=2 tangents=3,4 layers=0" 2>%t.two | FileCheck %s --check-prefix=TWO
// RUN: FileCheck %s --check-prefix=TWO-REMARK < %t.two
// `func` restricts the pass to one function.
// RUN: sparse-train-opt %s --sparse-train-apply-min-k="func=not_a_step forward-results=2 tangents=3,4 layers=0" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: sparse-train-opt %s --sparse-train-apply="techniques=min-k func=shared_input forward-results=2 tangents=3,4 layers=0" 2>/dev/null | FileCheck %s --check-prefix=TWO
// OTHER-NOT: sparse_train.min_k_retain
// OTHER-NOT: remark
// TWO-LABEL: func.func @shared_input
// TWO-COUNT-1: sparse_train.min_k_retain
// TWO: sparse_train.min_k_weight_grad %[[R:.*]], %arg3 : {{.*}} -> tensor<4x3xf32>
// TWO: sparse_train.min_k_weight_grad %[[R]], %arg4 : {{.*}} -> tensor<4x3xf32>
// TWO-NOT: linalg.transpose
// TWO-REMARK-COUNT-2: layer 0: weight gradient rewritten to sparse_train.min_k_weight_grad of the saved input retained with keep ratio 1.000000e-01{{$}}
#tn = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
func.func @shared_input(%x: tensor<8x4xf32>, %wq: tensor<4x3xf32>, %wk: tensor<4x3xf32>, %gq: tensor<8x3xf32>, %gk: tensor<8x3xf32>)
    -> (tensor<8x3xf32>, tensor<8x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %c0 = arith.constant 0.0 : f32
  %e8 = tensor.empty() : tensor<8x3xf32>
  %z8 = linalg.fill ins(%c0 : f32) outs(%e8 : tensor<8x3xf32>) -> tensor<8x3xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<8x4xf32>, tensor<4x3xf32>) outs(%z8 : tensor<8x3xf32>) -> tensor<8x3xf32>
  %k = linalg.matmul ins(%x, %wk : tensor<8x4xf32>, tensor<4x3xf32>) outs(%z8 : tensor<8x3xf32>) -> tensor<8x3xf32>
  %e4 = tensor.empty() : tensor<4x3xf32>
  %z4 = linalg.fill ins(%c0 : f32) outs(%e4 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %dq = linalg.matmul indexing_maps = #tn ins(%x, %gq : tensor<8x4xf32>, tensor<8x3xf32>) outs(%z4 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %dk = linalg.matmul indexing_maps = #tn ins(%x, %gk : tensor<8x4xf32>, tensor<8x3xf32>) outs(%z4 : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %q, %k, %dq, %dk : tensor<8x3xf32>, tensor<8x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// A function that is not a joint step (no gradient results) is left alone.
// TWO-LABEL: func.func @not_a_step
// TWO-NOT: sparse_train
func.func @not_a_step(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
