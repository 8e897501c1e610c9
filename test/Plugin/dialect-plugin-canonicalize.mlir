// The folders and canonicalization patterns work inside the stock mlir-opt.
// RUN: %mlir_opt --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext %S/../Dialect/SparseTrain/canonicalize.mlir -canonicalize -split-input-file | FileCheck %S/../Dialect/SparseTrain/canonicalize.mlir
