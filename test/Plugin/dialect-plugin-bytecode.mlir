// Bytecode written by sparse-train-opt is read by the stock mlir-opt with the
// plugin, and the other way round.
// RUN: sparse-train-opt %S/../Dialect/SparseTrain/bytecode.mlir -emit-bytecode -o %t.bc
// RUN: %mlir_opt --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext %t.bc | FileCheck %S/../Dialect/SparseTrain/bytecode.mlir
// RUN: %mlir_opt --load-dialect-plugin=%sparse_train_libs/SparseTrainPlugin%shlibext %S/../Dialect/SparseTrain/bytecode.mlir -emit-bytecode | sparse-train-opt | FileCheck %S/../Dialect/SparseTrain/bytecode.mlir
