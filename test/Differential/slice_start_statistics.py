#!/usr/bin/env python3
"""Statistics of slice_start: 10^5 draws (fixed seed, counters 0..10^5-1)
of the compiled op, histogrammed over the eligible starts and compared with
the uniform distribution by a chi-square test. The draws are deterministic,
so the statistic is a fixed number: the test cannot be flaky.

Also checks that every draw is an eligible start (a multiple of align in
[0, extent - width]).
"""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

DRAWS = 100_000
# (extent, width, align): 64, 129 and 7 eligible starts.
CONFIGS = [(512, 449, 1), (256, 128, 1), (100, 37, 10)]
# 99.9 % quantiles of chi-square with M - 1 degrees of freedom (M = 64,
# 129, 7), from the standard tables.
LIMITS = {64: 103.4, 129: 186.0, 7: 22.46}

IR = """
func.func @draws_{i}(%seed: i64) -> tensor<{n}xindex> attributes {{llvm.emit_c_interface}} {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {n} : index
  %out = tensor.empty() : tensor<{n}xindex>
  %r = scf.for %k = %c0 to %cn step %c1 iter_args(%acc = %out) -> (tensor<{n}xindex>) {{
    %ctr = arith.index_cast %k : index to i64
    %s = sparse_train.slice_start %seed, %ctr extent = {extent}, width = {width}, align = {align}
    %next = tensor.insert %s into %acc[%k] : tensor<{n}xindex>
    scf.yield %next : tensor<{n}xindex>
  }}
  return %r : tensor<{n}xindex>
}}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    module = "\n".join(IR.format(i=i, n=DRAWS, extent=e, width=w, align=a)
                       for i, (e, w, a) in enumerate(CONFIGS))
    lib = harness.compile_module(module, args.opt, args.workdir)
    failures = 0
    for i, (extent, width, align) in enumerate(CONFIGS):
        starts = harness.Function(lib, f"draws_{i}", [(1, np.int64)])(0x5EED)[0]
        m = (extent - width) // align + 1
        eligible = np.all((starts % align == 0) & (starts >= 0) & (starts <= extent - width))
        counts = np.bincount(starts // align, minlength=m)
        expected = DRAWS / m
        chi2 = float(((counts - expected) ** 2 / expected).sum())
        ok = eligible and counts.size == m and chi2 < LIMITS[m]
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'} extent {extent} width {width} align {align}: "
              f"{m} starts, chi2 = {chi2:.1f} (limit {LIMITS[m]}), all eligible: {eligible}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
