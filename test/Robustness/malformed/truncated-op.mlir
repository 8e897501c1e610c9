// Malformed input: An op cut off in the middle of its attributes.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = sparse_train.slice_drop %x, %s dim = 1, wid
// CHECK: truncated-op.mlir:5:48: error: custom op 'sparse_train.slice_drop' expected 'width'
