// The parallel min_k_retain and min_k_restore kernels give the same result
// whatever the number of threads, and the same as the sequential reference
// loops: each chunk of a set has its own counts, output position and
// bitmask words. Sets of 100000 and 2 x 70016 elements span several chunks
// (16384 elements) with a partial last one; the cases cover the one-pass
// bitmask retain (keep <= 0.2), the two-pass one, indices, ties at the
// threshold across chunks, and the zeros of a ReLU output at the bottom of
// the bracket. Each restored tensor is printed as a checksum of its bits
// (sum over i of bits(x[i]) * (i + 1), wrapping), and its count of
// non-zeros.
// RUN: sparse-train-opt %s --sparse-train-to-cpu=num-threads=1 | %run_cpu > %t.seq
// RUN: sparse-train-opt %s --sparse-train-to-cpu=num-threads=2 | %run_cpu > %t.two
// RUN: sparse-train-opt %s --sparse-train-to-cpu | env OMP_NUM_THREADS=3 %run_cpu > %t.three
// RUN: sparse-train-opt %s --sparse-train-to-cpu="kernels=reference num-threads=1" | %run_cpu > %t.ref
// RUN: diff %t.seq %t.two
// RUN: diff %t.seq %t.three
// RUN: diff %t.seq %t.ref
// RUN: FileCheck %s < %t.seq

#map = affine_map<(i) -> (i)>
#sum = affine_map<(i) -> ()>

