// sparse-train-apply-block-prune on torch-mlir's MLP joint step (tangent
// argument 5): `layers=1` prunes the ReLU output h into 2x4 blocks right
// after it is defined and computes dW2 = gy^T h as the transpose of
// bsr_matmul(h^, gy, transpose_a); the ReLU's backward then reads an i1
// mask saved in the forward instead of h (relu-mask, default); a block that
// does not divide h's shape is declined; options are checked.
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-block-prune="tangents=5 layers=1 block-rows=2 block-cols=4" 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-block-prune="tangents=5 layers=1 block-rows=2 block-cols=4 relu-mask=false" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ALIVE
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-block-prune="tangents=5 layers=1 block-rows=3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=DECLINE
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-block-prune="score=l3" 2>&1 | FileCheck %s --check-prefix=SCORE
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-block-prune="block-rows=0" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-block-prune="keep-ratio=-1" 2>&1 | FileCheck %s --check-prefix=RATIO

// CHECK-LABEL: func.func @train_step
// CHECK: arith.cmpf ugt
// CHECK: } -> tensor<4x16xf32>
// CHECK-DAG: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x16xi1>) attrs = {{.*}}{sparse_train.saved_form}
// CHECK-DAG: %[[P:.*]] = sparse_train.block_prune %{{.*}} block = [2, 4] score = l1 select = global_top_k keep_ratio = 5.000000e-01 : tensor<4x16xf32> -> tensor<4x16xf32, #sparse>
// CHECK: %[[G:.*]] = sparse_train.bsr_matmul %[[P]], %arg5 transpose_a : tensor<4x16xf32, #sparse>, tensor<4x3xf32> -> tensor<16x3xf32>
// CHECK: %[[DW2:.*]] = linalg.transpose ins(%[[G]] : tensor<16x3xf32>) outs(%{{.*}} : tensor<3x16xf32>) permutation = [1, 0]
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[DW2]], %{{.*}}

// REMARK: remark: layer 0: not rewritten to sparse_train.bsr_matmul: not among the chosen layers
// REMARK: remark: layer 1: weight gradient rewritten to sparse_train.bsr_matmul of the saved input pruned to 2x4 blocks, keep ratio 5.000000e-01; the ReLU backward reads an i1 mask saved in the forward instead of the input
// ALIVE: remark: layer 1: weight gradient rewritten to sparse_train.bsr_matmul of the saved input pruned to 2x4 blocks, keep ratio 5.000000e-01; the dense input stays alive: the backward also reads it (linalg.generic)
// DECLINE: remark: layer 1: not rewritten: the block 3x32 does not divide the saved input's shape 4x16
// SCORE: error: sparse-train-apply-block-prune: score must be l1, l2 or max_abs, got 'l3'
// BLOCK: error: sparse-train-apply-block-prune: block-rows and block-cols must be at least 1
// RATIO: error: sparse-train-apply-block-prune: keep-ratio must be in [0, 1], got -1.000000e+00
