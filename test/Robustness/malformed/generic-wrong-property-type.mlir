// Malformed input: Generic form with a float where the property is an i64 attribute.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>, %s: index) {
  %0 = "sparse_train.slice_drop"(%x, %s) <{dim = 1.0 : f32, width = 4 : i64}> : (tensor<4x8xf32>, index) -> tensor<4x4xf32>
  return
}
// CHECK: generic-wrong-property-type.mlir:5:8: error: invalid properties {dim = 1.000000e+00 : f32, width = 4 : i64} for op sparse_train.slice_drop: Invalid attribute `dim` in property conversion: 1.000000e+00 : f32
