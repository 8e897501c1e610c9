// RUN: sparse-train-opt %s --sparse-train-gpu-map-parallel-loops="block-size=128" -split-input-file | FileCheck %s --check-prefix=MAP
// RUN: sparse-train-opt %s --sparse-train-gpu-host-shared-buffers -split-input-file | FileCheck %s --check-prefix=SHARED

// A host copy becomes a parallel loop; a 3-D loop is collapsed to one
// dimension, tiled by the block size (an in-bounds test instead of a min
// bound) and mapped: tiles to blocks, iterations to threads. A loop with a
// reduction stays as it is.
// MAP-LABEL: func.func @loops(
// MAP-NOT: memref.copy
// MAP: %[[TILE:.*]] = arith.muli %{{.*}}, %c128 : index
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[TILE]]) {
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[TILE]]) step (%{{.*}}) {
// MAP: scf.if
// MAP: memref.load %arg0
// MAP: memref.store {{.*}} %arg1
// MAP: {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// MAP: {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// MAP: scf.parallel
// MAP: scf.parallel
// MAP: arith.remsi
// MAP: memref.store {{.*}} %arg2
// MAP: thread_x
// MAP: block_x
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%arg3) step (%{{.*}}) init
// MAP-NOT: mapping
// MAP: return
func.func @loops(%a: memref<4x5xf32>, %b: memref<4x5xf32>, %c: memref<2x3x7xf32>, %n: index) -> f32 {
  memref.copy %a, %b : memref<4x5xf32> to memref<4x5xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %c3, %c7) step (%c1, %c1, %c1) {
    memref.store %z, %c[%i, %j, %k] : memref<2x3x7xf32>
  }
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%z) -> f32 {
    scf.reduce(%z : f32) {
    ^bb0(%l: f32, %r: f32):
      %t = arith.addf %l, %r : f32
      scf.reduce.return %t : f32
    }
  }
  return %s : f32
}

// -----

// Host buffers become managed memory, frees asynchronous frees that are
// waited for; a constant a kernel reads is copied into managed memory at
// the function's entry and freed before the return; buffers inside the
// kernel and globals only the host reads stay.
// SHARED-LABEL: func.func @buffers(
// SHARED: %[[G:.*]] = memref.get_global @table
// SHARED: %[[COPY:.*]] = gpu.alloc host_shared () : memref<4xf32>
// SHARED: memref.copy %[[G]], %[[COPY]]
// SHARED: %[[BUF:.*]] = gpu.alloc host_shared (%{{.*}}) : memref<?xf32>
// SHARED: memref.get_global @host_only
// SHARED: gpu.launch
// SHARED: memref.load %[[COPY]]
// SHARED: memref.store {{.*}}, %[[BUF]]
// SHARED: %[[T0:.*]] = gpu.wait async
// SHARED: %[[T1:.*]] = gpu.dealloc async [%[[T0]]] %[[BUF]]
// SHARED: gpu.wait [%[[T1]]]
// SHARED: %[[T2:.*]] = gpu.wait async
// SHARED: gpu.dealloc async [%[[T2]]] %[[COPY]]
// SHARED: return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
memref.global "private" constant @host_only : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @buffers(%n: index) -> f32 {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %t = memref.get_global @table : memref<4xf32>
  %m = memref.alloc(%n) : memref<?xf32>
  %h = memref.get_global @host_only : memref<4xf32>
  %hv = memref.load %h[%c0] : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %t[%tx] : memref<4xf32>
    memref.store %v, %m[%tx] : memref<?xf32>
    gpu.terminator
  }
  memref.dealloc %m : memref<?xf32>
  return %hv : f32
}
