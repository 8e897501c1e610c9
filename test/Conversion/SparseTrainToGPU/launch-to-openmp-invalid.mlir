// RUN: sparse-train-opt %s --sparse-train-gpu-launch-to-openmp -split-input-file -verify-diagnostics

// Warp ops the emulation does not cover are errors on the op.
func.func @vote_any(%p: i1) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %m = arith.constant -1 : i32
    // expected-error @below {{sparse-train-gpu-launch-to-openmp: only the ballot vote is emulated}}
    %v = nvvm.vote.sync any %m, %p -> i1
    gpu.terminator
  }
  return
}

// -----

func.func @shuffle_xor(%x: f32) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %o = arith.constant 1 : i32
    %w = arith.constant 32 : i32
    // expected-error @below {{sparse-train-gpu-launch-to-openmp: only indexed shuffles are emulated}}
    %r, %ok = gpu.shuffle xor %x, %o, %w : f32
    gpu.terminator
  }
  return
}

// -----

// An MMA shape other than m16n8k16 (here m16n8k8).
func.func @mma_m16n8k8(%a: vector<2xf16>, %b: vector<2xf16>, %c: f32) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    // expected-error @below {{sparse-train-gpu-launch-to-openmp: only m16n8k16 row/col MMAs of f16/bf16 into f32 are emulated}}
    %d = nvvm.mma.sync A[%a, %a] B[%b] C[%c, %c, %c, %c]
        {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>,
         shape = #nvvm.shape<m = 16, n = 8, k = 8>}
        : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    gpu.terminator
  }
  return
}
