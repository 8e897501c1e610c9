// Options that do not fit the function give a diagnostic on it, not a crash.
// RUN: sparse-train-opt %s --sparse-train-memory-report="func=step forward-results=3" --verify-diagnostics -o /dev/null
// RUN: not sparse-train-opt %s --sparse-train-memory-report="tangents=4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TANGENT
// RUN: not sparse-train-opt %s --sparse-train-memory-report="format=xml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FORMAT

// TANGENT: memory-report-invalid.mlir:[[@LINE+3]]:1: error: training-graph analysis: argument 4 does not exist (the function has 2)
// FORMAT: error: sparse-train-memory-report: format must be text or json, got 'xml'
// expected-error @below {{training-graph analysis: 3 forward results requested, the function has 2}}
func.func @step(%x: tensor<4xf32>, %w: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y = arith.mulf %x, %w : tensor<4xf32>
  %g = arith.mulf %x, %x : tensor<4xf32>
  return %y, %g : tensor<4xf32>, tensor<4xf32>
}

