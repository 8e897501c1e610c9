// An op the CPU pipeline cannot lower is reported by name, with its location,
// instead of being left in the output (here a GPU op outside any kernel).
// OpenMP ops may remain unless the pipeline runs on one thread.
// RUN: not sparse-train-opt %s --sparse-train-to-cpu 2>&1 | FileCheck %s
// RUN: not sparse-train-opt %s --sparse-train-to-cpu=num-threads=1 2>&1 | FileCheck %s --check-prefix=SEQ
// CHECK: sparse-train-to-cpu-leftovers.mlir:[[@LINE+3]]:{{[0-9]+}}: error: 'gpu.thread_id' was not lowered (allowed dialects: builtin, llvm, omp)
// SEQ: sparse-train-to-cpu-leftovers.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'gpu.thread_id' was not lowered (allowed dialects: builtin, llvm){{$}}
func.func @f() -> index {
  %0 = gpu.thread_id x
  return %0 : index
}
