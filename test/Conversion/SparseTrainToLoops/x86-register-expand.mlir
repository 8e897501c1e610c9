// RUN: sparse-train-opt %s --sparse-train-x86-register-expand | FileCheck %s
// RUN: sparse-train-opt %s --sparse-train-to-cpu="x86-compress=true" | FileCheck %s --check-prefix=PIPELINE

// 16 lanes of 32 bits: a masked load of the leading popcount(mask) elements
// (the mask's bits counted, the prefix mask's bits (1 << count) - 1 in 32
// bits, as count may be 16) and the register expand with the original mask
// and pass-through.
// CHECK-LABEL: func.func @expand_f32(
//  CHECK-SAME: %[[M:.*]]: memref<?xf32>, %[[I:.*]]: index, %[[MASK:.*]]: vector<16xi1>, %[[PASS:.*]]: vector<16xf32>
//       CHECK: %[[ONE:.*]] = arith.constant 1 : i32
//       CHECK: %[[VBITS:.*]] = vector.bitcast %[[MASK]] : vector<16xi1> to vector<1xi16>
//       CHECK: %[[BITS:.*]] = vector.extract %[[VBITS]][0] : i16 from vector<1xi16>
//       CHECK: %[[COUNT16:.*]] = math.ctpop %[[BITS]] : i16
//       CHECK: %[[COUNT:.*]] = arith.extui %[[COUNT16]] : i16 to i32
//       CHECK: %[[SHIFTED:.*]] = arith.shli %[[ONE]], %[[COUNT]] : i32
//       CHECK: %[[LEADBITS:.*]] = arith.subi %[[SHIFTED]], %[[ONE]] : i32
//       CHECK: %[[LEAD16:.*]] = arith.trunci %[[LEADBITS]] : i32 to i16
//       CHECK: %[[LEADV:.*]] = vector.broadcast %[[LEAD16]] : i16 to vector<1xi16>
//       CHECK: %[[LEAD:.*]] = vector.bitcast %[[LEADV]] : vector<1xi16> to vector<16xi1>
//       CHECK: %[[PACKED:.*]] = vector.maskedload %[[M]][%[[I]]], %[[LEAD]], %[[PASS]]
//       CHECK: llvm.call_intrinsic "llvm.x86.avx512.mask.expand"(%[[PACKED]], %[[PASS]], %[[MASK]]) : (vector<16xf32>, vector<16xf32>, vector<16xi1>) -> vector<16xf32>
//   CHECK-NOT: vector.expandload
func.func @expand_f32(%m: memref<?xf32>, %i: index, %mask: vector<16xi1>, %pass: vector<16xf32>) -> vector<16xf32> {
  %v = vector.expandload %m[%i], %mask, %pass : memref<?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  return %v : vector<16xf32>
}

// Other shapes (8 lanes: AVX2 code) keep vector.expandload.
// CHECK-LABEL: func.func @negative_expand_8_lanes(
//       CHECK: vector.expandload
//   CHECK-NOT: llvm.call_intrinsic
func.func @negative_expand_8_lanes(%m: memref<?xf32>, %i: index, %mask: vector<8xi1>, %pass: vector<8xf32>) -> vector<8xf32> {
  %v = vector.expandload %m[%i], %mask, %pass : memref<?xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
  return %v : vector<8xf32>
}

// In the pipeline, min_k_restore's expand-loads become the register form.
// PIPELINE-LABEL: llvm.func @restore(
//       PIPELINE: llvm.call_intrinsic "llvm.x86.avx512.mask.expand"
//   PIPELINE-NOT: llvm.intr.masked.expandload
func.func @restore(%r: !sparse_train.retained<4x64xf32, kept = 25, bitmask>) -> tensor<4x64xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<4x64xf32, kept = 25, bitmask>
  return %d : tensor<4x64xf32>
}
