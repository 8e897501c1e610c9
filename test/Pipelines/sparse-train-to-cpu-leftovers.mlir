// An op the CPU pipeline cannot lower is reported by name, with its location,
// instead of being left in the output.
// RUN: not sparse-train-opt %s -allow-unregistered-dialect --sparse-train-to-cpu 2>&1 | FileCheck %s
// CHECK: sparse-train-to-cpu-leftovers.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'test.unknown' was not lowered (allowed dialects: builtin, llvm)
func.func @f(%x: i32) -> i32 {
  %0 = "test.unknown"(%x) : (i32) -> i32
  return %0 : i32
}
