// The parallel bsr_matmul kernels give bit-identical results whatever the
// number of threads: each output row has one owner and the sums run in a
// fixed order. Inputs are non-integer, so a different order would show in
// the printed bits.
// RUN: sparse-train-opt %s --sparse-train-to-cpu=num-threads=1 | %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.seq
// RUN: sparse-train-opt %s --sparse-train-to-cpu=num-threads=2 | %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.two
// RUN: sparse-train-opt %s --sparse-train-to-cpu | env OMP_NUM_THREADS=3 %run_cpu | sed 's/base@ = [0-9a-fx]*//' > %t.three
// RUN: diff %t.seq %t.two
// RUN: diff %t.seq %t.three
// RUN: FileCheck %s < %t.seq

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 16 : dense, j floordiv 16 : compressed, i mod 16 : dense, j mod 16 : dense)}>
#map = affine_map<(i, j) -> (i, j)>

func.func private @printMemrefI32(memref<*xi32>) attributes {llvm.emit_c_interface}

/// sin(a * i + b * j) for a `rows` x `cols` tensor.
func.func @waves(%rows: index, %cols: index, %a: f32, %b: f32) -> tensor<?x?xf32> {
  %e = tensor.empty(%rows, %cols) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<?x?xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i32
    %jj = arith.index_cast %j : index to i32
    %fi = arith.sitofp %ii : i32 to f32
    %fj = arith.sitofp %jj : i32 to f32
    %x = arith.mulf %fi, %a : f32
    %y = arith.mulf %fj, %b : f32
    %s = arith.addf %x, %y : f32
    %v = math.sin %s : f32
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

/// Prints the bits of every element.
func.func @print(%t: tensor<?x?xf32>) {
  %bits = arith.bitcast %t : tensor<?x?xf32> to tensor<?x?xi32>
  %m = bufferization.to_buffer %bits : tensor<?x?xi32> to memref<?x?xi32>
  %u = memref.cast %m : memref<?x?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

func.func @main() {
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  %c50 = arith.constant 50 : index
  %a = arith.constant 0.37 : f32
  %b = arith.constant 1.13 : f32
  %xd = call @waves(%c128, %c96, %a, %b) : (index, index, f32, f32) -> tensor<?x?xf32>
  %x = tensor.cast %xd : tensor<?x?xf32> to tensor<128x96xf32>
  %dyd = call @waves(%c128, %c50, %b, %a) : (index, index, f32, f32) -> tensor<?x?xf32>
  %dy = tensor.cast %dyd : tensor<?x?xf32> to tensor<128x50xf32>
  %wd = call @waves(%c96, %c50, %a, %a) : (index, index, f32, f32) -> tensor<?x?xf32>
  %w = tensor.cast %wd : tensor<?x?xf32> to tensor<96x50xf32>
  %p = sparse_train.block_prune %x block = [16, 16] score = l2 select = global_top_k keep_ratio = 0.6 : tensor<128x96xf32> -> tensor<128x96xf32, #BSR>
  // CHECK: Unranked Memref{{.*}}rank = 2 offset = 0 sizes = [128, 50]
  %y = sparse_train.bsr_matmul %p, %w : tensor<128x96xf32, #BSR>, tensor<96x50xf32> -> tensor<128x50xf32>
  %yd = tensor.cast %y : tensor<128x50xf32> to tensor<?x?xf32>
  call @print(%yd) : (tensor<?x?xf32>) -> ()
  // CHECK: Unranked Memref{{.*}}rank = 2 offset = 0 sizes = [96, 50]
  %dw = sparse_train.bsr_matmul %p, %dy transpose_a : tensor<128x96xf32, #BSR>, tensor<128x50xf32> -> tensor<96x50xf32>
  %dwd = tensor.cast %dw : tensor<96x50xf32> to tensor<?x?xf32>
  call @print(%dwd) : (tensor<?x?xf32>) -> ()
  return
}
