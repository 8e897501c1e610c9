// sparse-train-to-nvvm checks its options against CUDA 13 and the NVPTX
// backend before building anything: a bad combination is one error line,
// never an LLVM ERROR (the upstream defaults sm_50 and +ptx60 fail with
// CUDA 13's ptxas and abort in the backend for sm_80).
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="chip=sm_50" 2>&1 | FileCheck %s --check-prefix=OLD
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="chip=sm_80 features=+ptx60" 2>&1 | FileCheck %s --check-prefix=PTX
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="chip=sm_90a features=+ptx78" 2>&1 | FileCheck %s --check-prefix=PTXA
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="chip=gfx90a" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="features=ptx80" 2>&1 | FileCheck %s --check-prefix=FEATURES
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="format=cubin" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="opt-level=5" 2>&1 | FileCheck %s --check-prefix=OPT
// OLD: error: sparse-train-to-nvvm: chip sm_50 is not supported by CUDA 13's ptxas (sm_75 or newer)
// PTX: error: sparse-train-to-nvvm: +ptx60 is older than PTX 7.0, the oldest that targets sm_80
// PTXA: error: sparse-train-to-nvvm: +ptx78 is older than PTX 8.0, the oldest that targets sm_90a
// CHIP: error: sparse-train-to-nvvm: chip must be sm_<number>, optionally with a or f, got 'gfx90a'
// FEATURES: error: sparse-train-to-nvvm: features must be empty or +ptx<version>, got 'ptx80'
// FORMAT: error: sparse-train-to-nvvm: format must be isa, bin or fatbin, got 'cubin'
// OPT: error: sparse-train-to-nvvm: opt-level must be 0 to 3, got 5
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="chip=sm_200" 2>&1 | FileCheck %s --check-prefix=UNKNOWN-CHIP
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="features=+ptx99" 2>&1 | FileCheck %s --check-prefix=UNKNOWN-PTX
// UNKNOWN-CHIP: error: sparse-train-to-nvvm: chip sm_200 is not a target of LLVM 22's NVPTX backend
// UNKNOWN-PTX: error: sparse-train-to-nvvm: +ptx99 is not a PTX version of LLVM 22's NVPTX backend

// A form of an op without a GPU kernel is named by the pipeline (an error,
// never a host fallback).
// RUN: not sparse-train-opt %s --sparse-train-to-nvvm="format=isa" 2>&1 | FileCheck %s --check-prefix=OPS
// OPS: error: convert-sparse-train-to-gpu: the GPU kernel needs static spatial sizes of the input gradient
func.func @f(%dy: tensor<1x3x3x4xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x?x?x2xf32> {
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1]
      : tensor<1x3x3x4xf32>, tensor<3x3x2x4xf32> -> tensor<1x?x?x2xf32>
  return %0 : tensor<1x?x?x2xf32>
}
