// Debian's stock mlir-opt, with the plugin loaded, prints the same IR as
// sparse-train-opt for every op of ops.mlir.
// RUN: %mlir_opt --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext %S/../Dialect/SparseTrain/ops.mlir -split-input-file > %t.plugin.mlir
// RUN: sparse-train-opt %S/../Dialect/SparseTrain/ops.mlir -split-input-file > %t.opt.mlir
// RUN: diff %t.plugin.mlir %t.opt.mlir
// RUN: FileCheck %S/../Dialect/SparseTrain/ops.mlir < %t.plugin.mlir
// The whole file as one module, as `make check`'s acceptance command runs it.
// RUN: %mlir_opt --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext %S/../Dialect/SparseTrain/ops.mlir > %t.plugin.whole.mlir
// RUN: sparse-train-opt %S/../Dialect/SparseTrain/ops.mlir > %t.opt.whole.mlir
// RUN: diff %t.plugin.whole.mlir %t.opt.whole.mlir
