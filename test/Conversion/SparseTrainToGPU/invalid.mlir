// RUN: sparse-train-opt %s --sparse-train-gpu-host-shared-buffers -split-input-file -verify-diagnostics
// RUN: not sparse-train-opt %s --sparse-train-gpu-map-parallel-loops="block-size=0" -split-input-file 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not sparse-train-opt %s --sparse-train-gpu-buffer-deallocation -split-input-file 2>&1 | FileCheck %s --check-prefix=DEALLOC
// RUN: not sparse-train-opt %s --sparse-train-gpu-launch-to-openmp -split-input-file 2>&1 | FileCheck %s --check-prefix=EMU
// BLOCK: error: sparse-train-gpu-map-parallel-loops: block-size must be in [1, 1024], got 0
// DEALLOC: error: sparse-train-gpu-buffer-deallocation: outline the kernels first (gpu-kernel-outlining)
// EMU: error: sparse-train-gpu-launch-to-openmp: only synchronous launches without dynamic shared memory

// A kernel that reads a stack buffer cannot run: the device cannot reach
// the host's stack.
func.func @stack() {
  %c1 = arith.constant 1 : index
  // expected-note @below {{defined here}}
  %s = memref.alloca() : memref<4xf32>
  // expected-error @below {{a kernel reads a stack buffer the device cannot reach ('memref.alloca')}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %s[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// An asynchronous launch is not emulated by sparse-train-gpu-launch-to-openmp.
func.func @async(%m: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %t = gpu.wait async
  %d = gpu.launch async [%t] blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %m[%tx] : memref<4xf32>
    gpu.terminator
  }
  gpu.wait [%d]
  return
}
