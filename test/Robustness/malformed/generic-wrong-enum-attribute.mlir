// Malformed input: Generic form with an encoding attribute given as the granularity.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
func.func @f(%x: tensor<4x8xf32>) {
  %0 = "sparse_train.min_k_retain"(%x) <{keep = 3 : i64, granularity = #sparse_train<encoding indices>}> : (tensor<4x8xf32>) -> !sparse_train.retained<4x8xf32, kept = 3, bitmask>
  return
}
// CHECK: generic-wrong-enum-attribute.mlir:5:8: error: invalid properties {granularity = #sparse_train<encoding indices>, keep = 3 : i64} for op sparse_train.min_k_retain: Invalid attribute `granularity` in property conversion: #sparse_train<encoding indices>
