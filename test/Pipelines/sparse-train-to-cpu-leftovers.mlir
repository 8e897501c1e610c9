// An op the CPU pipeline cannot lower is reported by name, with its location,
// instead of being left in the output (here a GPU op outside any kernel).
// RUN: not sparse-train-opt %s --sparse-train-to-cpu 2>&1 | FileCheck %s
// CHECK: sparse-train-to-cpu-leftovers.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'gpu.thread_id' was not lowered (allowed dialects: builtin, llvm)
func.func @f() -> index {
  %0 = gpu.thread_id x
  return %0 : index
}
