// An out-of-range option is a diagnostic on the function, not a crash.
// RUN: sparse-train-opt %s --sparse-train-apply-zero-skip="max-density=2" --verify-diagnostics

// expected-error @below {{sparse-train-apply-zero-skip: max-density must be in [0, 1], got 2.000000e+00}}
func.func @f() {
  return
}
