// Bad options are diagnostics on the function (checked in the -verify-
// diagnostics form for each), and a chain the pass declines.
// RUN: sparse-train-opt %s --split-input-file --verify-diagnostics --sparse-train-apply-slice-drop="keep-ratio=0.5"
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="keep-ratio=0" 2>&1 | FileCheck %s --check-prefix=RATIO
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="align=0" 2>&1 | FileCheck %s --check-prefix=ALIGN
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="seed-arg=0" 2>&1 | FileCheck %s --check-prefix=SEED
// RUN: not sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="counter-arg=9" 2>&1 | FileCheck %s --check-prefix=COUNTER
// RATIO: error: sparse-train-apply-slice-drop: keep-ratio must be in (0, 1], got 0.000000e+00
// ALIGN: error: sparse-train-apply-slice-drop: align must be at least 1
// SEED: error: sparse-train-apply-slice-drop: seed-arg 0 is not an i64 argument
// COUNTER: error: sparse-train-apply-slice-drop: counter-arg 9 is not an i64 argument


// The hidden units feed a residual sum as well as the next layer: slicing
// them would change the residual path, so the chain is declined.
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
func.func @negative_residual(%x: tensor<4x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>, %gy: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{unit chain not sliced: the units have another forward reader (linalg.generic)}}
  %m2 = linalg.matmul ins(%h, %w2 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%m2, %h : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %ew = tensor.empty() : tensor<8x8xf32>
  %zw = linalg.fill ins(%zero : f32) outs(%ew : tensor<8x8xf32>) -> tensor<8x8xf32>
  %dw2 = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%h, %gy : tensor<4x8xf32>, tensor<4x8xf32>) outs(%zw : tensor<8x8xf32>) -> tensor<8x8xf32>
  %dw1 = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%x, %gy : tensor<4x8xf32>, tensor<4x8xf32>) outs(%zw : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %y, %dw1, %dw2 : tensor<4x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>
}
