// With both plugin entry points loaded, the stock mlir-opt runs the
// reference lowering and the whole CPU pipeline (plugin passes are named in
// --pass-pipeline, since mlir-opt parsed its flags before loading them).
// RUN: %mlir_opt %s --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext --load-pass-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext --pass-pipeline="builtin.module(convert-sparse-train-to-loops)" | FileCheck %s
// RUN: %mlir_opt %s --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext --load-pass-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext --pass-pipeline="builtin.module(sparse-train-to-cpu)" | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @f
//       CHECK: tensor.extract_slice
//   CHECK-NOT: sparse_train.
// LLVM: llvm.func @f
func.func @f(%x: tensor<4x8xf32>, %s: index) -> tensor<4x4xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<4x8xf32>
  return %0 : tensor<4x4xf32>
}
