// The parallel zero-skipping convolution kernels give bit-identical results
// whatever the number of threads: each element of a result has one owner
// and its sums run in a fixed order. Covered: the stride-1 sliding-window
// path, the strided path, the dense loop (max_density = 0) and the filter
// gradient. Inputs are non-integer, so a different order would show in the
// printed bits.
// RUN: sparse-train-opt %s --sparse-train-to-cpu=num-threads=1 | %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.seq
// RUN: sparse-train-opt %s --sparse-train-to-cpu=num-threads=2 | %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.two
// RUN: sparse-train-opt %s --sparse-train-to-cpu | env OMP_NUM_THREADS=3 %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.three
// RUN: diff %t.seq %t.two
// RUN: diff %t.seq %t.three
// RUN: FileCheck %s < %t.seq

#map = affine_map<(n, h, w, c) -> (n, h, w, c)>

func.func private @printMemrefI32(memref<*xi32>) attributes {llvm.emit_c_interface}

/// max(sin(a * (h + w) + b * c + n), floor) for a [n, h, w, c] tensor:
/// floor 0 gives ReLU zeros, -2 none.
func.func @waves(%n: index, %h: index, %w: index, %c: index, %a: f32, %b: f32, %floor: f32) -> tensor<?x?x?x?xf32> {
  %e = tensor.empty(%n, %h, %w, %c) : tensor<?x?x?x?xf32>
  %r = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<?x?x?x?xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %hw = arith.addi %i1, %i2 : index
    %hwi = arith.index_cast %hw : index to i32
    %ci = arith.index_cast %i3 : index to i32
    %ni = arith.index_cast %i0 : index to i32
    %fhw = arith.sitofp %hwi : i32 to f32
    %fc = arith.sitofp %ci : i32 to f32
    %fn = arith.sitofp %ni : i32 to f32
    %x = arith.mulf %fhw, %a : f32
    %y = arith.mulf %fc, %b : f32
    %s0 = arith.addf %x, %y : f32
    %s = arith.addf %s0, %fn : f32
    %v = math.sin %s : f32
    %m = arith.maximumf %v, %floor : f32
    linalg.yield %m : f32
  } -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

/// Prints the bits of every element.
func.func @print(%t: tensor<?x?x?x?xf32>) {
  %bits = arith.bitcast %t : tensor<?x?x?x?xf32> to tensor<?x?x?x?xi32>
  %m = bufferization.to_buffer %bits : tensor<?x?x?x?xi32> to memref<?x?x?x?xi32>
  %u = memref.cast %m : memref<?x?x?x?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

func.func @main() {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c9 = arith.constant 9 : index
  %c36 = arith.constant 36 : index
  %c40 = arith.constant 40 : index
  %a = arith.constant 0.37 : f32
  %b = arith.constant 1.13 : f32
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -2.0 : f32
  %xd = call @waves(%c2, %c9, %c9, %c40, %a, %b, %zero) : (index, index, index, index, f32, f32, f32) -> tensor<?x?x?x?xf32>
  %x = tensor.cast %xd : tensor<?x?x?x?xf32> to tensor<2x9x9x40xf32>
  %wd = call @waves(%c3, %c3, %c40, %c36, %b, %a, %low) : (index, index, index, index, f32, f32, f32) -> tensor<?x?x?x?xf32>
  %w = tensor.cast %wd : tensor<?x?x?x?xf32> to tensor<3x3x40x36xf32>
  %dyd = call @waves(%c2, %c9, %c9, %c36, %a, %a, %zero) : (index, index, index, index, f32, f32, f32) -> tensor<?x?x?x?xf32>
  %dy = tensor.cast %dyd : tensor<?x?x?x?xf32> to tensor<2x9x9x36xf32>
  // CHECK: Unranked Memref{{.*}}sizes = [2, 9, 9, 36]
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] : tensor<2x9x9x40xf32>, tensor<3x3x40x36xf32>
  %y1 = tensor.cast %y : tensor<2x9x9x36xf32> to tensor<?x?x?x?xf32>
  call @print(%y1) : (tensor<?x?x?x?xf32>) -> ()
  // CHECK: Unranked Memref{{.*}}sizes = [2, 5, 5, 36]
  %ys = sparse_train.conv2d_zero_skip %x, %w strides = [2, 2] padding = [1, 1, 1, 1] : tensor<2x9x9x40xf32>, tensor<3x3x40x36xf32>
  %ys1 = tensor.cast %ys : tensor<2x5x5x36xf32> to tensor<?x?x?x?xf32>
  call @print(%ys1) : (tensor<?x?x?x?xf32>) -> ()
  // CHECK: Unranked Memref{{.*}}sizes = [2, 9, 9, 36]
  %yd = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] max_density = 0.0 : tensor<2x9x9x40xf32>, tensor<3x3x40x36xf32>
  %yd1 = tensor.cast %yd : tensor<2x9x9x36xf32> to tensor<?x?x?x?xf32>
  call @print(%yd1) : (tensor<?x?x?x?xf32>) -> ()
  // CHECK: Unranked Memref{{.*}}sizes = [2, 9, 9, 40]
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1] : tensor<2x9x9x36xf32>, tensor<3x3x40x36xf32> -> tensor<2x9x9x40xf32>
  %dx1 = tensor.cast %dx : tensor<2x9x9x40xf32> to tensor<?x?x?x?xf32>
  call @print(%dx1) : (tensor<?x?x?x?xf32>) -> ()
  // CHECK: Unranked Memref{{.*}}sizes = [3, 3, 40, 36]
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1] : tensor<2x9x9x40xf32>, tensor<2x9x9x36xf32> -> tensor<3x3x40x36xf32>
  %dw1 = tensor.cast %dw : tensor<3x3x40x36xf32> to tensor<?x?x?x?xf32>
  call @print(%dw1) : (tensor<?x?x?x?xf32>) -> ()
  return
}
