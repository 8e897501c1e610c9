// Every verifier diagnostic is emitted the same way inside the stock
// mlir-opt when the dialect comes from the plugin.
// RUN: %mlir_opt --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext %S/../Dialect/SparseTrain/invalid.mlir -split-input-file -verify-diagnostics
