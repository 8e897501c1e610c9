// Malformed input: A retained type without its closing '>'.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask) {
  return
}
// CHECK: retained-type-unterminated.mlir:4:40: error: unbalanced '<' character in pretty dialect name
