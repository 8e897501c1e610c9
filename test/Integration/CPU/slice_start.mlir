// slice_start compiled and run: the Philox4x32-10 draw of the lowering equals
// the Random123 known answer and the compile-time folder, for every
// alignment case.
// RUN: sparse-train-opt %s --canonicalize --sparse-train-to-cpu | %run_cpu | FileCheck %s

func.func @draw(%seed: i64, %ctr: i64) -> (index, index, index, index) {
  // 2^32 starts: the start is the first Philox word itself.
  %0 = sparse_train.slice_start %seed, %ctr extent = 4294967296, width = 1
  // 4 aligned starts {0, 2, 4, 6}.
  %1 = sparse_train.slice_start %seed, %ctr extent = 10, width = 3, align = 2
  // 129 starts.
  %2 = sparse_train.slice_start %seed, %ctr extent = 256, width = 128
  // One start only.
  %3 = sparse_train.slice_start %seed, %ctr extent = 8, width = 8
  return %0, %1, %2, %3 : index, index, index, index
}

func.func @main() {
  %zero = arith.constant 0 : i64
  %r:4 = call @draw(%zero, %zero) : (i64, i64) -> (index, index, index, index)
  // CHECK: 1713891541
  // CHECK-NEXT: 2
  // floor(0x6627e8d5 * 129 / 2^32) = 51
  // CHECK-NEXT: 51
  // CHECK-NEXT: 0
  vector.print %r#0 : index
  vector.print %r#1 : index
  vector.print %r#2 : index
  vector.print %r#3 : index
  // The seed's low word is key word 0: seed 0x299f31d0a4093822 and counter
  // 0x85a308d3243f6a88 give the first word of Philox(key (a4093822,
  // 299f31d0), counter (243f6a88, 85a308d3, 0, 0)).
  %seed = arith.constant 0x299f31d0a4093822 : i64
  %ctr = arith.constant 0x85a308d3243f6a88 : i64
  // The folder (run by --canonicalize) computes it at compile time with the
  // C++ Philox, the lowering at run time: the same number.
  %folded = sparse_train.slice_start %seed, %ctr extent = 4294967296, width = 1
  vector.print %folded : index
  %s:4 = call @draw(%seed, %ctr) : (i64, i64) -> (index, index, index, index)
  vector.print %s#0 : index
  // CHECK-NEXT: [[WORD:[0-9]+]]
  // CHECK-NEXT: [[WORD]]
  return
}
