// Malformed input: Text that is not MLIR.
// The tool reports a located error and exits with 1.
// RUN: not sparse-train-opt %s 2>&1 | FileCheck %s
this is not MLIR at all }
// CHECK: garbage-text.mlir:4:1: error: custom op 'this' is unknown (tried 'builtin.this' as well)
