// sparse-train-set-target-triple names the target of a module's LLVM IR
// when the module names none, and keeps a triple it already names.
// RUN: sparse-train-opt %s -split-input-file --sparse-train-set-target-triple="triple=x86_64-unknown-linux-gnu" | FileCheck %s
// RUN: sparse-train-opt %s -split-input-file --sparse-train-set-target-triple | FileCheck %s --check-prefix=HOST
// RUN: sparse-train-opt %s -split-input-file --sparse-train-to-cpu | FileCheck %s --check-prefix=PIPELINE
// RUN: sparse-train-opt %s -split-input-file --sparse-train-to-cpu="target-triple=none" | FileCheck %s --check-prefix=NONE

// CHECK-LABEL: module attributes {llvm.target_triple = "x86_64-unknown-linux-gnu"}
// CHECK: func.func @unnamed
// HOST-LABEL: module attributes {llvm.target_triple = "{{[a-z0-9_]+-[^"]+}}"}
// HOST: func.func @unnamed
// PIPELINE-LABEL: module attributes {llvm.target_triple = "{{[a-z0-9_]+-[^"]+}}"}
// PIPELINE: llvm.func @unnamed
// NONE-NOT: llvm.target_triple
// NONE: llvm.func @unnamed
func.func @unnamed() {
  return
}

// -----

// CHECK-LABEL: module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"}
// CHECK: func.func @named
// HOST-LABEL: module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"}
// PIPELINE-LABEL: module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"}
// NONE-LABEL: module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"}
module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"} {
  func.func @named() {
    return
  }
}
