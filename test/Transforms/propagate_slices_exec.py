"""Runs the FFN step of Inputs/ffn_step.mlir compiled with and without
sparse-train-propagate-slices on random inputs and several slice starts;
the four results must be equal (as numbers: the sign of zeros outside the
slice may differ). The products run as loops (blas=false), which add the
dropped zeros exactly; BLAS blocks a longer contraction differently, so
with it the two differ by rounding."""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Differential"))
import harness  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    with open(os.path.join(HERE, "Inputs", "ffn_step.mlir")) as f:
        ir = f.read()
    results = [(2, np.float32)] * 4
    steps = {}
    for flag in ("true", "false"):
        lib = harness.compile_module(
            ir, args.opt, os.path.join(args.workdir, flag),
            pipeline=f"--sparse-train-to-cpu=propagate-slices={flag} blas=false")
        steps[flag] = harness.Function(lib, "ffn", results)
    rng = np.random.default_rng(7)
    failures = 0
    for counter in range(6):
        inputs = [rng.standard_normal(shape).astype(np.float32)
                  for shape in ((8, 16), (16, 32), (32,), (32, 16), (8, 16))]
        sliced = steps["true"](*inputs, 11, counter)
        dense = steps["false"](*inputs, 11, counter)
        for name, a, b in zip(("y", "dw1", "dw2", "dx"), sliced, dense):
            if not np.array_equal(a, b):
                failures += 1
                print(f"MISMATCH counter {counter} {name}: max |diff| {np.abs(a - b).max()}")
    print(f"propagate-slices: 6 steps, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
