// sparse-train-opt is built on LLVM 22.1 and takes textual pass pipelines
// like mlir-opt, nested or not.
// RUN: sparse-train-opt --version | FileCheck %s --check-prefix=VERSION
// RUN: sparse-train-opt %s --pass-pipeline="builtin.module(func.func(canonicalize))" | FileCheck %s
// RUN: sparse-train-opt %s --pass-pipeline="builtin.module(canonicalize,cse)" | FileCheck %s
// RUN: not sparse-train-opt %s --pass-pipeline="builtin.module(no-such-pass)" 2>&1 | FileCheck %s --check-prefix=BAD
// VERSION: LLVM version 22.1
// BAD: error: 'no-such-pass' does not refer to a registered pass or pass pipeline

// CHECK-LABEL: func.func @f
//  CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>
//       CHECK: return %[[X]]
func.func @f(%x: tensor<4x8xf32>, %s: index) -> tensor<4x8xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 8 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
