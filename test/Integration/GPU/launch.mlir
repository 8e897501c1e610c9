// Runs a kernel on the GPU through the project's CUDA runtime
// (libsparse_train_cuda_runtime.so): device allocation, a memset, host to
// device and device to host copies, a launch of 2 blocks of 32 threads that
// adds the memset value 1.0 to 64 floats, and stream synchronization. The
// kernel is PTX for sm_75 (format=isa) that the driver compiles for the GPU
// present, so no ptxas is needed. launch-ptx.test and launch-cubin.test
// compile the same kernel without a GPU.
//
// REQUIRES: cuda-gpu
// REQUIRES: nvptx
// RUN: mlir-opt %s --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_75 cubin-features= cubin-format=isa" \
// RUN: | %run_gpu | FileCheck %s

// CHECK: data =
// CHECK-NEXT: [1,  2,  3,  4,  5,  6,  7,  8,  9,  10,  11,  12,  13,  14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,  56,  57,  58,  59,  60,  61,  62,  63,  64]

module attributes {gpu.container_module} {
  func.func private @printMemrefF32(memref<*xf32>)

  func.func @main() {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %one = arith.constant 1.0 : f32
    // host[i] = i
    %host = memref.alloc() : memref<64xf32>
    scf.for %i = %c0 to %c64 step %c1 {
      %i32 = arith.index_cast %i : index to i32
      %f = arith.sitofp %i32 : i32 to f32
      memref.store %f, %host[%i] : memref<64xf32>
    }
    %t0 = gpu.wait async
    %data, %t1 = gpu.alloc async [%t0] () : memref<64xf32>
    %addend, %t2 = gpu.alloc async [%t1] () : memref<64xf32>
    %t3 = gpu.memset async [%t2] %addend, %one : memref<64xf32>, f32
    %t4 = gpu.memcpy async [%t3] %data, %host : memref<64xf32>, memref<64xf32>
    %t5 = gpu.launch async [%t4]
        blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
        threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
      %base = arith.muli %bx, %sx : index
      %i = arith.addi %base, %tx : index
      %x = memref.load %data[%i] : memref<64xf32>
      %a = memref.load %addend[%i] : memref<64xf32>
      %y = arith.addf %x, %a : f32
      memref.store %y, %data[%i] : memref<64xf32>
      gpu.terminator
    }
    %t6 = gpu.memcpy async [%t5] %host, %data : memref<64xf32>, memref<64xf32>
    %t7 = gpu.dealloc async [%t6] %data : memref<64xf32>
    %t8 = gpu.dealloc async [%t7] %addend : memref<64xf32>
    gpu.wait [%t8]
    %unranked = memref.cast %host : memref<64xf32> to memref<*xf32>
    call @printMemrefF32(%unranked) : (memref<*xf32>) -> ()
    memref.dealloc %host : memref<64xf32>
    return
  }
}
