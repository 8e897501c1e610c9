// Malformed input: A retained type without a shape is rank 0 (one element), so kept = 3 is too many.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%r: !sparse_train.retained<f32, kept = 3, bitmask>) {
  return
}
// CHECK: retained-type-no-shape.mlir:4:40: error: retained count 'kept' = 3 exceeds the 1 elements of the dense shape
