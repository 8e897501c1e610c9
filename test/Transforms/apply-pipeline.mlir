// sparse-train-apply composes the apply passes from one option string, and
// the memory report runs in the same invocation.
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply="techniques=min-k,zero-skip tangents=5 layers=1 keep-ratio=0.25" --sparse-train-memory-report="tangents=5" 2>%t.report | FileCheck %s --check-prefix=MINK
// RUN: FileCheck %s --check-prefix=REPORT < %t.report
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply="techniques=block-prune tangents=5 layers=1 block-rows=2 block-cols=4" 2>/dev/null | FileCheck %s --check-prefix=BSR
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply="techniques=dropout" 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// MINK: sparse_train.min_k_retain %{{.*}} keep_ratio = 2.500000e-01
// MINK: sparse_train.min_k_weight_grad
// REPORT: remark: layer 1: weight gradient rewritten to sparse_train.min_k_weight_grad
// REPORT: total saved activations: 3 value(s), 448 B dense, 264 B stored (58.9 %)
// BSR: sparse_train.block_prune %{{.*}} block = [2, 4]
// BSR: sparse_train.bsr_matmul %{{.*}}, %arg5 transpose_a
// UNKNOWN: error: sparse-train-apply: unknown technique 'dropout' (choose from min-k, block-prune, slice-drop, zero-skip)
