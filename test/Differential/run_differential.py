#!/usr/bin/env python3
"""Differential tests of the sparse_train lowering against the numpy
reference (reference.py).

For one op family, generates seeded random cases plus the edge cases of
DESIGN.md §4, writes them as functions of one MLIR module, compiles it with
`sparse-train-opt --sparse-train-to-cpu` into a shared object, calls every
function on its inputs and compares with the reference: selections (which
elements or blocks, their order, indices, bitmask) exactly, sums within the
tolerance of docs/Semantics.md. Prints one line per failing case and a
summary `<family>: N cases, M mismatches`; exits 1 on any mismatch.
"""

import argparse
import os
import sys
import tempfile

import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from families import FAMILIES  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True, help="sparse-train-opt")
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--pipeline", default="sparse-train-to-cpu",
                        help="pipeline compiling the cases, e.g. "
                             "'sparse-train-to-cpu{kernels=reference}'")
    args = parser.parse_args()

    np.seterr(all="ignore")
    warnings.simplefilter("ignore", RuntimeWarning)
    rng = np.random.default_rng(args.seed)
    cases = FAMILIES[args.family](rng)
    module = "\n\n".join(c.ir for c in cases)
    workdir = args.workdir or tempfile.mkdtemp(prefix=f"diff-{args.family}-")
    lib = harness.compile_module(module, args.opt, workdir,
                                 pipeline=f"--pass-pipeline=builtin.module({args.pipeline})")
    mismatches = 0
    by_op = {}
    for case in cases:
        fn = harness.Function(lib, case.name, case.results)
        outputs = fn(*case.args)
        error = case.check(outputs)
        by_op[case.op] = by_op.get(case.op, 0) + 1
        if error:
            mismatches += 1
            print(f"MISMATCH {case.name} ({case.description}): {error}")
    for op, count in sorted(by_op.items()):
        print(f"  {op}: {count} cases")
    print(f"{args.family}: {len(cases)} cases, {mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
