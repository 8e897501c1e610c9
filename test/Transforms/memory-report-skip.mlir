// Without `func`, sparse-train-memory-report skips the functions that are
// not joint steps (no gradient result after the forward ones, several
// blocks, declarations) instead of failing on them.
// RUN: sparse-train-opt %s --sparse-train-memory-report -o /dev/null 2>&1 | FileCheck %s
// CHECK-NOT: error
// CHECK: memory report for @step
// CHECK-NOT: memory report
func.func private @print(tensor<4xf32>)
func.func @main() {
  return
}
func.func @branches(%c: i1, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  cf.cond_br %c, ^a, ^b
^a:
  return %x, %x : tensor<4xf32>, tensor<4xf32>
^b:
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}
func.func @step(%x: tensor<4xf32>, %w: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y = arith.mulf %x, %w : tensor<4xf32>
  %g = arith.mulf %x, %x : tensor<4xf32>
  return %y, %g : tensor<4xf32>, tensor<4xf32>
}
