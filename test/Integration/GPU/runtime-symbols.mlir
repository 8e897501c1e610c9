// libsparse_train_cuda_runtime.so exports every mgpu* function that MLIR's
// gpu-to-llvm lowering declares for the GPU ops below (modules in both the
// cubin and the PTX form, launches with and without clusters, streams,
// events, allocation, copies, memsets, host registration, the default
// device). The list is read off mlir-translate's output, so a function a
// new MLIR emits and the library lacks fails the test. The kernels are
// placeholders: nothing runs, no GPU, NVPTX backend or ptxas is needed.
// The library must need the driver's libcuda.so.1 and carry no run path
// (in particular none to the toolkit's stub directory).
//
// REQUIRES: cuda-runtime
// RUN: mlir-opt %s --gpu-to-llvm --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: sed -n 's/^declare .*@\(mgpu[A-Za-z0-9_]*\)(.*/\1/p' %t.ll | env LC_ALL=C sort -u > %t.declared
// RUN: FileCheck %s --check-prefix=DECLARED --input-file=%t.declared
// RUN: nm -D --defined-only %cuda_runtime | awk '{print $NF}' | env LC_ALL=C sort -u > %t.exported
// RUN: env LC_ALL=C comm -23 %t.declared %t.exported > %t.missing
// RUN: FileCheck %s --check-prefix=MISSING --allow-empty --input-file=%t.missing
// RUN: llvm-readelf --dynamic-table %cuda_runtime | FileCheck %s --check-prefix=DYNAMIC

// The functions this file makes the lowering declare (sorted); a sanity
// check that the input still covers them all.
// DECLARED:      mgpuEventCreate
// DECLARED-NEXT: mgpuEventDestroy
// DECLARED-NEXT: mgpuEventRecord
// DECLARED-NEXT: mgpuEventSynchronize
// DECLARED-NEXT: mgpuLaunchClusterKernel
// DECLARED-NEXT: mgpuLaunchKernel
// DECLARED-NEXT: mgpuMemAlloc
// DECLARED-NEXT: mgpuMemFree
// DECLARED-NEXT: mgpuMemHostRegisterMemRef
// DECLARED-NEXT: mgpuMemHostUnregisterMemRef
// DECLARED-NEXT: mgpuMemcpy
// DECLARED-NEXT: mgpuMemset16
// DECLARED-NEXT: mgpuMemset32
// DECLARED-NEXT: mgpuModuleGetFunction
// DECLARED-NEXT: mgpuModuleLoad
// DECLARED-NEXT: mgpuModuleLoadJIT
// DECLARED-NEXT: mgpuModuleUnload
// DECLARED-NEXT: mgpuSetDefaultDevice
// DECLARED-NEXT: mgpuStreamCreate
// DECLARED-NEXT: mgpuStreamDestroy
// DECLARED-NEXT: mgpuStreamSynchronize
// DECLARED-NEXT: mgpuStreamWaitEvent
// DECLARED-NOT:  mgpu

// Declared but not exported:
// MISSING-NOT: {{.}}

// DYNAMIC-NOT: RPATH
// DYNAMIC-NOT: RUNPATH
// DYNAMIC:     (NEEDED) Shared library: [libcuda.so.1]
// DYNAMIC-NOT: RPATH
// DYNAMIC-NOT: RUNPATH

module attributes {gpu.container_module} {
  // A cubin (format=bin or fatbin): loaded with mgpuModuleLoad.
  gpu.binary @cubin [#gpu.object<#nvvm.target<chip = "sm_90">, bin = "\7FELF">]
  // PTX (format=isa): loaded with mgpuModuleLoadJIT.
  gpu.binary @ptx [#gpu.object<#nvvm.target<chip = "sm_90">,
                               assembly = ".version 7.8\0A.target sm_90\0A">]

  // A token that is not a stream of this function waits as an event.
  func.func @wait_for_event(%token: !gpu.async.token) {
    gpu.wait [%token]
    return
  }

  func.func @all_ops(%host: memref<64xf32>) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c64 = arith.constant 64 : index
    %f1 = arith.constant 1.0 : f32
    %i32 = arith.constant 7 : i32
    %i16 = arith.constant 7 : i16
    %device = arith.constant 0 : i32
    gpu.set_default_device %device
    %unranked = memref.cast %host : memref<64xf32> to memref<*xf32>
    gpu.host_register %unranked : memref<*xf32>
    %t0 = gpu.wait async
    %data, %t1 = gpu.alloc async [%t0] () : memref<64xf32>
    %shorts, %t2 = gpu.alloc async [%t1] () : memref<64xi16>
    %shared = gpu.alloc host_shared () : memref<64xi32>
    %t3 = gpu.memcpy async [%t2] %data, %host : memref<64xf32>, memref<64xf32>
    %t4 = gpu.memset async [%t3] %shorts, %i16 : memref<64xi16>, i16
    %t5 = gpu.memset async [%t4] %shared, %i32 : memref<64xi32>, i32
    %t6 = gpu.launch_func async [%t5] @cubin::@kernel
        blocks in (%c2, %c1, %c1) threads in (%c64, %c1, %c1)
        args(%data : memref<64xf32>, %f1 : f32)
    %t7 = gpu.launch_func async [%t6] @ptx::@kernel
        blocks in (%c2, %c1, %c1) threads in (%c64, %c1, %c1)
        args(%data : memref<64xf32>, %f1 : f32)
    // Joining two tokens records events and makes a new stream wait.
    %other = gpu.wait async
    %t8 = gpu.wait async [%t7, %other]
    gpu.launch_func @cubin::@kernel clusters in (%c2, %c1, %c1)
        blocks in (%c2, %c1, %c1) threads in (%c64, %c1, %c1)
        args(%data : memref<64xf32>, %f1 : f32)
    %t9 = gpu.memcpy async [%t8] %host, %data : memref<64xf32>, memref<64xf32>
    %t10 = gpu.dealloc async [%t9] %data : memref<64xf32>
    %t11 = gpu.dealloc async [%t10] %shorts : memref<64xi16>
    gpu.wait [%t11]
    gpu.host_unregister %unranked : memref<*xf32>
    return
  }
}