/// sin(a * i) * (1 + cos(b * i) / 2), rounded down to a multiple of
/// `step` when `step` is not zero (ties), its ReLU when `relu` is set.
func.func @waves(%a: f32, %b: f32, %step: f32, %relu: i1) -> tensor<140032xf32> {
  %e = tensor.empty() : tensor<140032xf32>
  %r = linalg.generic {indexing_maps = [#map], iterator_types = ["parallel"]} outs(%e : tensor<140032xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i32
    %fi = arith.sitofp %ii : i32 to f32
    %x = arith.mulf %fi, %a : f32
    %y = arith.mulf %fi, %b : f32
    %s = math.sin %x : f32
    %c = math.cos %y : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %ch = arith.mulf %c, %half : f32
    %m = arith.addf %ch, %one : f32
    %v = arith.mulf %s, %m : f32
    %zero = arith.constant 0.0 : f32
    %stepped = arith.cmpf one, %step, %zero : f32
    %q = arith.divf %v, %step : f32
    %fq = math.floor %q : f32
    %rq = arith.mulf %fq, %step : f32
    %w = arith.select %stepped, %rq, %v : f32
    %pos = arith.maximumf %w, %zero : f32
    %out = arith.select %relu, %pos, %w : f32
    linalg.yield %out : f32
  } -> tensor<140032xf32>
  return %r : tensor<140032xf32>
}

/// Prints sum over i of bits(t[i]) * (i + 1) (wrapping) and the count of
/// non-zero elements.
func.func @checksum(%t: tensor<?xf32>) {
  %bits = arith.bitcast %t : tensor<?xf32> to tensor<?xi32>
  %z = arith.constant 0 : i64
  %e = tensor.empty() : tensor<i64>
  %init = linalg.fill ins(%z : i64) outs(%e : tensor<i64>) -> tensor<i64>
  %e2 = tensor.empty() : tensor<i64>
  %init2 = linalg.fill ins(%z : i64) outs(%e2 : tensor<i64>) -> tensor<i64>
  %s:2 = linalg.generic {indexing_maps = [#map, #sum, #sum], iterator_types = ["reduction"]} ins(%bits : tensor<?xi32>) outs(%init, %init2 : tensor<i64>, tensor<i64>) {
  ^bb0(%b: i32, %acc: i64, %count: i64):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %one = arith.constant 1 : i64
    %w = arith.addi %ii, %one : i64
    %bb = arith.extui %b : i32 to i64
    %p = arith.muli %bb, %w : i64
    %n = arith.addi %acc, %p : i64
    %zero = arith.constant 0 : i32
    %nz = arith.cmpi ne, %b, %zero : i32
    %nz64 = arith.extui %nz : i1 to i64
    %c = arith.addi %count, %nz64 : i64
    linalg.yield %n, %c : i64, i64
  } -> (tensor<i64>, tensor<i64>)
  %v = tensor.extract %s#0[] : tensor<i64>
  %c = tensor.extract %s#1[] : tensor<i64>
  vector.print %v : i64
  vector.print %c : i64
  return
}

func.func @main() {
  %a = arith.constant 0.37 : f32
  %b = arith.constant 0.011 : f32
  %no = arith.constant 0.0 : f32
  %step = arith.constant 0.125 : f32
  %false = arith.constant false
  %true = arith.constant true
  %plain = call @waves(%a, %b, %no, %false) : (f32, f32, f32, i1) -> tensor<140032xf32>
  %ties = call @waves(%a, %b, %step, %false) : (f32, f32, f32, i1) -> tensor<140032xf32>
  %relu = call @waves(%a, %b, %no, %true) : (f32, f32, f32, i1) -> tensor<140032xf32>
  %x = tensor.extract_slice %plain[0] [100000] [1] : tensor<140032xf32> to tensor<100000xf32>
  %xt = tensor.extract_slice %ties[0] [100000] [1] : tensor<140032xf32> to tensor<100000xf32>
  %xr = tensor.extract_slice %relu[0] [100000] [1] : tensor<140032xf32> to tensor<100000xf32>

  // One-pass bitmask retain (keep 0.1): K = 10000 non-zeros.
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: 10000
  %r1 = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<100000xf32>
  %d1 = sparse_train.min_k_restore %r1 : !sparse_train.retained<100000xf32, kept = 10000, bitmask>
  %p1 = tensor.cast %d1 : tensor<100000xf32> to tensor<?xf32>
  call @checksum(%p1) : (tensor<?xf32>) -> ()

  // Two-pass bitmask retain (keep 0.4).
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: 40000
  %r2 = sparse_train.min_k_retain %x keep_ratio = 0.4 : tensor<100000xf32>
  %d2 = sparse_train.min_k_restore %r2 : !sparse_train.retained<100000xf32, kept = 40000, bitmask>
  %p2 = tensor.cast %d2 : tensor<100000xf32> to tensor<?xf32>
  call @checksum(%p2) : (tensor<?xf32>) -> ()

  // Indices, ties at the threshold in every chunk (multiples of 1/8);
  // the kept ties are the first in index order. Kept zeros do not count.
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: {{[0-9]+}}
  %r3 = sparse_train.min_k_retain %xt keep_ratio = 0.3 encoding = indices : tensor<100000xf32>
  %d3 = sparse_train.min_k_restore %r3 : !sparse_train.retained<100000xf32, kept = 30000, indices>
  %p3 = tensor.cast %d3 : tensor<100000xf32> to tensor<?xf32>
  call @checksum(%p3) : (tensor<?xf32>) -> ()

  // The same ties through the one-pass bitmask retain.
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: 15000
  %r4 = sparse_train.min_k_retain %xt keep_ratio = 0.15 : tensor<100000xf32>
  %d4 = sparse_train.min_k_restore %r4 : !sparse_train.retained<100000xf32, kept = 15000, bitmask>
  %p4 = tensor.cast %d4 : tensor<100000xf32> to tensor<?xf32>
  call @checksum(%p4) : (tensor<?xf32>) -> ()

  // A ReLU output keeping more than its non-zeros: T is 0, the bracket's
  // bottom, and the first zeros in index order are kept (they restore to
  // zeros: the count is the non-zeros).
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: {{[0-9]+}}
  %r5 = sparse_train.min_k_retain %xr keep_ratio = 0.7 : tensor<100000xf32>
  %d5 = sparse_train.min_k_restore %r5 : !sparse_train.retained<100000xf32, kept = 70000, bitmask>
  %p5 = tensor.cast %d5 : tensor<100000xf32> to tensor<?xf32>
  call @checksum(%p5) : (tensor<?xf32>) -> ()

  // Rows of 70016 elements (five chunks each), one-pass bitmask, and
  // indices.
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: 14004
  %xs = tensor.expand_shape %plain [[0, 1]] output_shape [2, 70016] : tensor<140032xf32> into tensor<2x70016xf32>
  %r6 = sparse_train.min_k_retain %xs keep_ratio = 0.1 granularity = row : tensor<2x70016xf32>
  %d6 = sparse_train.min_k_restore %r6 : !sparse_train.retained<2x70016xf32, kept = 14004, bitmask>
  %f6 = tensor.collapse_shape %d6 [[0, 1]] : tensor<2x70016xf32> into tensor<140032xf32>
  %p6 = tensor.cast %f6 : tensor<140032xf32> to tensor<?xf32>
  call @checksum(%p6) : (tensor<?xf32>) -> ()
  // CHECK: {{^[0-9-]+$}}
  // CHECK-NEXT: 70016
  %r7 = sparse_train.min_k_retain %xs keep_ratio = 0.5 granularity = row encoding = indices : tensor<2x70016xf32>
  %d7 = sparse_train.min_k_restore %r7 : !sparse_train.retained<2x70016xf32, kept = 70016, indices>
  %f7 = tensor.collapse_shape %d7 [[0, 1]] : tensor<2x70016xf32> into tensor<140032xf32>
  %p7 = tensor.cast %f7 : tensor<140032xf32> to tensor<?xf32>
  call @checksum(%p7) : (tensor<?xf32>) -> ()
  return
}
