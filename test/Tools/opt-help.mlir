// sparse-train-opt lists our dialect next to the upstream ones and accepts
// mlir-opt's flags.
// RUN: sparse-train-opt --help | FileCheck %s
// RUN: sparse-train-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS
// CHECK: sparse_train optimizer driver
// CHECK: Available Dialects: {{.*}}sparse_tensor, sparse_train{{.*}}
// CHECK: --verify-diagnostics
// DIALECTS: Available Dialects:
// DIALECTS-DAG: sparse_train
// DIALECTS-DAG: sparse_tensor
// DIALECTS-DAG: linalg
// DIALECTS-DAG: nvvm
