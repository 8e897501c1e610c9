// The four enum attributes parse and print on their own (generic syntax),
// wherever an attribute may appear, with every case.
// RUN: sparse-train-opt %s -allow-unregistered-dialect | sparse-train-opt -allow-unregistered-dialect | FileCheck %s

// CHECK: "test.enums"() {
// CHECK-SAME: e0 = #sparse_train<encoding bitmask>
// CHECK-SAME: e1 = #sparse_train<encoding indices>
// CHECK-SAME: g0 = #sparse_train<granularity tensor>
// CHECK-SAME: g1 = #sparse_train<granularity row>
// CHECK-SAME: s0 = #sparse_train<score l1>
// CHECK-SAME: s1 = #sparse_train<score l2>
// CHECK-SAME: s2 = #sparse_train<score max_abs>
// CHECK-SAME: t0 = #sparse_train<select global_top_k>
// CHECK-SAME: t1 = #sparse_train<select row_top_k>
// CHECK-SAME: t2 = #sparse_train<select threshold>
"test.enums"() {e0 = #sparse_train<encoding bitmask>, e1 = #sparse_train<encoding indices>,
                g0 = #sparse_train<granularity tensor>, g1 = #sparse_train<granularity row>,
                s0 = #sparse_train<score l1>, s1 = #sparse_train<score l2>, s2 = #sparse_train<score max_abs>,
                t0 = #sparse_train<select global_top_k>, t1 = #sparse_train<select row_top_k>,
                t2 = #sparse_train<select threshold>} : () -> ()
