// A triple without an architecture LLVM knows is an error on the module.
// RUN: sparse-train-opt %s --sparse-train-set-target-triple="triple=toaster-unknown-linux" -verify-diagnostics
// RUN: not sparse-train-opt %s --sparse-train-to-cpu="target-triple=toaster" 2>&1 | FileCheck %s
// CHECK: error: sparse-train-set-target-triple: 'toaster' names no architecture LLVM knows

// expected-error @+1 {{sparse-train-set-target-triple: 'toaster-unknown-linux' names no architecture LLVM knows}}
module {
}
