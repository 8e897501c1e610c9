// Without the plugin the stock mlir-opt does not know the dialect: a located
// error and exit code 1, which is what the plugin tests above rely on.
// RUN: not %mlir_opt %s 2>&1 | FileCheck %s
// CHECK: no-plugin.mlir:[[@LINE+2]]:{{[0-9]+}}: error: Dialect `sparse_train' not found for custom op 'sparse_train.slice_start'
func.func @f(%seed: i64, %c: i64) -> index {
  %0 = sparse_train.slice_start %seed, %c extent = 8, width = 4
  return %0 : index
}
