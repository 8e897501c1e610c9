// With runtime-checks, a dynamic slice start outside [0, extent - width]
// stops the program with a message instead of reading out of bounds. The
// upstream lowering of cf.assert writes the message to stdout with puts and
// then aborts, so stdout must be unbuffered for the message to survive.
// RUN: sparse-train-opt %s --sparse-train-to-cpu="runtime-checks=true" | not --crash stdbuf -o0 %run_cpu 2>&1 | FileCheck %s
// CHECK: sparse_train.slice_drop: start outside [0, 2]

func.func @drop(%x: tensor<2x4xf32>, %s: index) -> tensor<2x2xf32> {
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 2 : tensor<2x4xf32>
  return %0 : tensor<2x2xf32>
}

func.func @main() {
  %x = arith.constant dense<1.0> : tensor<2x4xf32>
  %c3 = arith.constant 3 : index
  %0 = call @drop(%x, %c3) : (tensor<2x4xf32>, index) -> tensor<2x2xf32>
  return
}
