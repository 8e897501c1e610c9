// Malformed input: A tensor type with a dimension that is not a number.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4xnanxf32>) {
  return
}
// CHECK: nan-dimension.mlir:4:27: error: expected non-function type
