// The folders and patterns reach a fixed point in one greedy run on every
// canonicalization and round-trip input (no pattern undoes another).
// RUN: sparse-train-opt %S/canonicalize.mlir -split-input-file -canonicalize="test-convergence=true" > /dev/null
// RUN: sparse-train-opt %S/ops.mlir -split-input-file -canonicalize="test-convergence=true" > /dev/null
// RUN: sparse-train-opt %sparse_train_src/examples/training_step.mlir -canonicalize="test-convergence=true" | sparse-train-opt > /dev/null
