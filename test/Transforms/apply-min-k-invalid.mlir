// Bad options are diagnostics on the function.
// RUN: not sparse-train-opt %s --sparse-train-apply-min-k="keep-ratio=1.5" 2>&1 | FileCheck %s --check-prefix=RATIO
// RUN: not sparse-train-opt %s --sparse-train-apply-min-k="encoding=csr" 2>&1 | FileCheck %s --check-prefix=ENCODING
// RATIO: error: sparse-train-apply-min-k: keep-ratio must be in [0, 1], got 1.5
// ENCODING: error: sparse-train-apply-min-k: encoding must be bitmask or indices, got 'csr'
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
